import random
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from faker import Faker

from assessments.host import (
    DemoSeeder,
    DemoSeederRegistry,
    SignedRecordError,
    demo_seeders,
    visit_sections,
)
from assessments.registry import AlreadyRegistered, NotRegistered
from clinic.models import (
    Addendum,
    EpisodeOfCare,
    EpisodeStatus,
    Patient,
    Visit,
    VisitKind,
    VisitStatus,
)
from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PHYSIOTHERAPIST
from clinic.seeding import DemoContext

pytestmark = pytest.mark.django_db

DEMO_ROLES = {
    "physio": PHYSIOTHERAPIST,
    "physio2": PHYSIOTHERAPIST,
    "physio3": PHYSIOTHERAPIST,
    "admin": CLINIC_ADMIN,
    "frontdesk": FRONT_DESK,
}


def seed(**options) -> str:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err, **options)
    assert err.getvalue() == ""  # no progress bar when not on a terminal
    return out.getvalue()


def test_demo_users_are_in_their_roles_and_log_in_with_demo(client):
    output = seed(patients=3)

    for username, role in DEMO_ROLES.items():
        user = get_user_model().objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert client.login(username=username, password="demo")
        assert username in output
    assert get_user_model().objects.get(username="admin").is_staff
    assert get_user_model().objects.get(username="physio").get_full_name() == "Priya Shah"


def test_existing_users_keep_their_password(client, physio):
    seed(patients=1)

    assert client.login(username="physio", password="demo-password-1")
    assert not client.login(username="physio", password="demo")
    assert physio.groups.filter(name=PHYSIOTHERAPIST).exists()


def test_patients_episodes_and_visits_follow_the_clinic_rules():
    output = seed(patients=30)
    now = timezone.now()

    assert Patient.objects.count() == 30
    assert Patient.objects.values("identifier").distinct().count() == 30
    assert "30  patients" in output
    for patient in Patient.objects.all():
        assert 18 <= patient.age() <= 85
        assert patient.phone.startswith(("07700 900", "0113 496 0"))
    episodes_per_patient = Patient.objects.annotate(n=Count("episodes")).values_list("n", flat=True)
    assert set(episodes_per_patient) <= {1, 2}

    for episode in EpisodeOfCare.objects.prefetch_related("visits__soap_note"):
        assert "buttock pain" in episode.complaint
        visits = sorted(episode.visits.all(), key=lambda visit: visit.starts_at)
        assert visits[0].kind == VisitKind.INITIAL
        assert timezone.localdate(visits[0].starts_at) == episode.opened_on
        assert all(visit.starts_at < now for visit in visits)
        if episode.status == EpisodeStatus.DISCHARGED:
            assert episode.discharge_reason
            assert episode.opened_on <= episode.closed_on <= timezone.localdate()
        else:
            assert episode.closed_on is None
        for visit in visits:
            if visit.status == VisitStatus.SIGNED:
                assert visit.signed_by_id == visit.practitioner_id
                assert visit.starts_at < visit.signed_at <= now
            else:
                # Only the latest visit of an open episode is left unsigned.
                assert episode.is_open
                assert visit == visits[-1]
                assert visit.signed_by is None and visit.signed_at is None
            # One note per visit, in the SOAP note that replaces the clinic's plain box.
            assert visit.soap_note.subjective and visit.soap_note.plan
            assert visit.soap_note.updated_by_id == visit.practitioner_id
            assert not visit.notes

    assert Visit.objects.filter(status=VisitStatus.SIGNED).exists()
    assert Visit.objects.filter(status=VisitStatus.DRAFT).exists()
    assert EpisodeOfCare.objects.filter(status=EpisodeStatus.DISCHARGED).exists()
    assert EpisodeOfCare.objects.filter(status=EpisodeStatus.OPEN).exists()


def test_the_demo_loads_its_signed_visits_and_leaves_them_guarded():
    # The seeder inserts signed visits, then their records, with the database's guards
    # lifted for its transaction only (assessments/triggers.py).
    seed(patients=5)
    signed = Visit.objects.filter(status=VisitStatus.SIGNED)
    assert signed.filter(assessments__status="signed", soap_note__isnull=False).exists()
    with pytest.raises(SignedRecordError), transaction.atomic():
        signed.update(notes="changed after seeding")


def test_the_same_seed_gives_the_same_patients():
    seed(patients=5, seed=7)
    seed(patients=5, seed=7)
    seed(patients=5, seed=8)

    names = [p.full_name for p in Patient.objects.order_by("id")]
    assert names[:5] == names[5:10]
    assert names[:5] != names[10:]
    assert Patient.objects.values("identifier").distinct().count() == 15


def test_if_empty_adds_nothing_to_a_clinic_with_patients():
    seed(patients=4, if_empty=True)
    counts = (Patient.objects.count(), EpisodeOfCare.objects.count(), Visit.objects.count())

    output = seed(patients=4, if_empty=True)

    assert "already has patients" in output
    assert counts == (Patient.objects.count(), EpisodeOfCare.objects.count(), Visit.objects.count())
    assert counts[0] == 4


def test_a_registered_seeder_gets_the_context_and_adds_rows_in_bulk():
    seen: list[DemoContext] = []

    def seed_addenda(context: DemoContext) -> None:
        seen.append(context)

        def addenda():
            signed = Visit.objects.signed()
            for visits in context.in_batches(signed, context.visit_ids):
                for visit in visits:
                    yield Addendum(
                        visit=visit, author=visit.practitioner, text="Demo.", reason="Demo"
                    )

        context.bulk_create(Addendum, addenda())

    with demo_seeders.temporarily(DemoSeeder("test_addenda", seed_addenda)):
        output = seed(patients=12, batch_size=5)
    assert "test_addenda" not in demo_seeders

    [context] = seen
    assert isinstance(context.rng, random.Random)
    assert isinstance(context.faker, Faker)
    assert context.batch_size == 5
    assert [u.username for u in context.physios] == ["physio", "physio2", "physio3"]
    assert [u.username for u in context.users[FRONT_DESK]] == ["frontdesk"]
    assert sorted(context.patient_ids) == sorted(Patient.objects.values_list("id", flat=True))
    assert sorted(context.episode_ids) == sorted(EpisodeOfCare.objects.values_list("id", flat=True))
    assert sorted(context.visit_ids) == sorted(Visit.objects.values_list("id", flat=True))
    signed_count = Visit.objects.signed().count()
    assert Addendum.objects.count() == signed_count
    assert context.created["addenda"] == signed_count
    assert f"{signed_count}  addenda" in output


def test_a_failing_seeder_leaves_nothing_behind():
    def broken(context: DemoContext) -> None:
        raise ValueError("no such template")

    with (
        demo_seeders.temporarily(DemoSeeder("broken", broken)),
        pytest.raises(CommandError, match="'broken' failed: no such template"),
    ):
        seed(patients=6, batch_size=2)

    assert not Patient.objects.exists()
    assert not Visit.objects.exists()
    assert not get_user_model().objects.filter(username__in=DEMO_ROLES).exists()


def test_seeders_run_in_order_and_the_registry_fails_loudly():
    registry = DemoSeederRegistry()
    registry.register(DemoSeeder("treatments", print, order=20))
    registry.register(DemoSeeder("assessments", print, order=10))
    registry.register(DemoSeeder("scheduling", print))

    assert [seeder.name for seeder in registry] == ["assessments", "treatments", "scheduling"]
    with pytest.raises(AlreadyRegistered):
        registry.register(DemoSeeder("assessments", print))
    with pytest.raises(NotRegistered):
        registry.unregister("reports")


def test_without_an_app_holding_visit_notes_the_demo_writes_plain_notes(monkeypatch):
    monkeypatch.delitem(visit_sections._entries, "note")
    seed(patients=3)
    assert Visit.objects.exists()
    assert not Visit.objects.filter(notes="").exists()
    assert not Visit.objects.filter(soap_note__isnull=False).exists()
