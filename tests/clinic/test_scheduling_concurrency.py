"""Ten front desks book at the same moment: exactly one wins, the others read why.

Real threads with their own database connections and committed transactions (hence
`transaction=True`), on SQLite (a file: see settings) and on PostgreSQL alike.
"""

import datetime

import pytest
from django.utils import timezone

from clinic import scheduling
from clinic.models import Appointment, Visit
from clinic.scheduling import SchedulingError, SlotUnavailable, book
from tests.clinic.diary_helpers import at, next_monday
from tests.concurrency import at_once
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory, UserFactory

BOOKINGS = 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_bookings_of_one_slot_make_one_appointment(migrated_data_restored):
    physio = UserFactory(username="racing-physio", first_name="Priya", last_name="Shah")
    patients = [PatientFactory() for _ in range(BOOKINGS)]
    monday = next_monday()
    start, end = at(monday, "10:00"), at(monday, "10:30")

    def attempt(patient):
        try:
            book(practitioner=physio, patient=patient, start=start, end=end, kind="follow_up")
            return "booked"
        except SlotUnavailable as error:
            assert error.clashing is not None
            return "unavailable"

    outcomes = at_once([lambda patient=patient: attempt(patient) for patient in patients])

    assert sorted(map(str, outcomes)) == ["booked"] + ["unavailable"] * (BOOKINGS - 1), outcomes
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_bookings_of_one_patient_with_three_physios_make_one(
    migrated_data_restored,
):
    """The patient is in one place at a time: the front desks book them with three physios
    at once, and one booking stands; every other desk is told what is in the way."""
    patient = PatientFactory(given_name="Jane", family_name="Doe")
    physios = [
        UserFactory(username=f"diary-physio-{n}", first_name=name, last_name="Shah")
        for n, name in enumerate(["Priya", "Tom", "Ada"])
    ]
    monday = next_monday()
    start, end = at(monday, "10:00"), at(monday, "10:30")

    def attempt(physio):
        book(practitioner=physio, patient=patient, start=start, end=end, kind="follow_up")
        return "booked"

    outcomes = at_once([lambda physio=physios[n % 3]: attempt(physio) for n in range(BOOKINGS)])

    assert outcomes.count("booked") == 1, outcomes
    (booked,) = Appointment.objects.select_related("practitioner")
    refusals = [outcome for outcome in outcomes if outcome != "booked"]
    assert all(isinstance(refusal, SchedulingError) for refusal in refusals), refusals
    for refusal in refusals:
        # The physio's own diary clash, or the patient's: either names the appointment.
        assert "10:00–10:30" in str(refusal), refusal
        assert booked.practitioner.first_name in str(refusal) or "Jane Doe" in str(refusal)
    assert any(f"with {booked.practitioner.first_name} Shah" in str(r) for r in refusals)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moving_two_of_a_patients_appointments_to_one_time_at_once_moves_one(
    migrated_data_restored,
):
    patient = PatientFactory(given_name="Jane", family_name="Doe")
    monday = next_monday()
    appointments = [
        AppointmentFactory(
            patient=patient,
            practitioner=UserFactory(username=f"moving-physio-{n}"),
            start=at(monday, hhmm),
            end=at(monday, hhmm) + datetime.timedelta(minutes=30),
        )
        for n, hhmm in enumerate(["09:00", "11:00"])
    ]
    start, end = at(monday, "15:00"), at(monday, "15:30")

    def move(appointment):
        scheduling.reschedule(appointment=appointment, start=start, end=end)
        return "moved"

    outcomes = at_once([lambda a=appointment: move(a) for appointment in appointments])

    assert outcomes.count("moved") == 1, outcomes
    (refusal,) = [outcome for outcome in outcomes if outcome != "moved"]
    assert isinstance(refusal, SchedulingError)
    assert "Jane Doe already has an appointment then" in str(refusal)
    assert Appointment.objects.filter(start=start).count() == 1


# --- A move at the same moment as a cancellation or a check-in (an outside review) --------


def _physio_and_patient():
    physio = UserFactory(username="moving-physio", first_name="Amara", last_name="Osei")
    return physio, PatientFactory(given_name="David", family_name="Booth")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cancellation_at_the_moment_of_a_move_is_never_lost(migrated_data_restored):
    """The move read the appointment before the cancellation committed; it used to save
    that stale copy over it (booked again, no reason): the diary said cancelled, the
    database booked, and reminders would still go out."""
    physio, patient = _physio_and_patient()
    monday = next_monday()
    for attempt in range(5):
        appointment = AppointmentFactory(
            practitioner=physio,
            patient=patient,
            start=at(monday, "09:00") + datetime.timedelta(days=7 * attempt),
            end=at(monday, "09:30") + datetime.timedelta(days=7 * attempt),
        )
        stale = Appointment.objects.get(pk=appointment.pk)  # both forms opened now
        new_start = appointment.start + datetime.timedelta(minutes=30)

        outcomes = at_once(
            [
                lambda stale=stale: scheduling.cancel(appointment=stale, reason="Patient unwell"),
                lambda stale=stale, start=new_start: scheduling.reschedule(
                    appointment=stale, start=start, end=start + datetime.timedelta(minutes=30)
                ),
            ]
        )

        appointment.refresh_from_db()
        assert appointment.status == "cancelled", outcomes
        assert appointment.cancel_reason == "Patient unwell"
        refusals = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
        assert all(isinstance(refusal, SchedulingError) for refusal in refusals), refusals
        for refusal in refusals:  # the move, told why
            assert "was cancelled at" in str(refusal) and "Patient unwell" in str(refusal)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_check_in_at_the_moment_of_a_move_leaves_no_visit_behind(migrated_data_restored):
    physio, patient = _physio_and_patient()
    episode = EpisodeFactory(patient=patient, physio=physio)
    now = timezone.localtime().replace(second=0, microsecond=0)
    appointment = AppointmentFactory(
        practitioner=physio,
        patient=patient,
        episode=episode,
        start=now,
        end=now + datetime.timedelta(minutes=30),
    )
    stale = Appointment.objects.get(pk=appointment.pk)
    later = at(next_monday(), "10:00")

    outcomes = at_once(
        [
            lambda: scheduling.check_in(appointment=stale),
            lambda: scheduling.reschedule(
                appointment=stale, start=later, end=later + datetime.timedelta(minutes=30)
            ),
        ]
    )

    refusals = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(refusals) == 1 and isinstance(refusals[0], SchedulingError), outcomes
    appointment.refresh_from_db()
    if appointment.status == "arrived":  # the check-in first: the move was refused
        assert appointment.start == now and appointment.visit is not None
        assert Visit.objects.get() == appointment.visit
    else:  # the move first: the check-in was refused (not the day), no visit made
        assert appointment.status == "booked" and appointment.start == later
        assert appointment.visit is None and not Visit.objects.exists()
