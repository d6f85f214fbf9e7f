"""A seeded clinic goes through `manage.py backup`, an emptied database and
`manage.py restore`, and comes back whole: every table, every row, every value."""

import io
import json

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from assessments import host
from assessments.host import BackedUpApp, backed_up_apps
from assessments.models import Assessment, Measurement
from clinic import services
from clinic.backup import backed_up_models
from clinic.models import Appointment, Patient, Visit
from treatments.models import DeliveredIntervention

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_content_type_cache():
    # flush + migrate signals recreate content types inside the test's transaction; the
    # ids cached meanwhile must not outlive its rollback.
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def clinic():
    """The demo clinic, plus what the demo leaves out: audit entries, an addendum, roles."""
    call_command("seed_demo", patients=15, quiet=True, verbosity=0)
    physio = get_user_model().objects.get(username="physio")
    visit = Visit.objects.signed().filter(practitioner=physio).first()
    with set_actor(physio):
        services.addendum_add(visit=visit, author=physio, text="Calf pain too.", reason="Omitted")
        services.patient_update(patient=visit.episode.patient, user=physio, phone="07700 900555")
    locum = Group.objects.create(name="Locum")
    physio.groups.add(locum)
    return physio


def _snapshot() -> dict[str, list[dict]]:
    """Every backed-up row, with content types and groups by name (their ids may differ in
    a new database, and are not data)."""
    content_types = {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()}
    snapshot = {}
    for model in backed_up_models():
        rows = list(model._default_manager.order_by("pk").values())
        if model is Group:
            rows = sorted(
                (
                    row["name"],
                    sorted(group.permissions.values_list("codename", flat=True)),
                )
                for row in rows
                for group in [Group.objects.get(pk=row["id"])]
            )
        for row in rows:
            if isinstance(row, dict) and "content_type_id" in row:
                row["content_type_id"] = content_types.get(row["content_type_id"])
        snapshot[model._meta.label] = rows
    snapshot["user roles"] = sorted(
        get_user_model().objects.values_list("username", "groups__name").order_by()
    )
    return snapshot


def _empty_the_database() -> None:
    # Fire the deferred foreign-key checks of the seeding first: PostgreSQL refuses to
    # truncate tables with pending checks in the same transaction.
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)
    assert not Patient.objects.exists() and not get_user_model().objects.exists()


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_a_seeded_clinic_round_trips_with_nothing_lost(clinic, tmp_path, suffix):
    before = _snapshot()
    patient = Patient.objects.exclude(phone="").order_by("pk").first()
    assessment = Assessment.objects.filter(status="signed").order_by("pk").first()
    measurement = Measurement.objects.order_by("pk").first()
    intervention = DeliveredIntervention.objects.exclude(params={}).order_by("pk").first()
    appointment = Appointment.objects.order_by("pk").last()
    assert LogEntry.objects.exists() and assessment.signed_suggestions

    backup = tmp_path / f"clinic{suffix}"
    out = io.StringIO()
    call_command("backup", output=str(backup), stdout=out)
    assert "15  patients" in out.getvalue()
    _empty_the_database()
    call_command("restore", str(backup), stdout=io.StringIO())

    after = _snapshot()
    for label, rows in before.items():
        assert len(after[label]) == len(rows), label
        assert after[label] == rows, label
    # A few rows in full, spelled out.
    assert Patient.objects.get(pk=patient.pk).phone == patient.phone
    restored = Assessment.objects.get(pk=assessment.pk)
    assert restored.answers == assessment.answers
    assert restored.signed_suggestions == assessment.signed_suggestions
    assert restored.updated_at == assessment.updated_at  # to the microsecond
    assert Measurement.objects.get(pk=measurement.pk).value == measurement.value
    assert DeliveredIntervention.objects.get(pk=intervention.pk).params == intervention.params
    restored_appointment = Appointment.objects.get(pk=appointment.pk)
    assert (restored_appointment.start, restored_appointment.status) == (
        appointment.start,
        appointment.status,
    )
    # Restoring adds no audit entries of its own, and the signed records are still guarded.
    assert LogEntry.objects.count() == len(before["auditlog.LogEntry"])
    with pytest.raises(host.SignedRecordError):
        Visit.objects.signed().first().save()
    # The database's guards were lifted for the restore's transaction only.
    with pytest.raises(host.SignedRecordError), transaction.atomic():
        Measurement.objects.filter(visit__status="signed").update(value=0)


def test_the_backup_is_a_plain_fixture_with_roles_by_name(clinic, tmp_path):
    backup = tmp_path / "clinic.json"
    call_command("backup", output=str(backup), verbosity=0)
    rows = json.loads(backup.read_text())
    models = {row["model"] for row in rows}
    assert {"clinic.patient", "assessments.assessment", "auditlog.logentry"} <= models
    assert not models & {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    group = next(row for row in rows if row["model"] == "auth.group")
    assert "pk" not in group and group["fields"]["name"]
    user = next(row for row in rows if row["model"] == "auth.user")
    assert user["pk"] and all(isinstance(name, list) for name in user["fields"]["groups"])


def test_restore_refuses_a_database_that_is_not_empty(clinic, tmp_path):
    backup = tmp_path / "clinic.json"
    call_command("backup", output=str(backup), verbosity=0)
    patients = Patient.objects.count()
    with pytest.raises(CommandError, match="not empty .*15 patients.*Nothing was changed"):
        call_command("restore", str(backup))
    assert Patient.objects.count() == patients


def test_restore_refuses_an_unmigrated_database(tmp_path, monkeypatch):
    backup = tmp_path / "clinic.json"
    backup.write_text("[]")
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["pending"])
    with pytest.raises(CommandError, match="run `manage.py migrate`"):
        call_command("restore", str(backup))


def test_the_apps_backed_up_are_those_registered_in_load_order():
    assert backed_up_apps.keys() == ["clinic", "assessments", "treatments"]
    chosen = backed_up_models()
    assert chosen.index(Patient) < chosen.index(Assessment) < chosen.index(DeliveredIntervention)
    assert chosen[-1] is LogEntry


def test_an_app_registered_temporarily_is_backed_up_and_then_no_more():
    from django.contrib.sessions.models import Session

    assert Session not in backed_up_models()  # logins only: not data
    with backed_up_apps.temporarily(BackedUpApp(label="sessions", order=40)):
        chosen = backed_up_models()
        assert chosen.index(DeliveredIntervention) < chosen.index(Session) < chosen.index(LogEntry)
    assert Session not in backed_up_models()


def test_files_are_named_as_fixtures(tmp_path):
    with pytest.raises(CommandError, match=".json"):
        call_command("backup", output=str(tmp_path / "clinic.bak"))
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path / "clinic.bak"))
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.json"))


def test_a_backup_from_before_the_outcome_summaries_restores_them(clinic, tmp_path):
    from assessments.models import EpisodeMeasureSummary
    from treatments.models import EpisodeInterventionKind

    summaries = EpisodeMeasureSummary.objects.count()
    kinds = EpisodeInterventionKind.objects.count()
    assert summaries and kinds
    backup = tmp_path / "older.json"
    call_command("backup", output=str(backup), verbosity=0)
    # An older backup: no summary tables in it.
    derived = {"assessments.episodemeasuresummary", "treatments.episodeinterventionkind"}
    rows = [row for row in json.loads(backup.read_text()) if row["model"] not in derived]
    backup.write_text(json.dumps(rows))
    _empty_the_database()
    call_command("restore", str(backup), stdout=io.StringIO())
    assert EpisodeMeasureSummary.objects.count() == summaries
    assert EpisodeInterventionKind.objects.count() == kinds
