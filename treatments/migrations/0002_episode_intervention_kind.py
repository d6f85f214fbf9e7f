"""Which kinds of intervention each episode has had, for the outcome report
(treatments.summaries), and their rows for the interventions already recorded (removed
ones do not count). Reversing drops the table; the data step's reverse is a no-op.
"""

import django.db.models.deletion
from assessments import host
from django.db import migrations, models


def populate(apps, schema_editor):
    kinds = apps.get_model("treatments", "EpisodeInterventionKind")._meta.db_table
    intervention = apps.get_model("treatments", "DeliveredIntervention")._meta.db_table
    visit = apps.get_model(host.VISIT_MODEL)._meta.db_table
    schema_editor.execute(
        f"""
        INSERT INTO {kinds} (episode_id, kind)
        SELECT DISTINCT v.episode_id, i.kind
        FROM {intervention} i JOIN {visit} v ON v.id = i.visit_id
        WHERE i.removed_at IS NULL
        """
    )


class Migration(migrations.Migration):
    dependencies = [
        *host.swappable_dependencies(),
        ("treatments", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="EpisodeInterventionKind",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40)),
                (
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="intervention_kinds",
                        to=host.EPISODE_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["episode", "kind"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("episode", "kind"), name="one_row_per_episode_kind"
                    )
                ],
            },
        ),
        migrations.RunPython(populate, migrations.RunPython.noop),
    ]
