"""Ten front desks book the same slot at the same moment: exactly one wins.

Real threads with their own database connections and committed transactions (hence
`transaction=True`), on SQLite (a file: see settings) and on PostgreSQL alike.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from clinic.models import Appointment
from clinic.scheduling import SlotUnavailable, book
from tests.clinic.diary_helpers import at, next_monday
from tests.factories import PatientFactory, UserFactory

BOOKINGS = 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_bookings_of_one_slot_make_one_appointment(migrated_data_restored):
    physio = UserFactory(username="racing-physio", first_name="Priya", last_name="Shah")
    patients = [PatientFactory() for _ in range(BOOKINGS)]
    monday = next_monday()
    start, end = at(monday, "10:00"), at(monday, "10:30")
    barrier = threading.Barrier(BOOKINGS)

    def attempt(patient):
        try:
            barrier.wait(timeout=10)
            book(practitioner=physio, patient=patient, start=start, end=end, kind="follow_up")
            return "booked"
        except SlotUnavailable as error:
            assert error.clashing is not None
            return "unavailable"
        except Exception as error:  # any other outcome fails the assertion below
            return repr(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=BOOKINGS) as pool:
        outcomes = list(pool.map(attempt, patients))

    assert sorted(outcomes) == ["booked"] + ["unavailable"] * (BOOKINGS - 1), outcomes
    assert Appointment.objects.count() == 1
