"""The sane range of every date the app stores, and date arithmetic that cannot overflow.

The rules are validators on the model fields, so `full_clean()` applies them on every
path (the services, the Django admin, model forms); plain forms reuse the model field's
validators (`Model._meta.get_field(name).validators`), so the message shows at the
field and is the same everywhere. Each message names the rule:

- nothing before 1900 ("Dates before 1900 are not accepted.");
- a visit starts at most an hour from now (entered just before the patient comes in);
- bookings at most two years ahead, and time off and review dates likewise;
- birth, onset, opening, discharge and consent dates not in the future.

Python's dates end at year 9999 and begin at year 1, so `date + timedelta` can raise
OverflowError on data stored before these rules (a visit in year 9999 broke "Book
follow-up"): `add_days` and `local_date` stay inside the calendar instead.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

EARLIEST = date(1900, 1, 1)
BEFORE_1900 = "Dates before 1900 are not accepted."
VISIT_LEAD = timedelta(hours=1)
VISIT_TOO_LATE = "A visit cannot start more than an hour from now."
BOOKING_TOO_LATE = "Bookings can be made at most two years ahead."


def add_days(day: date, days: int) -> date:
    """`day` plus `days`, held at the calendar's first or last day rather than overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def local_date(moment: datetime) -> date:
    """The clinic's calendar day of `moment`, even at the very ends of the calendar."""
    try:
        return timezone.localtime(moment).date()
    except OverflowError:
        return moment.date()


def two_years_ahead(today: date | None = None) -> date:
    """The last day anything may be booked or planned for (29 February: the 28th)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 2)
    except ValueError:
        return today.replace(year=today.year + 2, day=28)


def _day(value: date | datetime) -> date:
    return local_date(value) if isinstance(value, datetime) else value


def not_before_1900(value: date | datetime | None) -> None:
    # The year alone: converting a year-1 moment to another time zone could overflow.
    if value is not None and value.year < EARLIEST.year:
        raise ValidationError(BEFORE_1900, code="before_1900")


def visit_start_within_the_hour(value: datetime | None) -> None:
    if value is not None and value > timezone.now() + VISIT_LEAD:
        raise ValidationError(VISIT_TOO_LATE, code="visit_too_late")


@deconstructible(path="assessments.dates.NotInFuture")
class NotInFuture:
    """A day that has happened (birth, onset, consent...): today at the latest."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, value: date | datetime | None) -> None:
        if value is not None and _day(value) > timezone.localdate():
            raise ValidationError(self.message, code="future")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NotInFuture) and other.message == self.message


@deconstructible(path="assessments.dates.AtMostTwoYearsAhead")
class AtMostTwoYearsAhead:
    """A day planned ahead (time off, a review): no further than bookings can go."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, value: date | datetime | None) -> None:
        if value is not None and _day(value) > two_years_ahead():
            raise ValidationError(self.message, code="too_far_ahead")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AtMostTwoYearsAhead) and other.message == self.message
