"""A plan carries a revision, as the assessment and the SOAP note do, so a save from a form
opened before someone else's is refused rather than replacing it; and one consent per
episode and kind is in force, held by the database.

Consents were never replaced before: recording consent again added a row, and the app
took the latest (by the day given, then the row) as the one in force. Existing rows keep
exactly that meaning: every other consent still in force for the same episode and kind
is marked superseded from the moment the latest stood beside it, then the constraint is
added. No row is lost or changed otherwise; a consent withdrawn stays withdrawn.
"""

from django.db import migrations, models
from django.db.models import F


def supersede_all_but_the_latest(apps, schema_editor):
    Consent = apps.get_model("treatments", "Consent")
    in_force = Consent.objects.filter(withdrawn_on__isnull=True, superseded_at__isnull=True)
    latest = {}
    for consent in in_force.order_by(
        "episode_id", "intervention_kind", F("given_on").desc(), "-id"
    ):
        key = (consent.episode_id, consent.intervention_kind)
        if key not in latest:
            latest[key] = consent
            continue
        # From when the app took the latest as the one in force: once both were recorded.
        consent.superseded_at = max(latest[key].recorded_at, consent.recorded_at)
        consent.save(update_fields=["superseded_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0005_validate_dates_and_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="superseded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="treatmentplan",
            name="revision",
            field=models.PositiveIntegerField(default=1),
        ),
        # Backwards, the column goes with its values: nothing to undo first.
        migrations.RunPython(supersede_all_but_the_latest, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("superseded_at__isnull", True), ("withdrawn_on__isnull", True)),
                fields=("episode", "intervention_kind"),
                name="one_active_consent_per_episode_kind",
            ),
        ),
    ]
