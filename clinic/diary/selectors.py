"""The diary's reads: working patterns, free slots, the appointments of a grid, and the
follow-ups due (the rule is `with_follow_up_due`, once for every page)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from assessments.dates import add_days, local_date, two_years_ahead
from assessments.host import patient_markers

from ..models import (
    ACTIVE_APPOINTMENT_STATUSES,
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    ContactAttempt,
    EpisodeOfCare,
    TimeOff,
    Visit,
    WorkingBreak,
    WorkingHours,
)
from ..selectors import physiotherapists
from .times import Grid, WeeklyPattern, grid, midnight, parse_spans, slot_step


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
        .filter(start__lt=midnight(last + timedelta(days=1)), end__gt=midnight(first))
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


def with_patient_markers(appointments: list[Appointment], user) -> list[Appointment]:
    """Each appointment with its patient's markers (`.markers`), as the user may read them."""
    markers = patient_markers.for_patients({a.patient_id for a in appointments}, user=user)
    for appointment in appointments:
        appointment.markers = markers.get(appointment.patient_id, [])
    return appointments


def day_grid(day: date, *, user) -> Grid:
    """Every physio's column for one day, with each booking's patient markers as `user`
    may read them."""
    physios = list(physiotherapists())
    patterns = weekly_patterns(p.pk for p in physios)
    by_physio = defaultdict(list)
    appointments = appointments_between(midnight(day), midnight(day + timedelta(days=1)))
    for appointment in with_patient_markers(list(appointments), user):
        by_physio[appointment.practitioner_id].append(appointment)
    return grid(
        [(p, day, patterns[p.pk], by_physio[p.pk], p.pk) for p in physios],
        step=slot_step(),
        now=timezone.now(),
    )


def week_grid(physio, monday: date, *, user) -> Grid:
    """One physio's week from `monday`, a column a day (Saturday and Sunday only when the
    physio works or is booked then)."""
    pattern = weekly_patterns([physio.pk])[physio.pk]
    by_day = defaultdict(list)
    appointments = appointments_between(
        midnight(monday), midnight(monday + timedelta(days=7))
    ).filter(practitioner=physio)
    for appointment in with_patient_markers(list(appointments), user):
        by_day[timezone.localtime(appointment.start).date()].append(appointment)
    days = [monday + timedelta(days=offset) for offset in range(7)]
    days = [d for d in days if d.weekday() < 5 or pattern.hours.get(d.weekday()) or by_day[d]]
    return grid(
        [(d, d, pattern, by_day[d], physio.pk) for d in days],
        step=slot_step(),
        now=timezone.now(),
    )


def feed_appointments(feed: CalendarFeed) -> QuerySet:
    """What a physio's calendar feed holds: their active appointments from a month back
    to six months ahead."""
    now = timezone.now()
    return (
        Appointment.objects.active()
        .for_practitioner(feed.practitioner_id)
        .filter(start__gte=now - timedelta(days=30), start__lt=now + timedelta(days=180))
        .select_related("patient")
    )


def appointments_between(start: datetime, end: datetime) -> QuerySet:
    return (
        Appointment.objects.overlapping(start, end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "practitioner")
    )


# --- Follow-ups due ----------------------------------------------------------------------

# Visits stored at the very end of the calendar (before the date rules) have no next
# visit: their due time would lie beyond what Python's datetimes can hold. The longest
# follow-up interval is a year (`clinic.services.episode_set_follow_up`).
_LAST_DUE_FROM = datetime(9999, 1, 1, tzinfo=UTC)


def with_follow_up_due(episodes: QuerySet) -> QuerySet:
    """The follow-up rule, the one every page reads: an episode's next visit is due its
    follow-up interval (`follow_up_interval_days`, from the treatment plan) after its last
    visit. Annotates `last_visit_at` and `due_at` (None without an interval or a visit)."""
    last_visit = (
        Visit.objects.filter(episode=OuterRef("pk"))
        .order_by()
        .values("episode")
        .annotate(last=Max("starts_at"))
        .values("last")
    )
    return episodes.annotate(
        last_visit_at=Subquery(last_visit, output_field=DateTimeField())
    ).annotate(
        due_at=Case(
            When(
                last_visit_at__lt=_LAST_DUE_FROM,
                follow_up_interval_days__isnull=False,
                then=AddDays("last_visit_at", "follow_up_interval_days"),
            ),
            default=None,
            output_field=DateTimeField(),
        )
    )


def follow_up_due_on(episode: EpisodeOfCare) -> date | None:
    """The day the episode's next visit is due, or None (no interval, no visit yet)."""
    due_at = (
        with_follow_up_due(EpisodeOfCare.objects.filter(pk=episode.pk))
        .values_list("due_at", flat=True)
        .first()
    )
    return local_date(due_at) if due_at else None


@dataclass(frozen=True)
class Worklist:
    due: list[EpisodeOfCare]
    missed: list[Appointment]
    horizon: date


def follow_ups_due(*, within_days: int, now: datetime | None = None) -> Worklist:
    """The front desk's worklist, in two queries.

    `due`: open episodes whose next visit (`with_follow_up_due`) falls before the end of
    the window (today + `within_days`) or is overdue, and whose patient has no future
    appointment. Annotated with `last_visit_at`, `due_at` and the latest contact attempt
    since the last visit (`contact_outcome`, `contact_at`, `contact_count`); each with
    `due_on` (its day) and `days_overdue` (0 when due today, negative when ahead).

    `missed`: appointments not attended (no-show) in the last FOLLOW_UP_NO_SHOW_DAYS days
    whose patient has booked nothing since (the latest such one per patient), unless
    their episode has been discharged; annotated the same way for contacts.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + timedelta(days=within_days)
    end_of_window = midnight(horizon + timedelta(days=1))
    future_booking = Appointment.objects.filter(
        patient=OuterRef("patient"),
        status__in=(AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED),
        start__gte=now,
    )
    episode_contacts = ContactAttempt.objects.filter(
        episode=OuterRef("pk"), created_at__gte=OuterRef("last_visit_at")
    ).order_by("-created_at", "-id")
    due = (
        with_follow_up_due(EpisodeOfCare.objects.open().filter(patient__archived_at__isnull=True))
        .filter(due_at__isnull=False, due_at__lt=end_of_window)
        .annotate(
            contact_outcome=Subquery(episode_contacts.values("outcome")[:1]),
            contact_at=Subquery(episode_contacts.values("created_at")[:1]),
            contact_count=Subquery(_count(episode_contacts, "episode")),
        )
        .exclude(Exists(future_booking))
        .select_related("patient", "physio")
        .order_by("due_at", "pk")
    )
    due = list(due)
    for episode in due:
        episode.due_on = local_date(episode.due_at)
        episode.days_overdue = (today - episode.due_on).days
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
    return Worklist(due=due, missed=list(missed), horizon=horizon)


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
