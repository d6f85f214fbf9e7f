"""A signed assessment and its scores never change, by any path; assessments, working
diagnoses and red-flag alerts are never deleted."""

import pytest
from django.db import transaction
from django.utils import timezone

from assessments import services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.host import RecordDeletionError, SignedRecordError
from assessments.models import Assessment, Measurement, RedFlagAlert, WorkingDiagnosis
from clinic import services as clinic_services
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def _save(visit, user, nprs: int = 6) -> Assessment:
    return services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=user, answers={"nprs": {"nprs": nprs}}
    )


@pytest.fixture
def signed_assessment(visit, physio) -> Assessment:
    _save(visit, physio)
    clinic_services.visit_sign(visit=visit, user=physio)
    return Assessment.objects.get(visit=visit)


def test_the_freeze_at_signing_passes_the_guard(signed_assessment):
    assert signed_assessment.is_signed
    assert signed_assessment.signed_suggestions["disclaimer"]


def test_a_signed_assessment_cannot_be_saved_through_the_orm(signed_assessment):
    signed_assessment.answers = {"nprs": {"nprs": 1}}
    with pytest.raises(SignedRecordError, match="signed"):
        signed_assessment.save()
    assert Assessment.objects.get().answers["nprs"] == {"nprs": 6}


def test_its_suggestions_cannot_be_rewritten(signed_assessment):
    signed_assessment.signed_suggestions = {"sources": []}
    with pytest.raises(SignedRecordError):
        signed_assessment.save(update_fields=["signed_suggestions"])


def test_a_signed_assessment_cannot_be_reopened(signed_assessment):
    signed_assessment.status = "saved"
    with pytest.raises(SignedRecordError):
        signed_assessment.save()


def test_no_assessment_is_added_to_a_signed_visit(signed_assessment, physio):
    with pytest.raises(SignedRecordError, match="visit is signed"):
        Assessment.objects.create(
            visit=signed_assessment.visit,
            template_code="another",
            template_version=1,
            created_by=physio,
            updated_by=physio,
        )


def test_the_scores_of_a_signed_visit_never_change(signed_assessment):
    score = Measurement.objects.get(visit=signed_assessment.visit)
    score.value = 0
    with pytest.raises(SignedRecordError, match="its scores"):
        score.save()
    with pytest.raises(RecordDeletionError), transaction.atomic():
        score.delete()
    assert Measurement.objects.get().value == 6


def test_the_scores_of_a_draft_are_replaced_on_saving_again(visit, physio):
    _save(visit, physio, nprs=6)
    _save(visit, physio, nprs=3)
    assert list(Measurement.objects.values_list("value", flat=True)) == [3]


def test_a_draft_assessment_is_changed_normally_but_never_deleted(visit, physio):
    assessment = _save(visit, physio)
    assessment.answers = {"nprs": {"nprs": 2}}
    assessment.save()
    with pytest.raises(RecordDeletionError, match="never deleted"), transaction.atomic():
        assessment.delete()
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_diagnoses_and_red_flags_are_never_deleted(visit, physio):
    follow_up = VisitFactory(episode=visit.episode, practitioner=physio)
    assessment = _save(follow_up, physio)
    diagnosis = services.working_diagnosis_confirm(
        episode=visit.episode, user=physio, source_codes=["piriformis"]
    )[0]
    alert = RedFlagAlert.objects.create(
        episode=visit.episode,
        assessment=assessment,
        outcome="cauda_equina",
        items=["rf_saddle_anaesthesia"],
        raised_by=physio,
    )
    for record in (diagnosis, alert):
        with pytest.raises(RecordDeletionError), transaction.atomic():
            record.delete()
    assert WorkingDiagnosis.objects.count() == 1 and RedFlagAlert.objects.count() == 1
    # Withdrawn and cleared instead: changes, not deletions.
    services.red_flag_clear(alert=alert, user=physio, reason="Reviewed by the GP")
    assert RedFlagAlert.objects.get().cleared_at <= timezone.now()
