"""The main (working) diagnosis is the clinician's explicit choice, held in ``is_main``,
and the database keeps one per episode; a source's FHIR verification status follows from
it (main: provisional, the others: differential).

Until now the main source was the row saved ``provisional`` (the first of the posted
list), the others ``differential``. Existing rows keep exactly that meaning: a
provisional row becomes the main one, withdrawn rows included (they keep what they were
when withdrawn). The app only ever saved one provisional row per episode at a time; should
an episode have more among its current rows, the one the app listed first (the earliest
confirmed, then the row) is the main one. Backwards, ``verification`` is written again
from ``is_main``, so a main chosen after this migration stays the main one.
"""

from django.db import migrations, models


def main_from_verification(apps, schema_editor):
    WorkingDiagnosis = apps.get_model("assessments", "WorkingDiagnosis")
    has_main = set()
    for row in WorkingDiagnosis.objects.filter(verification="provisional").order_by(
        "episode_id", "confirmed_at", "id"
    ):
        current = row.withdrawn_at is None
        if current and row.episode_id in has_main:
            continue
        if current:
            has_main.add(row.episode_id)
        row.is_main = True
        row.save(update_fields=["is_main"])


def verification_from_main(apps, schema_editor):
    WorkingDiagnosis = apps.get_model("assessments", "WorkingDiagnosis")
    WorkingDiagnosis.objects.filter(is_main=True).update(verification="provisional")
    WorkingDiagnosis.objects.filter(is_main=False).update(verification="differential")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_add_red_flag_referral"),
    ]

    operations = [
        migrations.AddField(
            model_name="workingdiagnosis",
            name="is_main",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(main_from_verification, verification_from_main),
        migrations.RemoveField(
            model_name="workingdiagnosis",
            name="verification",
        ),
        migrations.AlterModelOptions(
            name="workingdiagnosis",
            options={
                "ordering": ["episode", "-is_main", "confirmed_at", "id"],
                "verbose_name_plural": "working diagnoses",
            },
        ),
        migrations.AddConstraint(
            model_name="workingdiagnosis",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_main", True), ("withdrawn_at__isnull", True)),
                fields=("episode",),
                name="one_main_diagnosis_per_episode",
            ),
        ),
    ]
