"""The clinic's part of a patient's FHIR R4 Bundle: the Patient, an Encounter per visit,
an Appointment per booking, and a Practitioner for each member of staff the record names.
Built on the plugin's FHIR helpers (``assessments.fhir.base``) and registered with its
Bundle (``assessments.fhir.bundle.contributors``) by ``ClinicConfig.ready()``.
"""

from typing import Any

from assessments.fhir.base import (
    DEFAULT_BASE_URL,
    Resource,
    as_local_date_time,
    coding,
    reference_to,
    resource_id,
)
from assessments.fhir.bundle import PatientExport

from .models import Appointment, AppointmentStatus, Patient, Visit

ENCOUNTER_CLASS = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

# Appointment.status, by our appointment's status.
_APPOINTMENT_STATUSES = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.ARRIVED: "arrived",
    AppointmentStatus.ATTENDED: "fulfilled",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "noshow",
}


def practitioner(user) -> Resource:
    name: dict[str, Any] = {"text": user.get_full_name() or user.username}
    if user.last_name:
        name |= {"family": user.last_name, "given": [user.first_name] if user.first_name else []}
    return {
        "resourceType": "Practitioner",
        "id": resource_id("Practitioner", user.pk),
        "identifier": [{"system": f"{DEFAULT_BASE_URL}/user", "value": user.username}],
        "name": [name],
    }


def patient_resource(patient: Patient) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": resource_id("Patient", patient.pk),
        "identifier": [
            {"system": f"{DEFAULT_BASE_URL}/clinic-number", "value": patient.identifier}
        ],
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


def encounter(visit: Visit, export: PatientExport) -> Resource:
    return {
        "resourceType": "Encounter",
        "id": resource_id("Encounter", visit.pk),
        "status": "finished" if visit.is_signed else "in-progress",
        "class": coding(ENCOUNTER_CLASS, "AMB", "ambulatory"),
        "type": [{"text": visit.get_kind_display()}],
        "subject": {"reference": reference_to("Patient", visit.episode.patient_id)},
        "participant": [
            {"individual": {"reference": export.practitioner_reference(visit.practitioner)}}
        ],
        "period": {"start": as_local_date_time(visit.starts_at, "visit.starts_at")},
        "reasonCode": [{"text": visit.episode.complaint}],
    }


def appointment(row: Appointment, export: PatientExport) -> Resource:
    return {
        "resourceType": "Appointment",
        "id": resource_id("Appointment", row.pk),
        "status": _APPOINTMENT_STATUSES.get(row.status, "booked"),
        "appointmentType": {"text": row.get_kind_display()},
        "start": as_local_date_time(row.start, "start"),
        "end": as_local_date_time(row.end, "end"),
        "participant": [
            {
                "actor": {"reference": reference_to("Patient", row.patient_id)},
                "status": "accepted",
            },
            {
                "actor": {"reference": export.practitioner_reference(row.practitioner)},
                "status": "accepted",
            },
        ],
    }


def patient_resources(export: PatientExport) -> list[Resource]:
    """The Patient, the visits' Encounters and the Appointments: two queries."""
    patient = export.patient
    visits = (
        Visit.objects.filter(episode__patient=patient)
        .select_related("episode", "practitioner")
        .order_by("starts_at", "id")
    )
    appointments = (
        Appointment.objects.filter(patient=patient)
        .select_related("practitioner")
        .order_by("start", "id")
    )
    return [
        patient_resource(patient),
        *(encounter(visit, export) for visit in visits),
        *(appointment(row, export) for row in appointments),
    ]
