"""The diary's time arithmetic (clinic.diary.times): pure, no database."""

import datetime
from dataclasses import dataclass

from clinic.diary.times import WeeklyPattern, grid_column, grid_rows, parse_spans
from tests.clinic.diary_helpers import at, next_monday

MONDAY = next_monday()
STEP = datetime.timedelta(minutes=15)
PATTERN = WeeklyPattern(
    hours=parse_spans([(0, "09:00", "12:00")]),
    breaks={0: [(datetime.time(10), datetime.time(10, 30), "Team meeting")]},
)


@dataclass
class Booking:
    start: datetime.datetime
    end: datetime.datetime
    is_active: bool = True


def test_problems_are_explained():
    assert PATTERN.problem(at(MONDAY, "09:00"), at(MONDAY, "10:00")) is None
    assert (
        PATTERN.problem(at(MONDAY, "11:30"), at(MONDAY, "12:30")) == "works 09:00–12:00 on Mondays"
    )
    assert (
        PATTERN.problem(at(MONDAY, "09:45"), at(MONDAY, "10:15"))
        == "has a break (Team meeting, 10:00–10:30) then"
    )
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert (
        PATTERN.problem(at(tuesday, "09:00"), at(tuesday, "09:30")) == "works no hours on Tuesdays"
    )


def test_free_starts_skip_breaks_busy_times_and_the_past():
    busy = [(at(MONDAY, "11:00"), at(MONDAY, "11:30"))]
    starts = PATTERN.free_starts(
        MONDAY,
        busy=busy,
        length=datetime.timedelta(minutes=30),
        step=STEP,
        not_before=at(MONDAY, "09:10"),
    )
    assert [f"{s:%H:%M}" for s in starts] == ["09:15", "09:30", "10:30", "11:30"]


def test_rows_cover_working_hours_and_any_appointment_outside_them():
    assert grid_rows([(PATTERN, MONDAY)], STEP, (datetime.time(8), datetime.time(9)))[0] == (
        datetime.time(9)
    )
    early = Booking(at(MONDAY, "07:40"), at(MONDAY, "08:10"))
    rows = grid_rows([(PATTERN, MONDAY)], STEP, (datetime.time(8), datetime.time(9)), [early])
    assert rows[0] == datetime.time(7, 30) and rows[-1] == datetime.time(11, 45)
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert grid_rows([(PATTERN, tuesday)], STEP, (datetime.time(8), datetime.time(9))) == [
        datetime.time(8),
        datetime.time(8, 15),
        datetime.time(8, 30),
        datetime.time(8, 45),
    ]


def test_cells_say_what_each_quarter_hour_is():
    booked = Booking(at(MONDAY, "09:00"), at(MONDAY, "09:30"))
    missed = Booking(at(MONDAY, "11:00"), at(MONDAY, "11:30"), is_active=False)
    rows = [datetime.time(h, m) for h in (8, 9, 10, 11) for m in (0, 15, 30, 45)]
    column = grid_column(
        "physio", MONDAY, PATTERN, [booked, missed], rows=rows, step=STEP, now=at(MONDAY, "09:45")
    )
    states = {f"{cell.start:%H:%M}": cell.state for cell in column.cells}
    assert states["08:45"] == "closed"
    assert states["09:00"] == states["09:15"] == "busy"
    assert states["09:30"] == "past"
    assert states["09:45"] == "free"
    assert states["10:00"] == states["10:15"] == "break"
    assert states["11:00"] == "free"  # a missed appointment does not hold the time
    assert column.cells[rows.index(datetime.time(9))].appointments == [booked]
    assert column.cells[rows.index(datetime.time(11))].appointments == [missed]
