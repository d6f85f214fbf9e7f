"""The clinic's own sections of the patient record."""

from django.urls import reverse
from django.utils import timezone

from assessments.host import (
    RecordSection,
    StepProgress,
    VisitStep,
    record_sections,
    visit_steps,
    visit_summaries,
)

from . import selectors


def _episodes(request, patient) -> dict:
    episodes = selectors.patient_episodes(patient)
    visits = [visit for episode in episodes for visit in episode.visits.all()]
    lines = visit_summaries.for_visits(visits)
    for visit in visits:
        visit.summary = lines.get(visit.pk, "")
    return {"episodes": episodes}


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


def _signing(visit) -> StepProgress:
    return StepProgress(
        done=visit.is_signed,
        missing="Not signed yet",
        url=reverse("clinic:visit_sign", args=[visit.pk]),
    )


def register_visit_steps() -> None:
    # Last, whatever the other apps register: signing freezes the rest.
    visit_steps.register(
        VisitStep(
            key="sign",
            title="Sign",
            order=1000,
            progress=_signing,
            permission="clinic.sign_visit",
        )
    )


def _appointments(request, patient) -> dict:
    appointments = list(patient.appointments.select_related("practitioner").order_by("-start")[:20])
    now = timezone.now()
    return {
        "upcoming": sorted((a for a in appointments if a.start >= now), key=lambda a: a.start),
        "past": [a for a in appointments if a.start < now][:10],
    }


def register_diary_sections() -> None:
    record_sections.register(
        RecordSection(
            key="appointments",
            title="Appointments",
            template="clinic/diary/record_appointments.html",
            order=15,
            permission="clinic.view_appointment",
            context=_appointments,
        )
    )
