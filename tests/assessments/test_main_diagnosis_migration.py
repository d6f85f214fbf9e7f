"""Migration assessments 0005: the main diagnosis becomes an explicit mark, and existing
rows keep the meaning they had (the provisional row was the main one), both ways."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessments.models import WorkingDiagnosis
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = ("assessments", "0005_add_red_flag_referral")
NOW = timezone.make_aware(datetime.datetime(2026, 11, 2, 10, 0))


def test_the_upgrade_keeps_the_main_diagnosis_the_app_read(physio, migrated_data_restored):
    call_command("migrate", *BEFORE, verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        OldDiagnosis = old.get_model("assessments", "WorkingDiagnosis")
        one, two = EpisodeFactory(physio=physio), EpisodeFactory(physio=physio)

        def row(episode, code, verification, withdrawn=False, minutes=0):
            return OldDiagnosis.objects.create(
                episode_id=episode.pk,
                source_code=code,
                verification=verification,
                confirmed_by_id=physio.pk,
                confirmed_at=NOW + datetime.timedelta(minutes=minutes),
                withdrawn_at=NOW if withdrawn else None,
            )

        # The app saved the main source provisional and listed it first, others after.
        row(one, "myofascial_trigger_points", "differential")
        row(one, "piriformis_syndrome", "provisional")
        row(one, "sij", "provisional", withdrawn=True)  # the main one until withdrawn
        # Two provisional rows (never saved by the app): the one it listed first is main.
        row(two, "lumbar_referred", "provisional")
        row(two, "lumbar_radicular", "provisional", minutes=5)

        call_command("migrate", "assessments", verbosity=0)

        mains = {(r.episode_id, r.source_code): r.is_main for r in WorkingDiagnosis.objects.all()}
        assert mains == {
            (one.pk, "myofascial_trigger_points"): False,
            (one.pk, "piriformis_syndrome"): True,
            (one.pk, "sij"): True,
            (two.pk, "lumbar_referred"): True,
            (two.pk, "lumbar_radicular"): False,
        }
        # A main chosen after the upgrade stays the main one after a downgrade.
        WorkingDiagnosis.objects.filter(episode=one).update(is_main=False)
        WorkingDiagnosis.objects.filter(source_code="myofascial_trigger_points").update(
            is_main=True
        )
        call_command("migrate", *BEFORE, verbosity=0)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        verification = {
            r.source_code: r.verification
            for r in old.get_model("assessments", "WorkingDiagnosis").objects.filter(
                episode_id=one.pk, withdrawn_at__isnull=True
            )
        }
        assert verification == {
            "myofascial_trigger_points": "provisional",
            "piriformis_syndrome": "differential",
        }
    finally:
        call_command("migrate", verbosity=0)
