"""The diary's rules: overlap at the edges, working hours, the past, check-in, no-show."""

import datetime
import html
from importlib import import_module
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clinic import scheduling, services
from clinic.diary import services as diary_services
from clinic.models import Appointment, WorkingBreak, WorkingHours
from clinic.scheduling import SchedulingError, SlotUnavailable, book
from tests.clinic.diary_helpers import at, next_monday
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db

patient_no_overlap = import_module("clinic.migrations.0017_appointment_patient_no_overlap")

MONDAY = next_monday()


def _book(physio, patient, start: str, end: str, day=MONDAY, **extra) -> Appointment:
    return book(
        practitioner=physio,
        patient=patient,
        start=at(day, start),
        end=at(day, end),
        kind="follow_up",
        **extra,
    )


@pytest.fixture
def first(physio, patient):
    return _book(physio, patient, "10:00", "10:30")


def test_booking_stores_the_appointment(first, physio, patient):
    stored = Appointment.objects.get()
    assert stored == first
    assert (stored.practitioner, stored.patient, stored.status) == (physio, patient, "booked")
    assert stored.minutes == 30


@pytest.mark.parametrize(("start", "end"), [("09:30", "10:00"), ("10:30", "11:00")])
def test_back_to_back_is_allowed(first, physio, start, end):
    _book(physio, PatientFactory(), start, end)
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("10:00", "10:30"),  # the same slot
        ("10:15", "10:45"),  # starts inside
        ("09:45", "10:15"),  # ends inside
        ("10:10", "10:20"),  # within
        ("09:30", "11:00"),  # around
        ("10:29", "11:00"),  # one minute of overlap
    ],
)
def test_overlap_is_refused_naming_the_clashing_appointment(first, physio, start, end):
    with pytest.raises(SlotUnavailable) as raised:
        _book(physio, PatientFactory(), start, end)
    assert raised.value.clashing == first
    message = str(raised.value)
    assert "Priya Shah already has an appointment at that time" in message
    assert "Jane Doe" in message and "10:00–10:30" in message
    assert Appointment.objects.count() == 1


def test_another_physio_may_be_booked_at_the_same_time(first, other_physio):
    _book(other_physio, PatientFactory(), "10:00", "10:30")
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_cancelled_and_missed_appointments_free_the_time(first, physio, status):
    Appointment.objects.filter(pk=first.pk).update(status=status, cancel_reason="Unwell")
    _book(physio, PatientFactory(), "10:00", "10:30")


@pytest.mark.parametrize("status", ["arrived", "attended"])
def test_arrived_and_attended_appointments_hold_the_time(first, physio, status):
    Appointment.objects.filter(pk=first.pk).update(status=status)
    with pytest.raises(SlotUnavailable):
        _book(physio, PatientFactory(), "10:00", "10:30")


def test_a_patient_is_not_booked_twice_at_once(first, other_physio, patient):
    with pytest.raises(SchedulingError, match="Jane Doe already has an appointment then"):
        _book(other_physio, patient, "10:15", "10:45")


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("10:30", "10:00", "The appointment must end after it starts."),
        ("10:00", "10:00", "The appointment must end after it starts."),
        ("08:30", "09:15", "Priya Shah works 09:00–17:00 on Mondays."),
        ("16:45", "17:15", "Priya Shah works 09:00–17:00 on Mondays."),
        ("12:45", "13:15", "Priya Shah has a break (Lunch, 13:00–14:00) then."),
    ],
)
def test_times_are_validated_with_a_clear_message(physio, patient, start, end, message):
    with pytest.raises(SchedulingError) as raised:
        _book(physio, patient, start, end)
    assert str(raised.value) == message
    assert not Appointment.objects.exists()


def test_the_edges_of_working_hours_are_bookable(physio, patient):
    _book(physio, patient, "09:00", "09:30")
    _book(physio, PatientFactory(), "12:30", "13:00")
    _book(physio, PatientFactory(), "14:00", "14:30")
    _book(physio, PatientFactory(), "16:30", "17:00")


def test_no_booking_on_a_day_off(physio, patient):
    with pytest.raises(SchedulingError, match="Priya Shah works no hours on Saturdays."):
        _book(physio, patient, "10:00", "10:30", day=MONDAY + datetime.timedelta(days=5))


def test_a_physio_s_own_hours_replace_the_clinic_default(physio, patient):
    WorkingHours.objects.create(practitioner=physio, weekday=0, start="12:00", end="20:00")
    WorkingBreak.objects.create(practitioner=physio, weekday=0, start="16:00", end="16:30")
    _book(physio, patient, "13:00", "13:30")  # the default lunch no longer applies
    _book(physio, PatientFactory(), "19:30", "20:00")
    with pytest.raises(SchedulingError, match=r"has a break \(break, 16:00–16:30\)"):
        _book(physio, PatientFactory(), "15:45", "16:15")
    with pytest.raises(SchedulingError, match="works no hours on Tuesdays"):
        _book(physio, PatientFactory(), "13:00", "13:30", day=MONDAY + datetime.timedelta(days=1))


def test_overlapping_working_hours_are_refused_in_validation(physio):
    WorkingHours.objects.create(practitioner=physio, weekday=0, start="09:00", end="13:00")
    hours = WorkingHours(practitioner=physio, weekday=0, start="12:00", end="17:00")
    with pytest.raises(ValidationError, match="overlaps Monday 09:00–13:00"):
        hours.full_clean()
    with pytest.raises(ValidationError, match="The end must be after the start"):
        WorkingHours(practitioner=physio, weekday=1, start="17:00", end="09:00").full_clean()


def test_the_past_is_refused_unless_backfilling(physio, patient):
    last_monday = MONDAY - datetime.timedelta(days=21)
    with pytest.raises(SchedulingError, match="Only the Clinic admin can add appointments"):
        _book(physio, patient, "10:00", "10:30", day=last_monday)
    backfilled = _book(physio, patient, "10:00", "10:30", day=last_monday, allow_past=True)
    assert backfilled.start < timezone.now()


def test_an_episode_must_be_the_patient_s_and_open(physio, patient):
    someone_else = EpisodeFactory(physio=physio)
    with pytest.raises(SchedulingError, match="open episode of care of this patient"):
        _book(physio, patient, "10:00", "10:30", episode=someone_else)


def test_reschedule_moves_and_checks_overlap(first, physio, other_physio):
    second = _book(physio, PatientFactory(), "11:00", "11:30")
    Appointment.objects.filter(pk=second.pk).update(reminder_sent_at=timezone.now())
    second.refresh_from_db()
    with pytest.raises(SlotUnavailable) as raised:
        scheduling.reschedule(
            appointment=second, start=at(MONDAY, "10:15"), end=at(MONDAY, "10:45")
        )
    assert raised.value.clashing == first
    scheduling.reschedule(appointment=second, start=at(MONDAY, "10:30"), end=at(MONDAY, "11:00"))
    second.refresh_from_db()
    assert second.start == at(MONDAY, "10:30")
    assert second.reminder_sent_at is None  # the new time gets its own reminder
    scheduling.reschedule(
        appointment=second,
        start=at(MONDAY, "10:00"),
        end=at(MONDAY, "10:30"),
        practitioner=other_physio,
    )
    second.refresh_from_db()
    assert second.practitioner == other_physio


def test_moving_an_appointment_within_its_own_time_is_not_a_clash(first):
    scheduling.reschedule(appointment=first, start=at(MONDAY, "10:15"), end=at(MONDAY, "10:45"))


def test_cancel_needs_a_reason_and_frees_the_slot(first, physio):
    with pytest.raises(SchedulingError, match="Give a reason"):
        scheduling.cancel(appointment=first, reason="  ")
    scheduling.cancel(appointment=first, reason="Patient unwell")
    first.refresh_from_db()
    assert (first.status, first.cancel_reason) == ("cancelled", "Patient unwell")
    assert first.cancelled_at is not None
    with pytest.raises(SchedulingError, match="Only a booked appointment can be cancelled"):
        scheduling.cancel(appointment=first, reason="Again")
    _book(physio, PatientFactory(), "10:00", "10:30")


def test_the_database_refuses_a_cancellation_without_reason(first):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=first.pk).update(status="cancelled")


def test_the_database_refuses_an_end_before_the_start(physio, patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(
            practitioner=physio,
            patient=patient,
            start=at(MONDAY, "10:00"),
            end=at(MONDAY, "09:00"),
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the constraint is PostgreSQL's")
def test_postgresql_refuses_overlap_whatever_the_code_does(first, physio):
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        AppointmentFactory(practitioner=physio, start=at(MONDAY, "10:15"), end=at(MONDAY, "10:45"))
    # Inactive appointments may overlap.
    AppointmentFactory(
        practitioner=physio, start=at(MONDAY, "10:15"), end=at(MONDAY, "10:45"), status="no_show"
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the constraint is PostgreSQL's")
def test_a_race_lost_at_the_constraint_is_slot_unavailable(first, physio):
    # As if a concurrent booking committed between our check and our insert.
    with (
        mock.patch.object(diary_services, "_first_clash", side_effect=[None, first]),
        pytest.raises(SlotUnavailable) as raised,
    ):
        _book(physio, PatientFactory(), "10:00", "10:30")
    assert raised.value.clashing == first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the constraint is PostgreSQL's")
def test_postgresql_refuses_a_patient_in_two_places_whatever_the_code_does(
    first, other_physio, patient
):
    with (
        pytest.raises(IntegrityError, match="appointment_patient_no_overlap"),
        transaction.atomic(),
    ):
        AppointmentFactory(
            patient=patient,
            practitioner=other_physio,
            start=at(MONDAY, "10:15"),
            end=at(MONDAY, "10:45"),
        )
    # Back to back, and inactive appointments, may be.
    AppointmentFactory(
        patient=patient,
        practitioner=other_physio,
        start=at(MONDAY, "10:30"),
        end=at(MONDAY, "11:00"),
    )
    AppointmentFactory(
        patient=patient,
        practitioner=other_physio,
        start=at(MONDAY, "10:00"),
        end=at(MONDAY, "10:30"),
        status="cancelled",
        cancel_reason="Booked twice",
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the constraint is PostgreSQL's")
@pytest.mark.parametrize("path", ["book", "reschedule", "undo_no_show"])
def test_a_patient_race_lost_at_the_constraint_names_the_clash(
    path, physio, other_physio, patient, monkeypatch
):
    """As if a concurrent booking of the patient committed between our check and our
    save: the database refuses, and the user reads the message naming it."""
    if path == "undo_no_show":
        # Today, just begun: the missed appointment, and another booked in its time since.
        start = timezone.now() - datetime.timedelta(seconds=1)
    else:
        start = at(MONDAY, "10:00")
    end = start + datetime.timedelta(minutes=30)
    AppointmentFactory(patient=patient, practitioner=physio, start=start, end=end)
    monkeypatch.setattr(diary_services, "_check_patient_is_free", lambda appointment: None)
    with pytest.raises(diary_services.PatientUnavailable) as raised:
        if path == "book":
            book(practitioner=other_physio, patient=patient, start=start, end=end, kind="follow_up")
        elif path == "reschedule":
            later = AppointmentFactory(
                patient=patient,
                practitioner=other_physio,
                start=start + datetime.timedelta(hours=2),
                end=end + datetime.timedelta(hours=2),
            )
            scheduling.reschedule(appointment=later, start=start, end=end)
        else:
            missed = AppointmentFactory(
                patient=patient, practitioner=other_physio, start=start, end=end, status="no_show"
            )
            diary_services.undo_no_show(appointment=missed)
    assert str(raised.value).startswith(
        "Jane Doe already has an appointment then: Follow-up with Priya Shah, "
    )
    assert Appointment.objects.active().overlapping(start, end).count() == 1


def test_the_upgrade_lists_patients_already_booked_in_two_places(first, other_physio, patient):
    """Migration 0017 stops, changing nothing, while a clinic's diary holds clashes made
    before the constraint: the front desk is told which, to cancel the extra bookings."""
    if connection.vendor == "postgresql":
        # Make the clash the constraint now prevents, as a race did before it existed
        # (the pending foreign-key checks first: PostgreSQL alters no table with any).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with connection.schema_editor() as editor:
            editor.remove_constraint(Appointment, patient_no_overlap.PATIENT_NO_OVERLAP)
    clash = AppointmentFactory(
        patient=patient,
        practitioner=other_physio,
        start=at(MONDAY, "10:15"),
        end=at(MONDAY, "10:45"),
    )
    AppointmentFactory(  # not a clash: another patient
        practitioner=other_physio, start=at(MONDAY, "11:00"), end=at(MONDAY, "11:30")
    )
    (listed,) = patient_no_overlap.patient_clashes(apps)
    assert listed.startswith(f"{patient.identifier} Jane Doe: Follow-up with Priya Shah on ")
    assert f"10:00–10:30 (booked, appointment {first.pk})" in listed
    assert "and Follow-up with Tom Reed on " in listed
    assert f"10:15–10:45 (booked, appointment {clash.pk})" in listed
    scheduling.cancel(appointment=clash, reason="Booked twice")
    assert patient_no_overlap.patient_clashes(apps) == []


# --- Check-in, no-show, attended ------------------------------------------------------


@pytest.fixture
def today_appointment(physio, patient):
    start = timezone.localtime().replace(second=0, microsecond=0)
    return AppointmentFactory(
        practitioner=physio,
        patient=patient,
        start=start,
        end=start + datetime.timedelta(minutes=1),
        kind="follow_up",
    )


def test_check_in_starts_the_visit_in_the_patient_s_open_episode(today_appointment, episode):
    appointment = scheduling.check_in(appointment=today_appointment)
    assert appointment.status == "arrived"
    visit = appointment.visit
    assert visit.episode == episode and appointment.episode == episode
    assert (visit.practitioner, visit.kind) == (today_appointment.practitioner, "follow_up")
    assert visit.starts_at == today_appointment.start
    assert visit.appointment == appointment


def test_check_in_without_one_open_episode_leaves_the_visit_to_the_physio(
    today_appointment, physio
):
    appointment = scheduling.check_in(appointment=today_appointment)
    assert appointment.status == "arrived" and appointment.visit is None
    episode = services.episode_open(
        patient=appointment.patient, physio=physio, complaint="Left buttock pain", side="left"
    )
    visit = scheduling.start_visit(appointment=appointment, episode=episode)
    appointment.refresh_from_db()
    assert appointment.visit == visit and appointment.episode == episode
    with pytest.raises(SchedulingError):
        scheduling.start_visit(appointment=appointment, episode=episode)


def test_check_in_with_two_open_episodes_waits_for_the_physio(today_appointment, episode):
    EpisodeFactory(patient=episode.patient, physio=episode.physio, complaint="Neck pain")
    assert scheduling.check_in(appointment=today_appointment).visit is None


def test_check_in_uses_the_appointment_s_episode(today_appointment, episode):
    other = EpisodeFactory(patient=episode.patient, physio=episode.physio, complaint="Neck")
    Appointment.objects.filter(pk=today_appointment.pk).update(episode=other)
    today_appointment.refresh_from_db()
    assert scheduling.check_in(appointment=today_appointment).visit.episode == other


def test_check_in_for_a_discharged_episode_leaves_the_episode_to_the_physio(
    client_for, today_appointment, episode, physio, front_desk
):
    """Discharged after the booking: the patient still arrives, and which episode the
    visit belongs to (a new complaint, a relapse) is the physio's choice, as for a new
    patient; no visit is ever started in a closed episode."""
    Appointment.objects.filter(pk=today_appointment.pk).update(episode=episode)
    services.episode_discharge(episode=episode, reason="goals_met")

    response = client_for(front_desk).post(
        reverse("clinic:appointment_check_in", args=[today_appointment.pk]), follow=True
    )

    assert "has arrived. The physio will choose the episode of care" in response.text
    today_appointment.refresh_from_db()
    assert today_appointment.status == "arrived" and today_appointment.visit is None
    assert not episode.visits.exists()
    relapse = services.episode_open(
        patient=episode.patient, physio=physio, complaint="Right buttock pain again", side="right"
    )
    visit = scheduling.start_visit(appointment=today_appointment, episode=relapse)
    assert visit.episode == relapse


def test_discharging_an_episode_warns_of_its_booked_appointments(
    client_for, physio, episode, visit
):
    services.visit_sign(visit=visit, user=physio)
    booked = _book(physio, episode.patient, "10:00", "10:30", episode=episode)
    other = PatientFactory()
    _book(physio, other, "11:00", "11:30")  # not this episode's

    response = client_for(physio).post(
        reverse("clinic:episode_discharge", args=[episode.pk]),
        {"reason": "goals_met", "closed_on": timezone.localdate().isoformat()},
        follow=True,
    )

    page = html.unescape(response.text)
    assert "Episode discharged." in page
    when = timezone.localtime(booked.start)
    assert (
        f"1 appointment of this episode is still booked: {when:%a %-d %b %Y %H:%M} with "
        "Priya Shah." in page
    )
    assert "11:00" not in page


def test_check_in_only_on_the_day(first):
    with pytest.raises(SchedulingError, match="on the day of the appointment"):
        scheduling.check_in(appointment=first)


def test_signing_the_visit_marks_the_appointment_attended(today_appointment, episode, physio):
    appointment = scheduling.check_in(appointment=today_appointment)
    services.visit_sign(visit=appointment.visit, user=physio)
    appointment.refresh_from_db()
    assert appointment.status == "attended"


def test_no_show_only_once_the_time_has_come(first, today_appointment):
    with pytest.raises(SchedulingError, match="once the time has come"):
        scheduling.mark_no_show(appointment=first)
    scheduling.mark_no_show(appointment=today_appointment)
    today_appointment.refresh_from_db()
    assert today_appointment.status == "no_show"
    with pytest.raises(SchedulingError):
        scheduling.check_in(appointment=today_appointment)


def test_a_mistaken_no_show_is_put_back_and_the_patient_checked_in(today_appointment, episode):
    scheduling.mark_no_show(appointment=today_appointment)
    diary_services.undo_no_show(appointment=today_appointment)
    today_appointment.refresh_from_db()
    assert today_appointment.status == "booked"
    assert scheduling.check_in(appointment=today_appointment).visit.episode == episode
    with pytest.raises(SchedulingError, match="Only an appointment marked as not attended"):
        diary_services.undo_no_show(appointment=today_appointment)


def test_a_no_show_is_not_put_back_on_another_day(physio, patient):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    missed = AppointmentFactory(
        practitioner=physio,
        patient=patient,
        start=yesterday,
        end=yesterday + datetime.timedelta(minutes=30),
        status="no_show",
    )
    with pytest.raises(SchedulingError, match="only be put back on its day"):
        diary_services.undo_no_show(appointment=missed)
    missed.refresh_from_db()
    assert missed.status == "no_show"


def test_a_no_show_whose_time_went_to_someone_else_stays_missed(today_appointment, physio):
    scheduling.mark_no_show(appointment=today_appointment)
    taken = AppointmentFactory(
        practitioner=physio,
        patient=PatientFactory(),
        start=today_appointment.start,
        end=today_appointment.end,
    )
    with pytest.raises(SlotUnavailable) as refused:
        diary_services.undo_no_show(appointment=today_appointment)
    assert refused.value.clashing == taken
    today_appointment.refresh_from_db()
    assert today_appointment.status == "no_show"


# --- Free slots ------------------------------------------------------------------------


def test_next_free_slot_skips_busy_times_and_breaks(physio, patient):
    _book(physio, patient, "09:00", "12:45")
    slot = scheduling.next_free_slot(
        practitioner_id=physio.pk, near=MONDAY, length=datetime.timedelta(minutes=30)
    )
    assert slot == at(MONDAY, "14:00")  # 12:45–13:15 runs into lunch


def test_next_free_slot_moves_to_the_next_working_day(physio, patient):
    _book(physio, patient, "09:00", "13:00")
    _book(physio, PatientFactory(), "14:00", "17:00")
    friday = MONDAY - datetime.timedelta(days=3)
    slot = scheduling.next_free_slot(
        practitioner_id=physio.pk,
        near=friday + datetime.timedelta(days=1),
        length=datetime.timedelta(minutes=30),
    )
    assert slot == at(MONDAY + datetime.timedelta(days=1), "09:00")
