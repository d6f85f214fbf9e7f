"""The diary: booking, rescheduling, check-in, the follow-ups worklist, calendar feeds.

Stable API (see README, "Stable Python API"):

    book(*, practitioner, patient, start, end, kind, episode=None) -> Appointment
        raises SlotUnavailable (`.clashing` is the appointment in the way) on overlap, and
        SchedulingError (a message for the user) for any other rule.

Every path that makes an appointment active (the booking form, one click from the grid
or the worklist, rescheduling, undoing "did not attend") goes through `_save_if_free()`,
which owns the no-overlap rules, the physio's and the patient's: checked first for a
readable message, then guaranteed by the database (the exclusion constraints on
PostgreSQL, whose refusal becomes the same message; on SQLite the check runs in a write
transaction that `transaction_mode=IMMEDIATE` serialises).
"""

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from . import selectors, services
from .dates import VISIT_LEAD, add_days, two_years_ahead
from .diary import WeeklyPattern, parse_spans
from .models import (
    ACTIVE_APPOINTMENT_STATUSES,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CalendarFeed,
    ContactAttempt,
    EpisodeOfCare,
    Patient,
    Side,
    TimeOff,
    Visit,
    VisitKind,
    WorkingBreak,
    WorkingHours,
    new_calendar_token,
)

# The exclusion constraints of migrations 0005 and 0017 (PostgreSQL only).
NO_OVERLAP_CONSTRAINT = "appointment_no_overlap"
PATIENT_NO_OVERLAP_CONSTRAINT = "appointment_patient_no_overlap"

VISIT_KIND = {
    AppointmentKind.INITIAL: VisitKind.INITIAL,
    AppointmentKind.FOLLOW_UP: VisitKind.FOLLOW_UP,
    AppointmentKind.DISCHARGE_REVIEW: VisitKind.DISCHARGE,
}


class SchedulingError(services.ClinicError):
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


def appointment_length(kind: str) -> timedelta:
    return timedelta(minutes=settings.APPOINTMENT_MINUTES[kind])


def slot_step() -> timedelta:
    return timedelta(minutes=settings.DIARY_SLOT_MINUTES)


# --- Working patterns ----------------------------------------------------------------


def weekly_patterns(practitioner_ids: Iterable[int]) -> dict[int, WeeklyPattern]:
    """Each physio's working hours, breaks and time off, in three queries; physios with no
    hours of their own get the clinic's default hours and breaks (settings)."""
    ids = list(practitioner_ids)
    away: dict[int, list] = defaultdict(list)
    for row in TimeOff.objects.filter(practitioner_id__in=ids).order_by("first_day"):
        away[row.practitioner_id].append((row.first_day, row.last_day, row.reason))
    hours: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    breaks: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for row in WorkingHours.objects.filter(practitioner_id__in=ids).order_by("start"):
        hours[row.practitioner_id][row.weekday].append((row.start, row.end))
    for row in WorkingBreak.objects.filter(practitioner_id__in=ids).order_by("start"):
        breaks[row.practitioner_id][row.weekday].append((row.start, row.end, row.label))
    default = WeeklyPattern(
        hours=parse_spans(settings.DIARY_DEFAULT_WORKING_HOURS),
        breaks={
            weekday: [(start, end, "Lunch") for start, end in spans]
            for weekday, spans in parse_spans(settings.DIARY_DEFAULT_BREAKS).items()
        },
    )
    return {
        pk: replace(
            WeeklyPattern(hours=dict(hours[pk]), breaks=dict(breaks[pk]))
            if pk in hours
            else default,
            away=tuple(away[pk]),
        )
        for pk in ids
    }


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
            services.validated(appointment, error=SchedulingError)
            appointment.save()
    except IntegrityError as error:
        # A concurrent booking won the race: PostgreSQL refused ours. It has committed, so
        # it is visible now.
        constraint = services.violated_constraint(error)
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
        episode = services.episode_open(
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
    visit = services.visit_start(
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
    services.validated(attempt, error=SchedulingError)
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
    (`selectors.physiotherapists()`, as the feed's settings page asks): deactivating the
    physio or taking the role away stops the feed at its next read, with nothing kept
    from before. The feed records when it was last read."""
    feed = (
        CalendarFeed.objects.select_related("practitioner")
        .filter(
            practitioner_id=practitioner_pk,
            practitioner__in=selectors.physiotherapists().values("pk"),
        )
        .first()
    )
    if feed is None or not secrets.compare_digest(feed.token.encode(), token.encode()):
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed


# --- Reads -------------------------------------------------------------------------------


def free_starts(
    *, practitioner_id: int, day: date, length: timedelta, pattern: WeeklyPattern | None = None
) -> list[datetime]:
    pattern = pattern or weekly_patterns([practitioner_id])[practitioner_id]
    busy = list(
        Appointment.objects.active()
        .for_practitioner(practitioner_id)
        .filter(start__date__lte=day, end__date__gte=day)
        .values_list("start", "end")
    )
    return pattern.free_starts(
        day, busy=busy, length=length, step=slot_step(), not_before=timezone.now()
    )


def next_free_slot(
    *, practitioner_id: int, near: date, length: timedelta, days: int = 28
) -> datetime | None:
    """The first free slot of the physio on or after `near` (or today, if that is past),
    within `days` days and the booking horizon (two years)."""
    found = first_free_slot(practitioner_ids=[practitioner_id], near=near, length=length, days=days)
    return found[1] if found else None


def first_free_slot(
    *, practitioner_ids: Sequence[int], near: date, length: timedelta, days: int = 28
) -> tuple[int, datetime] | None:
    """The earliest free slot of any of these physios on or after `near` (or today, if that
    is past), within `days` days and the booking horizon (two years), and whose it is (the
    first in the given order when two are free at that time): four queries whatever the
    range and the number of physios, and none when `near` is beyond the horizon."""
    first = max(near, timezone.localdate())
    last = min(add_days(first, days), two_years_ahead())
    if first > last or not practitioner_ids:
        return None
    patterns = weekly_patterns(practitioner_ids)
    busy: dict[tuple[int, date], list] = defaultdict(list)
    for practitioner_id, start, end in (
        Appointment.objects.active()
        .filter(practitioner_id__in=practitioner_ids)
        .filter(start__lt=_midnight(last + timedelta(days=1)), end__gt=_midnight(first))
        .values_list("practitioner_id", "start", "end")
    ):
        busy[practitioner_id, timezone.localtime(start).date()].append((start, end))
    now = timezone.now()
    day = first
    while day <= last:
        free = [
            (starts[0], order, practitioner_id)
            for order, practitioner_id in enumerate(practitioner_ids)
            if (
                starts := patterns[practitioner_id].free_starts(
                    day,
                    busy=busy[practitioner_id, day],
                    length=length,
                    step=slot_step(),
                    not_before=now,
                )
            )
        ]
        if free:
            start, _order, practitioner_id = min(free)
            return practitioner_id, start
        day += timedelta(days=1)
    return None


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def appointments_between(start: datetime, end: datetime) -> QuerySet:
    return (
        Appointment.objects.overlapping(start, end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "practitioner")
    )


@dataclass(frozen=True)
class Worklist:
    due: list[EpisodeOfCare]
    missed: list[Appointment]
    horizon: date


def follow_ups_due(*, within_days: int, now: datetime | None = None) -> Worklist:
    """The front desk's worklist, in two queries.

    `due`: open episodes with a follow-up interval whose next visit (last visit + interval)
    falls before the end of the window (today + `within_days`) or is overdue, and whose
    patient has no future appointment. Annotated with `last_visit_at`, `due_at` and the
    latest contact attempt since the last visit (`contact_outcome`, `contact_at`,
    `contact_count`).

    `missed`: appointments not attended (no-show) in the last FOLLOW_UP_NO_SHOW_DAYS days
    whose patient has booked nothing since (the latest such one per patient), unless
    their episode has been discharged; annotated the same way for contacts.
    """
    now = now or timezone.now()
    horizon = timezone.localdate(now) + timedelta(days=within_days)
    end_of_window = _midnight(horizon + timedelta(days=1))
    future_booking = Appointment.objects.filter(
        patient=OuterRef("patient"),
        status__in=(AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED),
        start__gte=now,
    )
    last_visit = (
        Visit.objects.filter(episode=OuterRef("pk"))
        .order_by()
        .values("episode")
        .annotate(last=Max("starts_at"))
        .values("last")
    )
    episode_contacts = ContactAttempt.objects.filter(
        episode=OuterRef("pk"), created_at__gte=OuterRef("last_visit_at")
    ).order_by("-created_at", "-id")
    due = (
        EpisodeOfCare.objects.open()
        .filter(follow_up_interval_days__isnull=False, patient__archived_at__isnull=True)
        .annotate(last_visit_at=Subquery(last_visit, output_field=DateTimeField()))
        .filter(last_visit_at__isnull=False)
        .annotate(
            due_at=AddDays("last_visit_at", "follow_up_interval_days"),
            contact_outcome=Subquery(episode_contacts.values("outcome")[:1]),
            contact_at=Subquery(episode_contacts.values("created_at")[:1]),
            contact_count=Subquery(_count(episode_contacts, "episode")),
        )
        .filter(due_at__lt=end_of_window)
        .exclude(Exists(future_booking))
        .select_related("patient", "physio")
        .order_by("due_at", "pk")
    )
    later_booking = Appointment.objects.filter(
        patient=OuterRef("patient"),
        status__in=ACTIVE_APPOINTMENT_STATUSES,
        start__gt=OuterRef("start"),
    )
    later_no_show = Appointment.objects.filter(
        patient=OuterRef("patient"), status=AppointmentStatus.NO_SHOW, start__gt=OuterRef("start")
    )
    missed_contacts = ContactAttempt.objects.filter(missed_appointment=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    missed = (
        Appointment.objects.filter(
            status=AppointmentStatus.NO_SHOW,
            start__gte=now - timedelta(days=settings.FOLLOW_UP_NO_SHOW_DAYS),
        )
        .filter(Q(episode__isnull=True) | Q(episode__status="open"))
        .filter(patient__archived_at__isnull=True)
        .exclude(Exists(later_booking))
        .exclude(Exists(later_no_show))
        .annotate(
            contact_outcome=Subquery(missed_contacts.values("outcome")[:1]),
            contact_at=Subquery(missed_contacts.values("created_at")[:1]),
            contact_count=Subquery(_count(missed_contacts, "missed_appointment")),
        )
        .select_related("patient", "practitioner")
        .order_by("start", "pk")
    )
    return Worklist(due=list(due), missed=list(missed), horizon=horizon)


class AddDays(Func):
    """A datetime plus a column's whole number of days, computed in the database."""

    arity = 2
    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"AddDays has no SQL for {connection.vendor}.")

    def _parts(self, compiler):
        moment, moment_params = compiler.compile(self.source_expressions[0])
        days, days_params = compiler.compile(self.source_expressions[1])
        return moment, days, (*moment_params, *days_params)

    def as_postgresql(self, compiler, connection, **extra):
        moment, days, params = self._parts(compiler)
        return f"({moment} + make_interval(days => {days}))", params

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps SQLite datetimes as UTC text; strftime keeps that shape (%f adds
        # the milliseconds). `%%` is a literal `%` once Django fills in the parameters.
        moment, days, params = self._parts(compiler)
        shape = "'%%Y-%%m-%%d %%H:%%M:%%f'"
        return f"strftime({shape}, {moment}, '+' || {days} || ' days')", params


def _count(attempts: QuerySet, per: str) -> QuerySet:
    return attempts.order_by().values(per).annotate(n=Count("pk")).values("n")
