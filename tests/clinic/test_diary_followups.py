"""The follow-ups worklist: who is due back (last visit + the plan's interval), who missed
an appointment and has not rebooked, and the calls made to them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic import scheduling, services
from clinic.diary import services as diary_services
from clinic.models import ContactAttempt
from clinic.scheduling import follow_ups_due
from tests.clinic.diary_helpers import at, next_monday
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _episode_seen(physio, *, days_ago: int, interval: int | None, **extra):
    episode = EpisodeFactory(physio=physio, follow_up_interval_days=interval, **extra)
    VisitFactory(episode=episode, starts_at=timezone.now() - days_ago * DAY)
    return episode


def _due(within: int = 14):
    return follow_ups_due(within_days=within).due


def test_due_date_is_the_last_visit_plus_the_interval(physio):
    episode = EpisodeFactory(physio=physio, follow_up_interval_days=7)
    VisitFactory(episode=episode, starts_at=timezone.now() - 20 * DAY)
    last = VisitFactory(episode=episode, starts_at=timezone.now() - 3 * DAY)
    [row] = _due()
    assert row == episode
    assert row.last_visit_at == last.starts_at
    assert abs(row.due_at - (last.starts_at + 7 * DAY)) < datetime.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("days_ago", "interval", "within", "listed"),
    [
        (3, 7, 14, True),  # due in 4 days, within the window
        (30, 7, 7, True),  # overdue by 23 days
        (3, 7, 7, True),  # due in 4 days, inside a 7-day window
        (1, 21, 14, False),  # due in 20 days: beyond the window
        (1, 21, 28, True),
        (0, 7, 7, True),  # due exactly at the end of the window
        (0, 8, 7, False),  # due the day after the window ends
    ],
)
def test_the_window(physio, days_ago, interval, within, listed):
    episode = _episode_seen(physio, days_ago=days_ago, interval=interval)
    assert (episode in _due(within)) is listed


def test_episodes_without_a_plan_or_a_visit_or_discharged_are_not_listed(physio):
    _episode_seen(physio, days_ago=30, interval=None)
    EpisodeFactory(physio=physio, follow_up_interval_days=7)  # never seen
    _episode_seen(
        physio,
        days_ago=30,
        interval=7,
        status="discharged",
        closed_on=timezone.localdate(),
        discharge_reason="goals_met",
    )
    assert _due(28) == []


def test_a_future_booking_takes_the_patient_off_the_list(physio):
    episode = _episode_seen(physio, days_ago=30, interval=7)
    appointment = AppointmentFactory(patient=episode.patient, practitioner=physio)
    assert _due() == []
    scheduling.cancel(appointment=appointment, reason="Moved away")
    assert _due() == [episode]


def test_the_interval_comes_from_the_episode_service(physio):
    episode = _episode_seen(physio, days_ago=10, interval=None)
    assert _due() == []
    services.episode_set_follow_up(episode=episode, interval_days=7)
    assert _due() == [episode]


def test_a_missed_appointment_not_rebooked_is_listed(physio, patient):
    missed = AppointmentFactory(
        patient=patient, practitioner=physio, start=timezone.now() - 2 * DAY, status="no_show"
    )
    older = AppointmentFactory(
        patient=patient, practitioner=physio, start=timezone.now() - 9 * DAY, status="no_show"
    )
    assert follow_ups_due(within_days=14).missed == [missed]  # the latest per patient
    assert older not in follow_ups_due(within_days=14).missed
    AppointmentFactory(patient=patient, practitioner=physio, start=timezone.now() + 3 * DAY)
    assert follow_ups_due(within_days=14).missed == []


def test_an_old_missed_appointment_drops_off(physio, patient, settings):
    AppointmentFactory(
        patient=patient, practitioner=physio, start=timezone.now() - 100 * DAY, status="no_show"
    )
    assert follow_ups_due(within_days=14).missed == []


def test_the_worklist_takes_two_queries_whatever_its_length(physio, other_physio):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            follow_ups_due(within_days=14)
        return len(captured)

    assert count() == 2
    for days_ago in range(8, 20):
        _episode_seen(physio, days_ago=days_ago, interval=7)
        AppointmentFactory(
            practitioner=other_physio, start=timezone.now() - days_ago * DAY, status="no_show"
        )
    worklist = follow_ups_due(within_days=14)
    assert len(worklist.due) == 12 and len(worklist.missed) == 12
    assert count() == 2


def test_the_page_lists_patient_physio_dates_and_phone(client_for, front_desk, physio):
    episode = _episode_seen(physio, days_ago=10, interval=7)
    episode.patient.phone = "07700 900456"
    episode.patient.save()
    page = client_for(front_desk).get(reverse("clinic:follow_ups")).content.decode()
    assert episode.patient.full_name in page and "07700 900456" in page
    assert "Priya Shah" in page and "3 days overdue" in page
    assert f"{reverse('clinic:appointment_create')}?episode={episode.pk}" in page


def test_one_click_proposes_the_physio_s_next_free_slot_near_the_due_date(
    client_for, front_desk, physio
):
    monday = next_monday()
    episode = EpisodeFactory(physio=physio, follow_up_interval_days=7)
    VisitFactory(episode=episode, starts_at=at(monday - 7 * DAY, "10:00"))
    scheduling.book(
        practitioner=physio,
        patient=PatientFactory(),
        start=at(monday, "09:00"),
        end=at(monday, "09:30"),
        kind="follow_up",
    )
    client = client_for(front_desk)
    url = f"{reverse('clinic:appointment_create')}?episode={episode.pk}"
    page = client.get(url).content.decode()
    assert 'id="proposed-slot"' in page
    assert f'value="{monday:%Y-%m-%d}T09:30"' in page
    assert f'value="{episode.patient.identifier}"' in page
    response = client.post(
        url,
        {
            "patient": episode.patient.identifier,
            "practitioner": physio.pk,
            "kind": "follow_up",
            "start": f"{monday:%Y-%m-%d}T09:30",
            "episode": episode.pk,
        },
    )
    assert response.status_code == 302
    appointment = episode.appointments.get()
    assert appointment.start == at(monday, "09:30")


def test_contact_attempts_are_logged_on_the_row(client_for, front_desk, physio):
    episode = _episode_seen(physio, days_ago=10, interval=7)
    missed = AppointmentFactory(
        practitioner=physio, start=timezone.now() - 2 * DAY, status="no_show"
    )
    client = client_for(front_desk)
    url = reverse("clinic:contact_attempt_add")
    client.post(url, {"episode": episode.pk, "outcome": "no_answer", "within": "28"})
    response = client.post(
        url, {"episode": episode.pk, "outcome": "left_message", "note": "Voicemail"}
    )
    assert response["Location"] == f"{reverse('clinic:follow_ups')}?within=14"
    client.post(url, {"missed_appointment": missed.pk, "outcome": "will_call_back"})
    assert ContactAttempt.objects.count() == 3
    attempt = ContactAttempt.objects.filter(episode=episode).first()
    assert (attempt.outcome, attempt.note, attempt.created_by) == (
        "left_message",
        "Voicemail",
        front_desk,
    )
    [row] = follow_ups_due(within_days=14).due
    assert (row.contact_outcome, row.contact_count) == ("left_message", 2)
    page = client.get(reverse("clinic:follow_ups")).content.decode()
    assert "Left a message" in page and "2 attempts" in page
    assert "Patient will call back" in page


def test_calls_before_the_last_visit_no_longer_count(physio, front_desk):
    episode = _episode_seen(physio, days_ago=10, interval=7)
    old = diary_services.contact_attempt_add(
        patient=episode.patient, episode=episode, outcome="called", created_by=front_desk
    )
    ContactAttempt.objects.filter(pk=old.pk).update(created_at=timezone.now() - 20 * DAY)
    [row] = follow_ups_due(within_days=14).due
    assert row.contact_outcome is None


def _late_visit_before_a_clock_change(interval: int) -> datetime.datetime:
    """23:30 on a day `interval` days before the clocks last went forward (in the clinic's
    time zone): adding the days to the time and to its local day give different days, so
    a page doing its own arithmetic disagrees with the worklist."""
    today = timezone.localdate()
    for back in range(20, 400):
        day = today - back * DAY
        noon, next_noon = at(day, "12:00"), at(day + DAY, "12:00")
        if next_noon.utcoffset() > noon.utcoffset():
            return at(day - (interval - 1) * DAY, "23:30")
    return at(today - 20 * DAY, "23:30")  # a time zone without clock changes


@pytest.mark.parametrize("case", ["due ahead", "overdue", "late visit, clocks changed"])
def test_the_worklist_and_the_booking_page_agree_on_when_a_follow_up_is_due(
    client_for, front_desk, physio, case
):
    """The follow-up rule is written once (`clinic.diary.selectors.with_follow_up_due`):
    any page that works out a due date of its own fails here."""
    interval = 14
    last_visit = {
        "due ahead": timezone.now() - 3 * DAY,
        "overdue": timezone.now() - 30 * DAY,
        "late visit, clocks changed": _late_visit_before_a_clock_change(interval),
    }[case]
    episode = EpisodeFactory(physio=physio, follow_up_interval_days=interval)
    VisitFactory(episode=episode, starts_at=last_visit)
    client = client_for(front_desk)

    worklist = client.get(reverse("clinic:follow_ups"), {"within": 28}).context["worklist"]
    booking = client.get(reverse("clinic:appointment_create"), {"episode": episode.pk})

    [row] = worklist.due
    assert row == episode
    assert booking.context["follow_up_due_on"] == row.due_on
    assert row.days_overdue == (timezone.localdate() - row.due_on).days
    if booking.context["proposed"]:
        earliest = max(row.due_on, timezone.localdate())
        assert timezone.localdate(booking.context["proposed"]) >= earliest
