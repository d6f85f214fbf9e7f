"""Reads that span models, each in a fixed number of queries."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from assessments.host import patient_markers, visit_missing

from .models import Addendum, Appointment, AppointmentStatus, EpisodeOfCare, Patient, Visit
from .roles import PHYSIOTHERAPIST


def missing_before_signing(visit: Visit) -> list[str]:
    """What the installed apps say the draft visit still lacks (signals.visit_missing)."""
    return [
        sentence
        for _receiver, sentences in visit_missing.send(sender=Visit, visit=visit)
        for sentence in sentences or ()
    ]


def physiotherapists() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=PHYSIOTHERAPIST)
        .order_by("first_name", "last_name", "username")
    )


def booked_appointments(episode: EpisodeOfCare) -> list[Appointment]:
    """The episode's appointments still booked from now on, with their physios: one query."""
    return list(
        Appointment.objects.filter(episode=episode, status="booked")
        .upcoming(timezone.now())
        .select_related("practitioner")
        .order_by("start")
    )


def patient_episodes(patient: Patient) -> list[EpisodeOfCare]:
    """The patient's episodes with their visits and addenda: three queries in all."""
    visits = Visit.objects.select_related("practitioner", "signed_by").prefetch_related(
        Prefetch("addenda", queryset=Addendum.objects.select_related("author"))
    )
    return list(
        patient.episodes.select_related("physio").prefetch_related(Prefetch("visits", visits))
    )


def visit_with_context(visit_id: int) -> Visit:
    return Visit.objects.select_related(
        "episode__patient", "episode__physio", "practitioner", "signed_by"
    ).get(pk=visit_id)


def physio_worklist(user) -> dict:
    open_episodes = (
        EpisodeOfCare.objects.open()
        .for_physio(user)
        .filter(patient__archived_at__isnull=True)
        .select_related("patient")
        .annotate(
            visit_count=Count("visits"),
            draft_count=Count("visits", filter=Q(visits__status="draft")),
        )[:50]
    )
    drafts = (
        Visit.objects.drafts()
        .filter(practitioner=user)
        .select_related("episode__patient")
        .order_by("starts_at")[:50]
    )
    day_start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    today = (
        Appointment.objects.active()
        .for_practitioner(user)
        .filter(start__gte=day_start, start__lt=day_start + timedelta(days=1))
        .select_related("patient", "visit")
        .order_by("start")
    )
    return {
        "open_episodes": list(open_episodes),
        "draft_visits": list(drafts),
        "todays_appointments": list(today),
    }


def clinic_day(day: date) -> list[Appointment]:
    """The front desk's list: every physio's appointments of the day that were not
    cancelled, in time order, with patient and physio (one query; nothing clinical)."""
    day_start = timezone.make_aware(datetime.combine(day, time.min))
    return list(
        Appointment.objects.exclude(status=AppointmentStatus.CANCELLED)
        .filter(start__gte=day_start, start__lt=day_start + timedelta(days=1))
        .select_related("patient", "practitioner")
        .order_by("start", "practitioner__first_name", "practitioner__last_name", "pk")
    )


MARKED_PATIENTS_SHOWN = 50


def marked_patients(user) -> list[dict]:
    """For each marker source, the active patients it marks (at most 50, by name), each
    with its markers as `user` may read them: two queries a source."""
    clinical = user.has_perm("clinic.view_clinical_record")
    lists = []
    for source in patient_markers:
        patients = list(
            Patient.objects.active()
            .filter(pk__in=source.patients_marked())
            .order_by("family_name", "given_name", "pk")[:MARKED_PATIENTS_SHOWN]
        )
        markers = source.of_patients([patient.pk for patient in patients]) if patients else {}
        for patient in patients:
            patient.markers = [marker.shown_to(user) for marker in markers.get(patient.pk, [])]
        lists.append(
            {
                "key": source.key,
                "title": source.title if clinical else source.front_desk_title,
                "patients": patients,
            }
        )
    return lists
