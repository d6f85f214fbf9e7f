"""Per-episode score summaries for the outcome report (assessments.summaries), and their
rows for the scores already recorded: one set-based INSERT ... SELECT (the same window
pass as ``assessments.summaries``, written out here so that the migration stays as it is
when that module changes). Reversing drops the table; the data step's reverse is a no-op.
"""

import django.db.models.deletion
from assessments import host
from django.db import migrations, models


def populate(apps, schema_editor):
    summary = apps.get_model("assessments", "EpisodeMeasureSummary")._meta.db_table
    measurement = apps.get_model("assessments", "Measurement")._meta.db_table
    schema_editor.execute(
        f"""
        INSERT INTO {summary} (episode_id, measure_code, baseline, baseline_at, latest,
                               latest_at, scores_count)
        SELECT episode_id, measure_code, value, scored_at, latest, latest_at, scores_count
        FROM (
            SELECT episode_id, measure_code, value, scored_at,
                   ROW_NUMBER() OVER in_order AS position,
                   LAST_VALUE(value) OVER whole AS latest,
                   LAST_VALUE(scored_at) OVER whole AS latest_at,
                   COUNT(*) OVER whole AS scores_count
            FROM {measurement}
            WINDOW in_order AS (PARTITION BY episode_id, measure_code ORDER BY scored_at, id),
                   whole AS (in_order ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ) ranked
        WHERE position = 1
        """
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_add_report_indexes"),
        *host.swappable_dependencies(),
    ]

    operations = [
        migrations.CreateModel(
            name="EpisodeMeasureSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("measure_code", models.CharField(max_length=20)),
                ("baseline", models.FloatField()),
                ("baseline_at", models.DateTimeField()),
                ("latest", models.FloatField()),
                ("latest_at", models.DateTimeField()),
                ("scores_count", models.PositiveIntegerField()),
                (
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="measure_summaries",
                        to=host.EPISODE_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["episode", "measure_code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("episode", "measure_code"), name="one_summary_per_episode_measure"
                    )
                ],
            },
        ),
        migrations.RunPython(populate, migrations.RunPython.noop),
    ]
