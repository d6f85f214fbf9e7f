"""The diary's time arithmetic: working patterns, free slots and the day/week grid.

Pure code (no ORM, no request; lengths from settings): times are aware datetimes in the current time zone, a
physio's week is a `WeeklyPattern`, appointments are anything with `start`, `end` and
`is_active`. Intervals are half-open, [start, end): back-to-back never overlaps.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

Span = tuple[time, time]


class Timed(Protocol):
    start: datetime
    end: datetime

    @property
    def is_active(self) -> bool: ...


def at(day: date, moment: time) -> datetime:
    """The aware datetime of a wall-clock time on a day, in the current time zone."""
    return timezone.make_aware(datetime.combine(day, moment))


def midnight(day: date) -> datetime:
    """The start of a day, in the current time zone."""
    return at(day, time.min)


def appointment_length(kind: str) -> timedelta:
    return timedelta(minutes=settings.APPOINTMENT_MINUTES[kind])


def slot_step() -> timedelta:
    """The grid's row, and the step between the free starts offered."""
    return timedelta(minutes=settings.DIARY_SLOT_MINUTES)


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    return start < other_end and other_start < end


def parse_spans(rows: Iterable[tuple[int, str, str]]) -> dict[int, list[Span]]:
    """Settings' ("weekday", "09:00", "17:00") rows as {weekday: [(time, time), ...]}."""
    spans: dict[int, list[Span]] = {}
    for weekday, start, end in rows:
        spans.setdefault(weekday, []).append((time.fromisoformat(start), time.fromisoformat(end)))
    return {weekday: sorted(day_spans) for weekday, day_spans in spans.items()}


@dataclass(frozen=True)
class WeeklyPattern:
    """When one physio works, and their breaks, for each weekday (0 = Monday)."""

    hours: dict[int, list[Span]] = field(default_factory=dict)
    breaks: dict[int, list[tuple[time, time, str]]] = field(default_factory=dict)
    # Whole days away: (first day, last day, reason).
    away: Sequence[tuple[date, date, str]] = ()

    def away_on(self, day: date) -> str | None:
        """Why the physio is away on `day` ("Annual leave", or "Away"), or None."""
        for first, last, reason in self.away:
            if first <= day <= last:
                return reason or "Away"
        return None

    def working(self, day: date) -> list[tuple[datetime, datetime]]:
        if self.away_on(day):
            return []
        return [(at(day, start), at(day, end)) for start, end in self.hours.get(day.weekday(), [])]

    def breaks_on(self, day: date) -> list[tuple[datetime, datetime, str]]:
        if self.away_on(day):
            return []
        return [
            (at(day, start), at(day, end), label)
            for start, end, label in self.breaks.get(day.weekday(), [])
        ]

    def problem(self, start: datetime, end: datetime) -> str | None:
        """Why [start, end) (within one day) cannot be booked in this pattern, completing
        "<physio> ...", or None when it can."""
        day = timezone.localtime(start).date()
        away = self.away_on(day)
        if away:
            return f"is away on {day:%A} {day.day} {day:%B} ({away})"
        working = self.working(day)
        if not any(begin <= start and end <= finish for begin, finish in working):
            if not working:
                return f"works no hours on {day:%A}s"
            spans = ", ".join(f"{b:%H:%M}–{f:%H:%M}" for b, f in map(_local, working))
            return f"works {spans} on {day:%A}s"
        for begin, finish, label in self.breaks_on(day):
            if overlaps(start, end, begin, finish):
                name = label or "break"
                return f"has a break ({name}, {_hm(begin)}–{_hm(finish)}) then"
        return None

    def free_starts(
        self,
        day: date,
        *,
        busy: Sequence[tuple[datetime, datetime]],
        length: timedelta,
        step: timedelta,
        not_before: datetime,
    ) -> list[datetime]:
        """Every start on the grid of `step` where `length` fits in the working hours,
        outside breaks and busy times, and not before `not_before`."""
        blocked = [(b, f) for b, f, _label in self.breaks_on(day)] + list(busy)
        starts = []
        for begin, finish in self.working(day):
            moment = begin
            while moment + length <= finish:
                if moment >= not_before and not any(
                    overlaps(moment, moment + length, b, f) for b, f in blocked
                ):
                    starts.append(moment)
                moment += step
        return starts


def _local(span: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
    return timezone.localtime(span[0]), timezone.localtime(span[1])


def _hm(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


# --- The grid of the day and week views ------------------------------------------------


@dataclass
class Cell:
    """One physio × one row of the grid."""

    start: datetime
    state: str  # "free", "busy", "break", "closed" or "past"
    appointments: list[Any] = field(default_factory=list)  # those starting in this row


@dataclass
class Column:
    key: Any  # what the column is: a physio (day view) or a date (week view)
    day: date
    cells: list[Cell]
    away: str | None = None  # the reason, when the physio is away that day


def default_span() -> Span:
    """The rows a grid shows when no column has hours or bookings: the clinic's day."""
    spans = [(start, end) for _weekday, start, end in settings.DIARY_DEFAULT_WORKING_HOURS]
    start = min((s for s, _e in spans), default="09:00")
    end = max((e for _s, e in spans), default="17:00")
    return time.fromisoformat(start), time.fromisoformat(end)


@dataclass
class Grid:
    columns: list[Column]
    # [(row time, [(cell, physio id), ...]), ...]: the grid as the template walks it.
    table: list[tuple[time, list[tuple[Cell, Any]]]]


def grid(
    keyed: Sequence[tuple[Any, date, WeeklyPattern, Sequence[Timed], Any]],
    *,
    step: timedelta,
    now: datetime,
) -> Grid:
    """The grid of columns given as (key, day, pattern, appointments, physio id)."""
    rows = grid_rows(
        ((pattern, day) for _key, day, pattern, _appointments, _physio in keyed),
        step,
        default_span(),
        [a for _key, _day, _pattern, appointments, _physio in keyed for a in appointments],
    )
    columns = [
        grid_column(key, day, pattern, appointments, rows=rows, step=step, now=now)
        for key, day, pattern, appointments, _physio in keyed
    ]
    physio_ids = [physio for *_rest, physio in keyed]
    table = [
        (row, [(column.cells[index], physio_ids[n]) for n, column in enumerate(columns)])
        for index, row in enumerate(rows)
    ]
    return Grid(columns=columns, table=table)


def grid_rows(
    patterns: Iterable[tuple[WeeklyPattern, date]],
    step: timedelta,
    default: Span,
    appointments: Iterable[Timed] = (),
) -> list[time]:
    """Row times, on the grid of `step`, covering every column's working hours and every
    appointment shown (a backfilled one may lie outside them); `default` when both are
    empty."""
    spans = [span for pattern, day in patterns for span in pattern.hours.get(day.weekday(), [])]
    for appointment in appointments:
        start, end = timezone.localtime(appointment.start), timezone.localtime(appointment.end)
        spans.append((start.time(), end.time() if end.date() == start.date() else time.max))
    spans = spans or [default]
    earliest, latest = min(start for start, _ in spans), max(end for _, end in spans)
    every = max(1, int(step.total_seconds() // 60))
    minutes = (earliest.hour * 60 + earliest.minute) // every * every
    rows = []
    while minutes < 24 * 60 and time(minutes // 60, minutes % 60) < latest:
        rows.append(time(minutes // 60, minutes % 60))
        minutes += every
    return rows


def grid_column(
    key: Any,
    day: date,
    pattern: WeeklyPattern,
    appointments: Sequence[Timed],
    *,
    rows: Sequence[time],
    step: timedelta,
    now: datetime,
) -> Column:
    working, breaks = pattern.working(day), pattern.breaks_on(day)
    cells = []
    for row in rows:
        start = at(day, row)
        end = start + step
        cell = Cell(
            start=start,
            state="closed",
            appointments=[a for a in appointments if start <= a.start < end],
        )
        if any(a.is_active and overlaps(start, end, a.start, a.end) for a in appointments):
            cell.state = "busy"
        elif any(overlaps(start, end, b, f) for b, f, _label in breaks):
            cell.state = "break"
        elif any(b <= start and end <= f for b, f in working):
            cell.state = "free" if start >= now else "past"
        cells.append(cell)
    return Column(key=key, day=day, cells=cells, away=pattern.away_on(day))
