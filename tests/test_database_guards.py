"""Signed records never change in the database either: the paths that send no signal
(`QuerySet.update()`, raw SQL, another program on the database) are refused by triggers,
on SQLite and on PostgreSQL, with the same `SignedRecordError` as the ORM's guards."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assessments import services as assessment_services
from assessments import triggers
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.host import SignedRecordError
from assessments.models import Assessment, AssessmentStatus, Measurement, RedFlagReferral
from clinic import services
from clinic.models import Addendum, LaterAddition, Visit, VisitStatus, VisitTakeover
from tests.factories import EpisodeFactory, UserFactory, VisitFactory
from treatments import services as treatment_services
from treatments.models import AdverseEvent, DeliveredIntervention, VisitNote

pytestmark = pytest.mark.django_db

REFUSED = "Signed records cannot be changed"


def _record(visit, physio) -> None:
    """An assessment with a score, an intervention and a SOAP note in the visit."""
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"nprs": {"nprs": 6}}
    )
    treatment_services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={}
    )
    treatment_services.visit_note_save(visit=visit, user=physio, subjective="Better sitting")


@pytest.fixture
def signed(visit, physio) -> Visit:
    _record(visit, physio)
    signed = services.visit_sign(visit=visit, user=physio)
    services.addendum_add(visit=signed, author=physio, text="Calf pain too.", reason="Omitted")
    return signed


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _refused(work) -> SignedRecordError:
    """Run `work` in a savepoint (a refused statement aborts a PostgreSQL transaction) and
    return the error it was refused with."""
    with pytest.raises(SignedRecordError) as refusal, transaction.atomic():
        work()
    return refusal.value


# --- QuerySet.update(), which sends no signal ----------------------------------------------


def test_a_signed_visit_is_not_updated_in_bulk(signed):
    error = _refused(lambda: Visit.objects.filter(pk=signed.pk).update(notes="x"))
    assert str(error).startswith(REFUSED) and "visit is signed" in str(error)
    assert Visit.objects.get(pk=signed.pk).notes == signed.notes


def test_a_signed_visit_is_not_unsigned_in_bulk(signed):
    _refused(
        lambda: Visit.objects.filter(pk=signed.pk).update(
            status=VisitStatus.DRAFT, signed_at=None, signed_by=None
        )
    )
    assert Visit.objects.get(pk=signed.pk).is_signed


@pytest.mark.parametrize(
    ("model", "change"),
    [
        (Assessment, {"answers": {"nprs": {"nprs": 1}}}),
        (Measurement, {"value": 0}),
        (DeliveredIntervention, {"notes": "changed afterwards"}),
        (VisitNote, {"subjective": "rewritten"}),
        (Addendum, {"text": "rewritten"}),
    ],
    ids=["assessment", "score", "intervention", "soap note", "addendum"],
)
def test_the_records_of_a_signed_visit_are_not_updated_in_bulk(signed, model, change):
    before = list(model.objects.filter(visit=signed).values())
    error = _refused(lambda: model.objects.filter(visit=signed).update(**change))
    assert str(error).startswith(REFUSED)
    assert list(model.objects.filter(visit=signed).values()) == before


def test_a_score_is_not_moved_into_a_signed_visit(signed, physio):
    draft = VisitFactory(episode=signed.episode, practitioner=physio)
    assessment_services.assessment_save(
        visit=draft, template=BUTTOCK_PAIN_V1, user=physio, answers={"nprs": {"nprs": 4}}
    )
    moved = Measurement.objects.filter(visit=draft)
    _refused(lambda: moved.update(visit=signed, measure_code="nprs_copy"))
    assert moved.count() == 1


def test_a_signed_assessment_is_not_reopened_in_bulk(signed):
    _refused(lambda: Assessment.objects.filter(visit=signed).update(status="saved"))
    assert Assessment.objects.get(visit=signed).is_signed


# --- Raw SQL --------------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def test_raw_sql_cannot_update_a_signed_visit(signed):
    error = _refused(
        lambda: _sql(f"UPDATE {_table(Visit)} SET notes = 'x' WHERE id = %s", [signed.pk])
    )
    assert str(error).startswith(REFUSED)
    assert Visit.objects.get(pk=signed.pk).notes == signed.notes


@pytest.mark.parametrize(
    "model",
    [Visit, Assessment, Measurement, DeliveredIntervention, VisitNote, Addendum],
    ids=["visit", "assessment", "score", "intervention", "soap note", "addendum"],
)
def test_raw_sql_cannot_delete_what_a_signed_visit_holds(signed, model):
    column = "id" if model is Visit else "visit_id"
    count = model.objects.count()
    _refused(lambda: _sql(f"DELETE FROM {_table(model)} WHERE {column} = %s", [signed.pk]))
    assert model.objects.count() == count


def test_raw_sql_cannot_add_a_score_to_a_signed_visit(signed):
    score = Measurement.objects.get(visit=signed)
    columns = ("patient_id", "episode_id", "visit_id", "measure_code", "value", "unit")
    columns += ("scoring_version", "missing_items", "raw", "scored_at")
    values = [score.patient_id, score.episode_id, signed.pk, "odi", 20.0, "%", "1", 0, "{}"]
    values.append(timezone.now())
    marks = ", ".join(["%s"] * len(columns))
    _refused(
        lambda: _sql(
            f"INSERT INTO {_table(Measurement)} ({', '.join(columns)}) VALUES ({marks})", values
        )
    )
    assert Measurement.objects.filter(visit=signed).count() == 1


def test_bulk_create_cannot_add_a_score_to_a_signed_visit(signed):
    score = Measurement.objects.get(visit=signed)
    score.pk, score.measure_code = None, "odi"
    error = _refused(lambda: Measurement.objects.bulk_create([score]))
    assert "the visit is signed, and its scores with it" in str(error)
    assert Measurement.objects.filter(visit=signed).count() == 1


def test_raw_sql_cannot_add_an_intervention_to_a_signed_visit(signed, physio):
    now = timezone.now()
    _refused(
        lambda: _sql(
            f"INSERT INTO {_table(DeliveredIntervention)} "
            "(visit_id, kind, params, notes, recorded_by_id, created_at, updated_at) "
            "VALUES (%s, 'education', '{}', '', %s, %s, %s)",
            [signed.pk, physio.pk, now, now],
        )
    )
    assert DeliveredIntervention.objects.filter(visit=signed).count() == 1


# --- What still goes through ---------------------------------------------------------------


def test_signing_freezes_the_assessments_and_signs_the_visit(visit, physio):
    _record(visit, physio)
    services.visit_sign(visit=visit, user=physio)
    assert Visit.objects.get(pk=visit.pk).is_signed
    assert Assessment.objects.get(visit=visit).status == AssessmentStatus.SIGNED


def test_a_draft_is_updated_in_bulk_and_by_sql_as_before(visit, physio):
    _record(visit, physio)
    Visit.objects.filter(pk=visit.pk).update(notes="still a draft")
    Measurement.objects.filter(visit=visit).update(value=5)
    VisitNote.objects.filter(visit=visit).update(plan="Review in 2 weeks")
    DeliveredIntervention.objects.filter(visit=visit).update(notes="10 reps")
    _sql(f"UPDATE {_table(Assessment)} SET revision = revision + 1 WHERE visit_id = %s", [visit.pk])
    assert Visit.objects.get(pk=visit.pk).notes == "still a draft"
    assert Measurement.objects.get(visit=visit).value == 5
    assert VisitNote.objects.get(visit=visit).plan == "Review in 2 weeks"


def test_a_signed_visit_still_gets_addenda_and_adverse_events(signed, physio):
    services.addendum_add(visit=signed, author=physio, text="And this.", reason="More")
    intervention = DeliveredIntervention.objects.get(visit=signed)
    treatment_services.adverse_event_record(
        intervention=intervention,
        user=physio,
        event_type="Soreness",
        severity="mild",
        action_taken="Advice given",
    )
    assert Addendum.objects.filter(visit=signed).count() == 2
    assert AdverseEvent.objects.filter(intervention=intervention).count() == 1


def test_a_takeover_is_not_rewritten_in_bulk(visit, physio, other_physio):
    takeover = services.visit_take_over(visit=visit, user=other_physio, reason="Priya is off sick")

    refusal = _refused(
        lambda: VisitTakeover.objects.filter(pk=takeover.pk).update(reason="Never happened")
    )
    _refused(lambda: _sql(f"DELETE FROM {VisitTakeover._meta.db_table}"))

    assert str(refusal).startswith(REFUSED)
    assert VisitTakeover.objects.get(pk=takeover.pk).reason == "Priya is off sick"


def test_an_addition_after_discharge_is_not_rewritten_in_bulk(episode, physio):
    addition = services.later_addition_record(
        episode=episode, user=physio, what="plan", change="Plan changed", reason="Review"
    )

    _refused(lambda: LaterAddition.objects.filter(pk=addition.pk).update(reason="Nothing"))

    assert LaterAddition.objects.get(pk=addition.pk).reason == "Review"


def test_a_loader_lifts_the_guards_for_its_own_transaction_only(signed):
    with triggers.unguarded(reason="test"):
        Visit.objects.filter(pk=signed.pk).update(notes="loaded as it was")
        # Nested use (a loader calling another) keeps the guards lifted to the end.
        with triggers.unguarded(reason="test"):
            pass
        Measurement.objects.filter(visit=signed).update(value=1)
    assert Visit.objects.get(pk=signed.pk).notes == "loaded as it was"
    _refused(lambda: Visit.objects.filter(pk=signed.pk).update(notes="afterwards"))


def test_every_guard_is_installed_in_the_database():
    guarded = {(guard.model, guard.event) for guard in triggers.database_guards}
    children = (Assessment, Measurement, DeliveredIntervention, VisitNote)
    assert guarded == {
        *(
            (model, event)
            for model in (Visit, Addendum, VisitTakeover, LaterAddition)
            for event in ("UPDATE", "DELETE")
        ),
        *((model, event) for model in children for event in ("INSERT", "UPDATE", "DELETE")),
        # A referral may still be recorded after signing (a late record), never changed.
        *((RedFlagReferral, event) for event in ("UPDATE", "DELETE")),
    }
    names = {guard.name for guard in triggers.database_guards}
    assert triggers.installed_guards(connection) == names


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lifting_the_guards_lets_no_other_connection_through(migrated_data_restored):
    """Real connections and committed transactions: while a restore holds the guards off
    in its transaction, another connection's raw UPDATE is still refused (and the test's
    closing flush, DELETE FROM each table on SQLite, empties the signed rows)."""
    physio = UserFactory(username="guarded-physio")
    visit = VisitFactory(episode=EpisodeFactory(physio=physio), practitioner=physio)
    services.visit_sign(visit=visit, user=physio)
    lifted, done = threading.Event(), threading.Event()

    def loader() -> None:
        try:
            with triggers.unguarded(reason="test"):
                lifted.set()
                done.wait(timeout=1)  # on SQLite the other writer waits for this commit
        finally:
            connection.close()

    def other() -> str:
        lifted.wait(timeout=10)
        try:
            Visit.objects.filter(pk=visit.pk).update(notes="sneaked in")
            return "updated"
        except SignedRecordError:
            return "refused"
        finally:
            done.set()
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        loading, attempt = pool.submit(loader), pool.submit(other)
        loading.result(timeout=30)
        assert attempt.result(timeout=30) == "refused"
    assert Visit.objects.get(pk=visit.pk).notes == ""
