"""The clinic's own sections of the patient record."""

from . import selectors
from .records import RecordSection, record_sections


def _episodes(request, patient) -> dict:
    return {"episodes": selectors.patient_episodes(patient)}


def register_clinic_sections() -> None:
    record_sections.register(
        RecordSection(
            key="demographics",
            title="Patient details",
            template="clinic/sections/demographics.html",
            order=10,
            permission="clinic.view_patient",
        )
    )
    record_sections.register(
        RecordSection(
            key="episodes",
            title="Episodes of care and visits",
            template="clinic/sections/episodes.html",
            order=20,
            permission="clinic.view_clinical_record",
            context=_episodes,
        )
    )
