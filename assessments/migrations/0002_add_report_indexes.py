"""An index for the outcome report's window pass over the scores (treatments.reports):
(episode, measure, scored_at, id) is the window's partition and order, so PostgreSQL
reads the scores in that order from the index alone (with the value INCLUDEd) instead of
sorting them. Measured with `make bench` (README, Performance).

It is created by SQL rather than declared in Measurement.Meta because the treatments
app owns the report; the model's state is unchanged, so makemigrations sees nothing.
"""

from django.db import migrations

NAME = "measurement_report_idx"
COLUMNS = "episode_id, measure_code, scored_at, id"


def create_index(apps, schema_editor):
    include = " INCLUDE (value)" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON assessments_measurement ({COLUMNS}){include}"
    )


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
