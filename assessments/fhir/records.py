"""The assessments app's part of a patient's Bundle: a QuestionnaireResponse per
assessment, an Observation per score, a Condition per working-diagnosis source."""

from assessments.definitions import templates
from assessments.models import Assessment, AssessmentStatus, Measurement, WorkingDiagnosis

from .base import Resource, reference_to, resource_id
from .bundle import PatientExport
from .conditions import condition
from .observations import measurement_observation
from .questionnaires import questionnaire_response


def patient_resources(export: PatientExport) -> list[Resource]:
    """Three queries, whatever the size of the record."""
    patient = export.patient
    diagnoses = WorkingDiagnosis.objects.filter(episode__patient=patient).select_related(
        "episode", "confirmed_by"
    )
    assessments = (
        Assessment.objects.filter(visit__episode__patient=patient)
        .select_related("visit__practitioner")
        .order_by("visit__starts_at", "visit_id", "template_code", "id")
    )
    measurements = Measurement.objects.filter(patient=patient).order_by("scored_at", "id")
    resources = [
        condition(
            diagnosis,
            condition_id=resource_id("Condition", diagnosis.pk),
            patient_reference=export.patient_reference,
            asserter_reference=export.practitioner_reference(diagnosis.confirmed_by),
        )
        for diagnosis in diagnoses
    ]
    for assessment in assessments:
        visit = assessment.visit
        resources.append(
            questionnaire_response(
                templates.get(assessment.template_code, assessment.template_version),
                assessment.answers,
                response_id=resource_id("QuestionnaireResponse", assessment.pk),
                patient_reference=export.patient_reference,
                encounter_reference=reference_to("Encounter", visit.pk),
                author_reference=export.practitioner_reference(visit.practitioner),
                authored=assessment.updated_at,
                status="in-progress"
                if assessment.status == AssessmentStatus.DRAFT
                else "completed",
            )
        )
    resources += [measurement_observation(row) for row in measurements]
    return resources
