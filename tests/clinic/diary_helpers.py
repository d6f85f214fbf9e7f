"""Shared by the diary tests: dates safely in the future, on the clinic's default hours
(Monday to Friday 09:00–17:00, lunch 13:00–14:00)."""

import datetime

from django.utils import timezone


def next_monday() -> datetime.date:
    """A Monday at least a week ahead, so every time on it is in the future."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 + (7 - today.weekday()) % 7)


def at(day: datetime.date, hhmm: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm)))
