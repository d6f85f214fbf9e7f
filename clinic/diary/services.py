"""The diary's writes: booking, moving, cancelling, check-in, contact attempts, calendar
feeds. The stable part of it is `clinic.scheduling` (README, "Stable Python API").

Every path that makes an appointment active (the booking form, one click from the grid
or the worklist, rescheduling, undoing "did not attend") goes through `_save_if_free()`,
which owns the no-overlap rules, the physio's and the patient's: checked first for a
readable message, then guaranteed by the database (the exclusion constraints on
PostgreSQL, whose refusal becomes the same message; on SQLite the check runs in a write
transaction that `transaction_mode=IMMEDIATE` serialises).
"""

import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import host, saving
from assessments.dates import VISIT_LEAD

from .. import services as clinic_services
from ..models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CalendarFeed,
    ContactAttempt,
    EpisodeOfCare,
    Patient,
    Side,
    Visit,
    VisitKind,
    new_calendar_token,
)
from ..selectors import physiotherapists
from .selectors import weekly_patterns

# The exclusion constraints of migrations 0005 and 0017 (PostgreSQL only).
NO_OVERLAP_CONSTRAINT = "appointment_no_overlap"
PATIENT_NO_OVERLAP_CONSTRAINT = "appointment_patient_no_overlap"

VISIT_KIND = {
    AppointmentKind.INITIAL: VisitKind.INITIAL,
    AppointmentKind.FOLLOW_UP: VisitKind.FOLLOW_UP,
    AppointmentKind.DISCHARGE_REVIEW: VisitKind.DISCHARGE,
}


class SchedulingError(host.ClinicError):
    """A diary rule was broken; the message is for the user."""


class PatientUnavailable(SchedulingError):
    """The patient already has an active appointment overlapping the requested time."""

    def __init__(self, appointment: Appointment, clashing: Appointment | None):
        self.clashing = clashing
        message = f"{appointment.patient.full_name} already has an appointment then"
        if clashing is not None:
            message += (
                f": {clashing.get_kind_display()} with {display_name(clashing.practitioner)}, "
                f"{time_range(clashing)}"
            )
        super().__init__(message + ".")


class SlotUnavailable(SchedulingError):
    """The physio already has an active appointment overlapping the requested time."""

    def __init__(self, clashing: Appointment | None):
        self.clashing = clashing
        if clashing is None:
            message = "The physio already has an appointment at that time."
        else:
            message = (
                f"{display_name(clashing.practitioner)} already has an appointment at that "
                f"time: {clashing.patient.full_name}, {clashing.get_kind_display()}, "
                f"{time_range(clashing)}."
            )
        super().__init__(message)


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def time_range(appointment: Appointment) -> str:
    start, end = timezone.localtime(appointment.start), timezone.localtime(appointment.end)
    return f"{start:%a %-d %b %Y %H:%M}–{end:%H:%M}"


# --- Writes ------------------------------------------------------------------------------


def book(
    *,
    practitioner,
    patient: Patient,
    start: datetime,
    end: datetime,
    kind: str,
    episode: EpisodeOfCare | None = None,
    notes: str = "",
    created_by=None,
    allow_past: bool = False,
) -> Appointment:
    """Put a new appointment in the physio's diary.

    `allow_past` lets a Clinic admin backfill (views pass the user's
    `clinic.backfill_appointment` permission).
    """
    if episode is not None and (episode.patient_id != patient.pk or not episode.is_open):
        raise SchedulingError("Choose an open episode of care of this patient.")
    if patient.is_archived:
        raise SchedulingError(f"{patient.full_name} is archived: unarchive them before booking.")
    appointment = Appointment(
        practitioner=practitioner,
        patient=patient,
        start=start,
        end=end,
        kind=kind,
        episode=episode,
        notes=notes,
        created_by=created_by,
    )
    return _place(appointment, allow_past=allow_past)


def reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    end: datetime,
    practitioner=None,
    allow_past: bool = False,
) -> Appointment:
    """Move a booked appointment (to another time, or another physio).

    The appointment is locked and read again first: a cancellation or a check-in that
    landed since the form was opened is never overwritten by the move."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED:
            raise SchedulingError(_no_longer_booked(appointment, "moved"))
        appointment.start, appointment.end = start, end
        if practitioner is not None:
            appointment.practitioner = practitioner
        # A new time deserves its own reminder.
        appointment.reminder_sent_at = None
        return _place(appointment, allow_past=allow_past)


def _no_longer_booked(appointment: Appointment, action: str) -> str:
    status = appointment.get_status_display().lower()
    if appointment.status == AppointmentStatus.CANCELLED and appointment.cancelled_at:
        when = timezone.localtime(appointment.cancelled_at)
        return (
            f"This appointment was cancelled at {when:%H:%M on %-d %b} "
            f"({appointment.cancel_reason}): it cannot be {action} any more."
        )
    return f"Only a booked appointment can be {action}; this one is {status} now."


def _place(appointment: Appointment, *, allow_past: bool) -> Appointment:
    _check_dates(appointment)
    start, end = appointment.start, appointment.end
    if end <= start:
        raise SchedulingError("The appointment must end after it starts.")
    if timezone.localtime(start).date() != timezone.localtime(end - timedelta.resolution).date():
        raise SchedulingError("An appointment must start and end on the same day.")
    if start < timezone.now() and not allow_past:
        raise SchedulingError(
            "That time is in the past. Only the Clinic admin can add appointments in the past."
        )
    pattern = weekly_patterns([appointment.practitioner_id])[appointment.practitioner_id]
    problem = pattern.problem(start, end)
    if problem:
        raise SchedulingError(f"{display_name(appointment.practitioner)} {problem}.")
    return _save_if_free(appointment)


def _check_dates(appointment: Appointment) -> None:
    """The model's date range (1900 to two years ahead) first, before any arithmetic on
    the times: a day at the end of the calendar would overflow it."""
    others = [f.name for f in Appointment._meta.fields if f.name not in ("start", "end")]
    try:
        appointment.clean_fields(exclude=others)
    except ValidationError as invalid:
        raise SchedulingError(" ".join(dict.fromkeys(invalid.messages))) from invalid


def _save_if_free(appointment: Appointment) -> Appointment:
    """Save an appointment that is to be active, unless it would clash (SlotUnavailable)."""
    try:
        # On SQLite this transaction holds the write lock from its first statement, so no
        # other booking can slip in between the check and the save.
        with transaction.atomic():
            _lock_diaries(appointment)
            clash = _first_clash(appointment)
            if clash is not None:
                raise SlotUnavailable(clash)
            _check_patient_is_free(appointment)
            saving.validated(appointment, error=SchedulingError)
            appointment.save()
    except IntegrityError as error:
        # A concurrent booking won the race: PostgreSQL refused ours. It has committed, so
        # it is visible now.
        constraint = saving.violated_constraint(error)
        if constraint == NO_OVERLAP_CONSTRAINT:
            raise SlotUnavailable(_first_clash(appointment)) from error
        if constraint == PATIENT_NO_OVERLAP_CONSTRAINT:
            raise PatientUnavailable(appointment, _first_patient_clash(appointment)) from error
        raise
    return appointment


def _lock_diaries(appointment: Appointment) -> None:
    """Make bookings of the physio, and of the patient, wait for one another (always in
    that order), so each check sees what the one before committed, as on SQLite.

    The constraints alone are not enough on PostgreSQL: bookings of one patient with
    several physios at once wait on one another's uncommitted rows across the two
    constraints (the physio's and the patient's) and deadlock. FOR NO KEY UPDATE, so rows
    merely referring to the patient or the physio are not held up."""
    for model, pk in (
        (get_user_model(), appointment.practitioner_id),
        (Patient, appointment.patient_id),
    ):
        list(model.objects.select_for_update(no_key=True).filter(pk=pk).values_list("pk"))


def _first_clash(appointment: Appointment) -> Appointment | None:
    return (
        Appointment.objects.active()
        .for_practitioner(appointment.practitioner_id)
        .overlapping(appointment.start, appointment.end)
        .exclude(pk=appointment.pk)
        .select_related("patient", "practitioner")
        .first()
    )


def _check_patient_is_free(appointment: Appointment) -> None:
    clash = _first_patient_clash(appointment)
    if clash is not None:
        raise PatientUnavailable(appointment, clash)


def _first_patient_clash(appointment: Appointment) -> Appointment | None:
    return (
        Appointment.objects.active()
        .filter(patient_id=appointment.patient_id)
        .overlapping(appointment.start, appointment.end)
        .exclude(pk=appointment.pk)
        .select_related("practitioner")
        .first()
    )


@transaction.atomic
def cancel(*, appointment: Appointment, reason: str) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise SchedulingError(
            f"Only a booked appointment can be cancelled; this one is "
            f"{appointment.get_status_display().lower()}."
        )
    if not reason.strip():
        raise SchedulingError("Give a reason for cancelling.")
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason.strip()
    appointment.cancelled_at = timezone.now()
    appointment.save()
    return appointment


@transaction.atomic
def mark_no_show(*, appointment: Appointment) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise SchedulingError("Only a booked appointment can be marked as not attended.")
    if appointment.start > timezone.now():
        raise SchedulingError("A patient can be marked as not attended once the time has come.")
    appointment.status = AppointmentStatus.NO_SHOW
    appointment.save()
    return appointment


@transaction.atomic
def undo_no_show(*, appointment: Appointment) -> Appointment:
    """Put back an appointment marked as not attended by mistake (the patient came late,
    the wrong row was clicked): booked again, so the patient can be checked in. Only on
    the day, and only while the time has not been given to someone else."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.NO_SHOW:
        raise SchedulingError("Only an appointment marked as not attended can be put back.")
    if timezone.localtime(appointment.start).date() != timezone.localdate():
        raise SchedulingError(
            "A missed appointment can only be put back on its day; book a new one instead."
        )
    appointment.status = AppointmentStatus.BOOKED
    return _save_if_free(appointment)


@transaction.atomic
def check_in(*, appointment: Appointment, episode: EpisodeOfCare | None = None) -> Appointment:
    """The patient has arrived: start their visit, linked to the appointment.

    The visit goes into the appointment's episode, else the given one, else the patient's
    only open episode. With none (a new patient's initial assessment) or several, or when
    the episode was discharged since the booking, the patient is marked arrived without a
    visit: the physio opens or chooses the episode
    and starts the visit from the appointment (`start_visit`), since choosing an episode
    means reading clinical content the front desk does not see.
    """
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise SchedulingError(
            f"Only a booked appointment can be checked in; this one is "
            f"{appointment.get_status_display().lower()}."
        )
    if timezone.localtime(appointment.start).date() != timezone.localdate():
        raise SchedulingError("A patient can only be checked in on the day of the appointment.")
    appointment.status = AppointmentStatus.ARRIVED
    appointment.save()
    episode = episode or appointment.episode
    if episode is not None and not episode.is_open:
        # Discharged since the booking: whether the patient comes about a relapse or a new
        # complaint is the physio's to say, as for a new patient. Never a visit in a closed
        # episode, and never a refusal at the desk: the patient is here.
        return appointment
    if episode is None:
        open_episodes = list(EpisodeOfCare.objects.open().filter(patient=appointment.patient_id))
        episode = open_episodes[0] if len(open_episodes) == 1 else None
    if episode is not None:
        _start_visit(appointment, episode)
    return appointment


@transaction.atomic
def start_visit(
    *,
    appointment: Appointment,
    episode: EpisodeOfCare | None = None,
    complaint: str = "",
    side: str = Side.NOT_APPLICABLE,
) -> Visit:
    """Start the visit of an arrived appointment in an episode the physio chose, or in a
    new one opened for `complaint` in the same step (a new patient's first visit)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.ARRIVED or appointment.visit_id:
        raise SchedulingError("This appointment already has its visit, or was not checked in.")
    if episode is None:
        episode = clinic_services.episode_open(
            patient=appointment.patient,
            physio=appointment.practitioner,
            complaint=complaint,
            side=side,
        )
    return _start_visit(appointment, episode)


def _start_visit(appointment: Appointment, episode: EpisodeOfCare) -> Visit:
    if episode.patient_id != appointment.patient_id:
        raise SchedulingError("That episode belongs to another patient.")
    # The visit is at the booked time; a patient checked in hours early is seen from now,
    # since a visit cannot start more than an hour from now.
    now = timezone.now()
    visit = clinic_services.visit_start(
        episode=episode,
        practitioner=appointment.practitioner,
        kind=VISIT_KIND[appointment.kind],
        starts_at=appointment.start if appointment.start <= now + VISIT_LEAD else now,
    )
    appointment.episode = episode
    appointment.visit = visit
    appointment.save()
    return visit


def mark_attended_on_signing(sender, *, visit: Visit, **kwargs) -> None:
    """visit_signing receiver: the appointment of a signed visit was attended."""
    for appointment in Appointment.objects.filter(visit=visit, status=AppointmentStatus.ARRIVED):
        appointment.status = AppointmentStatus.ATTENDED
        appointment.save(update_fields=["status", "updated_at"])  # saved, so audited


@transaction.atomic
def contact_attempt_add(
    *,
    patient: Patient,
    outcome: str,
    created_by,
    note: str = "",
    episode: EpisodeOfCare | None = None,
    missed_appointment: Appointment | None = None,
) -> ContactAttempt:
    attempt = ContactAttempt(
        patient=patient,
        outcome=outcome,
        note=note,
        created_by=created_by,
        episode=episode,
        missed_appointment=missed_appointment,
    )
    saving.validated(attempt, error=SchedulingError)
    attempt.save()
    return attempt


@transaction.atomic
def calendar_feed_renew(*, practitioner) -> CalendarFeed:
    """Give the physio a feed URL with a new secret: any old URL stops working."""
    feed, _created = CalendarFeed.objects.get_or_create(practitioner=practitioner)
    feed.token = new_calendar_token()
    feed.save()
    return feed


def calendar_feed_revoke(*, practitioner) -> None:
    """Turn the physio's feed off: its URL stops working. The physio does it on their
    feed's page, the Clinic admin in the Django admin; the audit log says who."""
    CalendarFeed.objects.filter(practitioner=practitioner).delete()


def calendar_feed_open(*, practitioner_pk: int, token: str) -> CalendarFeed | None:
    """The feed an address opens, or None; checked on every request, here only. The token
    must match, and the feed's physio must still be an active user in the physio role
    (`clinic.selectors.physiotherapists()`, as the feed's settings page asks): deactivating the
    physio or taking the role away stops the feed at its next read, with nothing kept
    from before. The feed records when it was last read."""
    feed = (
        CalendarFeed.objects.select_related("practitioner")
        .filter(
            practitioner_id=practitioner_pk,
            practitioner__in=physiotherapists().values("pk"),
        )
        .first()
    )
    if feed is None or not secrets.compare_digest(feed.token.encode(), token.encode()):
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed
