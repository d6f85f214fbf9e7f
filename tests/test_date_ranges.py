"""Dates outside a sane range are refused with a message naming the rule, on every path,
and the date arithmetic that crashed on them is safe (issue 10, part 4)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.dates import two_years_ahead
from clinic import scheduling, services
from clinic.models import Appointment, EpisodeOfCare, Patient, TimeOff, Visit
from tests.clinic.diary_helpers import at, next_monday
from tests.factories import AppointmentFactory, VisitFactory
from treatments.models import Consent, TreatmentPlan

pytestmark = pytest.mark.django_db

BEFORE_1900 = "Dates before 1900 are not accepted."
VISIT_TOO_LATE = "A visit cannot start more than an hour from now."
BOOKING_TOO_LATE = "Bookings can be made at most two years ahead."
EXTREMES = [("9999-12-31", "future"), ("0001-01-01", "past")]


def _local(days: float = 0, hours: float = 0) -> str:
    moment = timezone.localtime() + datetime.timedelta(days=days, hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        ("9999-12-31T10:00", VISIT_TOO_LATE),
        ("0001-01-01T10:00", BEFORE_1900),
        (_local(hours=2), VISIT_TOO_LATE),
        ("1899-12-31T23:00", BEFORE_1900),
    ],
    ids=["year 9999", "year 1", "in two hours", "1899"],
)
def test_a_visit_start_out_of_range_is_a_form_error(
    client_for, physio, episode, starts_at, message
):
    url = reverse("clinic:visit_start", args=[episode.pk])

    response = client_for(physio).post(url, {"kind": "follow_up", "starts_at": starts_at})

    assert response.status_code == 200
    assert message in response.text
    assert not Visit.objects.exists()


def test_a_visit_may_start_within_the_hour_and_in_the_past(client_for, physio, episode):
    client = client_for(physio)
    url = reverse("clinic:visit_start", args=[episode.pk])
    for starts_at in (_local(hours=0.5), _local(days=-400), "1900-01-01T09:00"):
        assert client.post(url, {"kind": "follow_up", "starts_at": starts_at}).status_code == 302
    assert Visit.objects.count() == 3


def test_other_code_starting_a_visit_gets_the_rule_as_a_clinic_error(physio, episode):
    far = timezone.make_aware(datetime.datetime(9999, 12, 31, 10, 0))
    with pytest.raises(services.ClinicError, match=VISIT_TOO_LATE):
        services.visit_start(episode=episode, practitioner=physio, kind="follow_up", starts_at=far)


@pytest.mark.parametrize(("value", "when"), EXTREMES)
def test_an_episode_out_of_range_is_a_form_error(client_for, physio, patient, value, when):
    response = client_for(physio).post(
        reverse("clinic:episode_create", args=[patient.pk]),
        {
            "complaint": "Right buttock pain",
            "side": "right",
            "physio": physio.pk,
            "onset_date": value,
            "opened_on": value,
        },
    )

    assert response.status_code == 200
    if when == "future":
        assert "The onset date cannot be in the future." in response.text
        assert "An episode cannot be opened in the future." in response.text
    else:
        assert response.text.count(BEFORE_1900) == 2
    assert not EpisodeOfCare.objects.exists()


@pytest.mark.parametrize(("value", "when"), EXTREMES)
def test_a_discharge_date_out_of_range_is_a_form_error(client_for, physio, episode, value, when):
    response = client_for(physio).post(
        reverse("clinic:episode_discharge", args=[episode.pk]),
        {"reason": "goals_met", "closed_on": value},
    )

    assert response.status_code == 200
    expected = "The discharge date cannot be in the future." if when == "future" else BEFORE_1900
    assert expected in response.text
    episode.refresh_from_db()
    assert episode.is_open


@pytest.mark.parametrize(("value", "when"), EXTREMES)
def test_a_consent_date_out_of_range_is_a_form_error(client_for, physio, episode, value, when):
    response = client_for(physio).post(
        reverse("treatments:consent_add", args=[episode.pk]) + "?kind=spinal_manipulation",
        {"given_on": value, "method": "verbal", "right_to_withdraw_explained": "on"},
    )

    assert response.status_code == 200
    expected = "The consent date cannot be in the future." if when == "future" else BEFORE_1900
    assert expected in response.text
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999-12-31", "A review can be planned at most two years ahead."),
        ("0001-01-01", BEFORE_1900),
    ],
)
def test_a_plan_review_out_of_range_is_a_form_error(client_for, physio, episode, value, message):
    response = client_for(physio).post(
        reverse("treatments:plan_edit", args=[episode.pk]),
        {"visit_interval_days": "7", "planned_visits": "6", "next_review_on": value},
    )

    assert response.status_code == 200
    assert message in response.text
    assert not TreatmentPlan.objects.exists()


def test_a_birth_date_before_1900_is_refused_with_the_rule(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"),
        {"given_name": "Old", "family_name": "Record", "date_of_birth": "0001-01-01"},
    )

    assert BEFORE_1900 in response.text
    assert not Patient.objects.filter(family_name="Record").exists()


def _weekday_ten(day: datetime.date) -> str:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return f"{day:%Y-%m-%d}T10:00"


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("9999-12-31T10:00", BOOKING_TOO_LATE),
        (_weekday_ten(two_years_ahead() + datetime.timedelta(days=1)), BOOKING_TOO_LATE),
        ("0001-01-01T10:00", BEFORE_1900),
    ],
    ids=["year 9999", "a day beyond two years", "year 1"],
)
def test_a_booking_out_of_range_is_a_form_error(
    client_for, clinic_admin, physio, patient, start, message
):
    # The Clinic admin may book in the past, so only the date rule stands in the way.
    response = client_for(clinic_admin).post(
        reverse("clinic:appointment_create"),
        {
            "patient": patient.identifier,
            "practitioner": physio.pk,
            "kind": "follow_up",
            "start": start,
        },
    )

    assert response.status_code == 200
    assert message in response.text
    assert not Appointment.objects.exists()


def test_booking_and_moving_by_other_code_get_the_rule(physio, patient):
    far = timezone.make_aware(datetime.datetime(9999, 12, 31, 10, 0))
    with pytest.raises(scheduling.SchedulingError, match=BOOKING_TOO_LATE):
        scheduling.book(
            practitioner=physio,
            patient=patient,
            start=far,
            end=far + datetime.timedelta(minutes=30),
            kind="follow_up",
        )
    monday = next_monday()
    appointment = scheduling.book(
        practitioner=physio,
        patient=patient,
        start=at(monday, "10:00"),
        end=at(monday, "10:30"),
        kind="follow_up",
    )
    early = timezone.make_aware(datetime.datetime(1, 1, 1, 10, 0))
    with pytest.raises(scheduling.SchedulingError, match=BEFORE_1900):
        scheduling.reschedule(
            appointment=appointment,
            start=early,
            end=early + datetime.timedelta(minutes=30),
            allow_past=True,
        )


def test_the_last_bookable_day_is_two_years_ahead(physio, patient):
    day = two_years_ahead()
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    appointment = scheduling.book(
        practitioner=physio,
        patient=patient,
        start=at(day, "10:00"),
        end=at(day, "10:30"),
        kind="follow_up",
    )
    assert appointment.pk


def test_time_off_far_ahead_is_refused_in_the_admin(client_for, clinic_admin, physio):
    response = client_for(clinic_admin).post(
        reverse("admin:clinic_timeoff_add"),
        {
            "practitioner": physio.pk,
            "first_day": f"{timezone.localdate():%Y-%m-%d}",
            "last_day": "9999-12-31",
        },
    )

    assert "Time off can be recorded at most two years ahead." in response.text
    assert not TimeOff.objects.exists()


def test_an_assessment_date_before_1900_is_a_form_error(client_for, physio, visit):
    url = reverse("assessments:assessment_edit", args=[visit.pk, "buttock_pain"])

    response = client_for(physio).post(url, {"onset_date": "1850-06-01", "action": "save"})

    assert response.status_code == 200
    assert BEFORE_1900 in response.text


@pytest.mark.parametrize(
    "last_visit",
    [
        datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.UTC),
        datetime.datetime(1, 1, 1, 0, 1, 15, tzinfo=datetime.UTC),
    ],
    ids=["year 9999", "year 1"],
)
def test_book_follow_up_survives_a_last_visit_at_the_end_of_the_calendar(
    client_for, front_desk, physio, episode, last_visit
):
    """The reviewer's state: visits entered in year 9999 or 0001 before the date rules
    (put straight into the database, as the old form let through)."""
    episode.follow_up_interval_days = 14
    episode.save()
    visit = VisitFactory(episode=episode)
    Visit.objects.filter(pk=visit.pk).update(starts_at=last_visit)
    client = client_for(front_desk)

    follow_ups = client.get(reverse("clinic:follow_ups"), {"within": 28})
    response = client.get(reverse("clinic:appointment_create"), {"episode": episode.pk})

    assert follow_ups.status_code == 200
    assert response.status_code == 200
    assert response.context["form"]["patient"].value() == episode.patient.identifier


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_report_and_audit_filters_at_the_ends_of_the_calendar(client_for, clinic_admin, value):
    client = client_for(clinic_admin)
    pages = [
        (reverse("clinic:audit_log"), {"date_from": value, "date_to": value}),
        (reverse("treatments:outcome_report"), {"opened_from": value, "opened_to": value}),
        (reverse("treatments:outcome_report_csv"), {"opened_from": value, "opened_to": value}),
        (reverse("treatments:outcome_episodes"), {"opened_from": value, "opened_to": value}),
    ]
    for url, query in pages:
        assert client.get(url, query).status_code == 200, url


def test_a_patient_checked_in_hours_early_gets_a_visit_from_now(
    monkeypatch, physio, patient, episode
):
    """Check-in is allowed all day; the visit cannot start hours ahead, so it starts now."""
    eight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(8, 0))
    )
    monkeypatch.setattr(timezone, "now", lambda: eight)
    appointment = AppointmentFactory(
        practitioner=physio,
        patient=patient,
        start=eight + datetime.timedelta(hours=3),
        end=eight + datetime.timedelta(hours=3, minutes=30),
    )

    appointment = scheduling.check_in(appointment=appointment)

    assert appointment.visit.starts_at == eight
    assert appointment.visit.episode == episode
