"""The diary's stable Python API (README, "Stable Python API"), kept at this import path
for the apps and outside checks that call it; the code lives in `clinic.diary`.

    book(*, practitioner, patient, start, end, kind, episode=None) -> Appointment
        raises SlotUnavailable (`.clashing` is the appointment in the way) on overlap, and
        SchedulingError (a message for the user) for any other rule.

Only what the README names is here; everything else is imported from `clinic.diary`.
"""

from .diary.selectors import follow_ups_due, next_free_slot
from .diary.services import (
    SchedulingError,
    SlotUnavailable,
    book,
    cancel,
    check_in,
    mark_no_show,
    reschedule,
    start_visit,
)
from .diary.times import appointment_length

__all__ = [
    "SchedulingError",
    "SlotUnavailable",
    "appointment_length",
    "book",
    "cancel",
    "check_in",
    "follow_ups_due",
    "mark_no_show",
    "next_free_slot",
    "reschedule",
    "start_visit",
]
