"""The plugin's writes and reads on carebook's records, below the pages: they hang off
carebook's sessions and care plans and obey carebook's own writing rules."""

import pytest
from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V2
from assessments.follow_up import FOLLOW_UP_MEASURES_V1
from assessments.host import NotVisitClinician, SignedRecordError
from assessments.models import Measurement
from django.contrib.auth import get_user_model
from django.db import transaction
from treatments import services as treatment_services
from treatments.outcomes import episode_outcomes
from treatments.reports import GroupBy, ReportFilters, outcome_report

from carebook import services as carebook_services

pytestmark = pytest.mark.django_db

NO_RED_FLAGS = {code: "no" for code in BUTTOCK_PAIN_V2.index if code.startswith("rf_")}
HAMSTRING = NO_RED_FLAGS | {
    "pain_regions": ["ischial_tuberosity_right"],
    "tender_ischial_tuberosity": "yes",
    "test_puranen_orava": "positive",
    "test_modified_bent_knee_stretch": "positive",
    "nprs": {"nprs": 7},
}


def _assess(session, user, answers=HAMSTRING):
    return assessment_services.assessment_save(
        visit=session, template=BUTTOCK_PAIN_V2, user=user, answers=answers
    )


def test_an_assessment_hangs_off_the_session_and_its_scores_off_the_care_plan(
    physio, first_session, care_plan, carebook_client
):
    assessment = _assess(first_session, physio)
    assert assessment.visit == first_session
    nprs = Measurement.objects.get(measure_code="nprs")
    assert (nprs.visit, nprs.episode, nprs.patient) == (first_session, care_plan, carebook_client)


def test_only_the_sessions_clinician_writes_into_it(physio, first_session):
    colleague = get_user_model().objects.create_user(username="sam")
    colleague.groups.set(physio.groups.all())
    with pytest.raises(NotVisitClinician, match="another clinician"):
        _assess(first_session, colleague)


def test_a_red_flag_blocks_manipulation_and_stretching_is_recorded(
    physio, first_session, care_plan
):
    _assess(first_session, physio, HAMSTRING | {"rf_saddle_anaesthesia": "yes"})
    assert [alert.outcome for alert in care_plan.red_flag_alerts.all()] == ["cauda_equina"]
    with pytest.raises(treatment_services.SafetyError, match="red flag"):
        treatment_services.check_preconditions(episode=care_plan, kind_code="spinal_manipulation")
    row = treatment_services.intervention_record(
        visit=first_session, user=physio, kind_code="stretching", params={}
    )
    assert row.visit == first_session


def test_progress_and_the_outcome_report_read_carebooks_care_plans(
    physio, first_session, review_session, care_plan
):
    _assess(first_session, physio)
    assessment_services.working_diagnosis_confirm(
        episode=care_plan,
        user=physio,
        source_codes=["proximal_hamstring_tendinopathy"],
        main="proximal_hamstring_tendinopathy",
    )
    assessment_services.assessment_save(
        visit=review_session,
        template=FOLLOW_UP_MEASURES_V1,
        user=physio,
        answers={"nprs": {"nprs": 3}},
    )
    nprs = next(outcome for outcome in episode_outcomes(care_plan) if outcome.code == "nprs")
    assert (nprs.baseline, nprs.latest) == (7, 3)
    report = outcome_report(group_by=GroupBy.DIAGNOSIS, filters=ReportFilters())
    rows = {row.key: row for row in report.rows}
    assert rows["proximal_hamstring_tendinopathy"].episodes == 1
    assert rows["proximal_hamstring_tendinopathy"].measures["nprs"].n == 1


def test_a_signed_session_is_read_only(physio, first_session):
    _assess(first_session, physio)
    row = treatment_services.intervention_record(
        visit=first_session, user=physio, kind_code="stretching", params={}
    )
    carebook_services.session_sign(session=first_session, user=physio)
    with pytest.raises(assessment_services.AssessmentError, match="signed"):
        _assess(first_session, physio, HAMSTRING | {"nprs": {"nprs": 2}})
    with pytest.raises(treatment_services.TreatmentError, match="signed"):
        treatment_services.intervention_remove(intervention=row, user=physio)
    # And the database's own guards, read from carebook's Session.signed_sql.
    with (
        pytest.raises(SignedRecordError, match="Signed records cannot be changed"),
        transaction.atomic(),
    ):
        Measurement.objects.filter(visit=first_session).update(value=1)
    assert Measurement.objects.get(measure_code="nprs").value == 7


def test_the_bundle_is_built_from_carebooks_records(physio, first_session, carebook_client):
    from assessments.fhir.bundle import patient_bundle

    _assess(first_session, physio)
    bundle = patient_bundle(carebook_client)
    types = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert "QuestionnaireResponse" in types and "Observation" in types
    fhir_bundle = pytest.importorskip("fhir.resources.R4B.bundle")
    fhir_bundle.Bundle.model_validate(bundle)
