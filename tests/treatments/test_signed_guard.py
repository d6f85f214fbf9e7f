"""What was done in a signed visit never changes, by any path; treatment records are never
deleted. Adverse events may still be added after signing."""

import pytest
from django.db import transaction

from assessments.host import RecordDeletionError, SignedRecordError
from clinic import services as clinic_services
from tests.factories import VisitFactory
from treatments import services
from treatments.models import AdverseEvent, DeliveredIntervention, VisitNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(visit, physio):
    intervention = services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={}
    )
    note = services.visit_note_save(visit=visit, user=physio, subjective="Better on sitting")
    return intervention, note


@pytest.fixture
def signed(recorded, visit, physio):
    clinic_services.visit_sign(visit=visit, user=physio)
    return recorded


def test_an_intervention_of_a_signed_visit_cannot_be_changed(signed):
    intervention, _note = signed
    intervention.notes = "changed afterwards"
    with pytest.raises(SignedRecordError, match="its interventions"):
        intervention.save()
    intervention.refresh_from_db()
    intervention.removed_at = intervention.created_at
    with pytest.raises(SignedRecordError):
        intervention.save(update_fields=["removed_at"])
    assert DeliveredIntervention.objects.get().notes == ""


def test_no_intervention_is_added_to_a_signed_visit(signed, visit, physio):
    with pytest.raises(SignedRecordError):
        DeliveredIntervention.objects.create(visit=visit, kind="stretching", recorded_by=physio)


def test_an_intervention_cannot_be_moved_out_of_a_signed_visit(signed, visit, physio):
    intervention, _note = signed
    intervention.visit = VisitFactory(episode=visit.episode, practitioner=physio)
    with pytest.raises(SignedRecordError):
        intervention.save()


def test_the_note_of_a_signed_visit_cannot_be_changed(signed):
    _intervention, note = signed
    note.subjective = "rewritten"
    with pytest.raises(SignedRecordError, match="its note"):
        note.save()
    assert VisitNote.objects.get().subjective == "Better on sitting"


def test_draft_records_change_normally_but_are_never_deleted(recorded):
    intervention, note = recorded
    note.plan = "Review in 2 weeks"
    note.save()
    for record in (intervention, note):
        with pytest.raises(RecordDeletionError, match="never deleted"), transaction.atomic():
            record.delete()
    assert DeliveredIntervention.objects.count() == 1 and VisitNote.objects.count() == 1


def test_an_adverse_event_is_added_after_signing(signed, physio):
    intervention, _note = signed
    event = services.adverse_event_record(
        intervention=intervention,
        user=physio,
        event_type="Bruising",
        severity="mild",
        action_taken="Advice given",
    )
    assert AdverseEvent.objects.get() == event
    with pytest.raises(RecordDeletionError), transaction.atomic():
        event.delete()
