"""A patient's whole record as a FHIR R4 Bundle (type collection).

Lives in the treatments app because it is the one app that may read all three (clinic,
assessments, treatments); the clinic app itself never imports the plugins. References are
relative (`Patient/patient-12`) and every one resolves to an entry of the bundle, whose
`fullUrl`s share the RESTful base `settings.FHIR_BASE_URL`.
"""

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from assessments import fhir as assessment_fhir
from assessments import host, measures
from assessments.definitions import templates
from assessments.host import Patient, Visit
from assessments.models import Assessment, Measurement, WorkingDiagnosis

from . import fhir
from .models import Consent, DeliveredIntervention, TreatmentPlan

CLINIC_SYSTEM = "urn:clinic-records"


def base_url() -> str:
    return getattr(settings, "FHIR_BASE_URL", "https://clinic.invalid/fhir").rstrip("/")


def _ref(kind: str, key: str) -> str:
    return f"{kind}/{key}"


def practitioner(user) -> dict[str, Any]:
    name = {"text": user.get_full_name() or user.username}
    if user.last_name:
        name |= {"family": user.last_name, "given": [user.first_name] if user.first_name else []}
    return {
        "resourceType": "Practitioner",
        "id": f"practitioner-{user.pk}",
        "identifier": [{"system": f"{CLINIC_SYSTEM}/user", "value": user.username}],
        "name": [name],
    }


def patient_resource(patient: Patient) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": f"patient-{patient.pk}",
        "identifier": [{"system": f"{CLINIC_SYSTEM}/clinic-number", "value": patient.identifier}],
        "active": True,
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "gender": patient.sex,
        "birthDate": patient.date_of_birth.isoformat(),
    }
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    if patient.address.strip():
        resource["address"] = [{"text": patient.address.strip()}]
    return resource


def encounter(visit: Visit) -> dict[str, Any]:
    return {
        "resourceType": "Encounter",
        "id": f"encounter-{visit.pk}",
        "status": "finished" if visit.is_signed else "in-progress",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{"text": visit.get_kind_display()}],
        "subject": {"reference": _ref("Patient", f"patient-{visit.episode.patient_id}")},
        "participant": [
            {
                "individual": {
                    "reference": _ref("Practitioner", f"practitioner-{visit.practitioner_id}")
                }
            }
        ],
        "period": {"start": timezone.localtime(visit.starts_at).isoformat()},
        "reasonCode": [{"text": visit.episode.complaint}],
    }


def appointment(row) -> dict[str, Any]:
    status = {
        "booked": "booked",
        "arrived": "arrived",
        "attended": "fulfilled",
        "cancelled": "cancelled",
        "no_show": "noshow",
    }.get(row.status, "booked")
    return {
        "resourceType": "Appointment",
        "id": f"appointment-{row.pk}",
        "status": status,
        "appointmentType": {"text": row.get_kind_display()},
        "start": timezone.localtime(row.start).isoformat(),
        "end": timezone.localtime(row.end).isoformat(),
        "participant": [
            {
                "actor": {"reference": _ref("Patient", f"patient-{row.patient_id}")},
                "status": "accepted",
            },
            {
                "actor": {"reference": _ref("Practitioner", f"practitioner-{row.practitioner_id}")},
                "status": "accepted",
            },
        ],
    }


def _appointments(patient: Patient) -> list:
    try:
        model = apps.get_model("clinic", "Appointment")
    except LookupError:
        return []
    return list(model.objects.filter(patient=patient).order_by("start"))


def patient_bundle(patient: Patient) -> dict[str, Any]:
    """Everything recorded for the patient, in a fixed number of queries."""
    base = base_url()
    visits = list(
        host.visits()
        .filter(episode__patient=patient)
        .select_related("episode", "practitioner")
        .prefetch_related(
            Prefetch("assessments", Assessment.objects.select_related("updated_by")),
            Prefetch(
                "interventions", DeliveredIntervention.objects.prefetch_related("adverse_events")
            ),
        )
        .order_by("starts_at", "id")
    )
    measurements = list(Measurement.objects.filter(patient=patient).order_by("scored_at", "id"))
    diagnoses = list(
        WorkingDiagnosis.objects.filter(episode__patient=patient).select_related("episode")
    )
    consents = list(Consent.objects.filter(episode__patient=patient).select_related("episode"))
    plans = list(
        TreatmentPlan.objects.filter(episode__patient=patient)
        .select_related("episode")
        .prefetch_related("goals")
    )
    appointments = _appointments(patient)

    users = {visit.practitioner_id: visit.practitioner for visit in visits}
    for row in [
        *(d.confirmed_by for d in diagnoses),
        *(c.recorded_by for c in consents),
        *(p.updated_by for p in plans),
    ]:
        users.setdefault(row.pk, row)
    for row in appointments:
        users.setdefault(row.practitioner_id, row.practitioner)

    patient_ref = _ref("Patient", f"patient-{patient.pk}")
    resources: list[dict[str, Any]] = [patient_resource(patient)]
    resources += [practitioner(user) for user in users.values()]
    conditions_by_episode: dict[int, list[str]] = {}
    for diagnosis in diagnoses:
        key = f"condition-{diagnosis.pk}"
        resources.append(
            fhir.condition(
                diagnosis,
                condition_id=key,
                patient_reference=patient_ref,
                asserter_reference=_ref(
                    "Practitioner", f"practitioner-{diagnosis.confirmed_by_id}"
                ),
            )
        )
        if diagnosis.withdrawn_at is None:
            conditions_by_episode.setdefault(diagnosis.episode_id, []).append(
                _ref("Condition", key)
            )
    responses: dict[int, str] = {}
    for visit in visits:
        encounter_ref = _ref("Encounter", f"encounter-{visit.pk}")
        resources.append(encounter(visit))
        for assessment in visit.assessments.all():
            template = templates.get(assessment.template_code, assessment.template_version)
            key = f"response-{assessment.pk}"
            responses[assessment.pk] = _ref("QuestionnaireResponse", key)
            resources.append(
                assessment_fhir.questionnaire_response(
                    template,
                    assessment.answers,
                    response_id=key,
                    patient_reference=patient_ref,
                    encounter_reference=encounter_ref,
                    author_reference=_ref("Practitioner", f"practitioner-{visit.practitioner_id}"),
                    authored=assessment.updated_at,
                    status="completed" if assessment.status != "draft" else "in-progress",
                )
            )
        for intervention in visit.interventions.all():
            resources.append(
                fhir.procedure(
                    intervention,
                    procedure_id=f"procedure-{intervention.pk}",
                    patient_reference=patient_ref,
                    encounter_reference=encounter_ref,
                    performer_reference=_ref(
                        "Practitioner", f"practitioner-{visit.practitioner_id}"
                    ),
                    reason_references=conditions_by_episode.get(visit.episode_id, ()),
                )
            )
    for row in measurements:
        score = measures.Score(
            measure_code=row.measure_code,
            value=row.value,
            unit=row.unit,
            scoring_version=row.scoring_version,
            missing_items=row.missing_items,
            raw=row.raw,
        )
        resources.append(
            assessment_fhir.measure_observation(
                score,
                observation_id=f"observation-{row.pk}",
                patient_reference=patient_ref,
                encounter_reference=_ref("Encounter", f"encounter-{row.visit_id}"),
                effective=row.scored_at,
                derived_from=responses.get(row.assessment_id),
            )
        )
    for consent in consents:
        resources.append(
            fhir.consent(
                consent,
                consent_id=f"consent-{consent.pk}",
                patient_reference=patient_ref,
                performer_reference=_ref("Practitioner", f"practitioner-{consent.recorded_by_id}"),
            )
        )
    for plan in plans:
        resources.append(
            fhir.care_plan(
                plan,
                care_plan_id=f"careplan-{plan.pk}",
                patient_reference=patient_ref,
                author_reference=_ref("Practitioner", f"practitioner-{plan.updated_by_id}"),
                condition_references=conditions_by_episode.get(plan.episode_id, ()),
            )
        )
    resources += [appointment(row) for row in appointments]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "identifier": {
            "system": f"{CLINIC_SYSTEM}/export",
            "value": f"{patient.identifier}-{timezone.now():%Y%m%d%H%M%S}",
        },
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }


def references(value: Any) -> Iterator[str]:
    """Every `reference` string inside a resource (for checks that they resolve)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)
