"""A physio's time off: nothing can be booked on those days, the diary says why, and the
Clinic admin is told which booked appointments the time off leaves to move."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clinic import scheduling
from clinic.models import TimeOff
from clinic.scheduling import SchedulingError, book
from tests.clinic.diary_helpers import at, next_monday
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

MONDAY = next_monday()
TUESDAY = MONDAY + datetime.timedelta(days=1)
WEDNESDAY = MONDAY + datetime.timedelta(days=2)


@pytest.fixture
def leave(physio):
    return TimeOff.objects.create(
        practitioner=physio, first_day=MONDAY, last_day=TUESDAY, reason="Annual leave"
    )


def test_nothing_is_booked_on_a_day_off_and_the_message_says_why(leave, physio, patient):
    with pytest.raises(SchedulingError) as refused:
        book(
            practitioner=physio,
            patient=patient,
            start=at(TUESDAY, "10:00"),
            end=at(TUESDAY, "10:30"),
            kind="follow_up",
        )
    assert str(refused.value) == (
        f"Priya Shah is away on Tuesday {TUESDAY.day} {TUESDAY:%B} (Annual leave)."
    )
    booked = book(
        practitioner=physio,
        patient=patient,
        start=at(WEDNESDAY, "10:00"),
        end=at(WEDNESDAY, "10:30"),
        kind="follow_up",
    )
    assert booked.pk


def test_a_colleague_is_still_bookable(leave, other_physio, patient):
    assert book(
        practitioner=other_physio,
        patient=patient,
        start=at(MONDAY, "10:00"),
        end=at(MONDAY, "10:30"),
        kind="follow_up",
    ).pk


def test_the_next_free_slot_skips_the_days_off(leave, physio):
    slot = scheduling.next_free_slot(
        practitioner_id=physio.pk, near=MONDAY, length=datetime.timedelta(minutes=30)
    )
    assert slot == at(WEDNESDAY, "09:00")


def test_the_day_view_shows_the_physio_away_with_nothing_to_book(
    client_for, front_desk, leave, physio, other_physio
):
    page = (
        client_for(front_desk)
        .get(reverse("clinic:diary_day"), {"date": f"{MONDAY:%Y-%m-%d}"})
        .content.decode()
    )
    assert "Away: Annual leave" in page
    assert f"?practitioner={physio.pk}&amp;start=" not in page
    grid = (
        client_for(front_desk)
        .get(reverse("clinic:diary_day"), {"date": f"{MONDAY:%Y-%m-%d}"})
        .context["columns"]
    )
    (away,) = [column for column in grid if column.key == physio]
    assert {cell.state for cell in away.cells} == {"closed"}  # no lunch break either
    assert f"?practitioner={other_physio.pk}&amp;start={MONDAY:%Y-%m-%d}T09:00" in page


def test_the_week_view_marks_only_the_days_off(client_for, front_desk, leave, physio):
    page = (
        client_for(front_desk)
        .get(reverse("clinic:diary_week", args=[physio.pk]), {"date": f"{MONDAY:%Y-%m-%d}"})
        .content.decode()
    )
    assert page.count("Away: Annual leave") == 2
    assert f"start={MONDAY:%Y-%m-%d}T09:00" not in page
    assert f"start={WEDNESDAY:%Y-%m-%d}T09:00" in page


def test_the_admin_is_told_which_appointments_the_time_off_leaves_to_move(
    client_for, clinic_admin, physio
):
    AppointmentFactory(
        practitioner=physio,
        patient=PatientFactory(given_name="Jane", family_name="Doe"),
        start=at(TUESDAY, "11:00"),
        end=at(TUESDAY, "11:30"),
    )
    response = client_for(clinic_admin).post(
        reverse("admin:clinic_timeoff_add"),
        {
            "practitioner": physio.pk,
            "first_day": f"{MONDAY:%Y-%m-%d}",
            "last_day": f"{TUESDAY:%Y-%m-%d}",
            "reason": "Course",
        },
        follow=True,
    )
    page = response.content.decode()
    leave = TimeOff.objects.get()
    assert leave.reason == "Course"
    entry = LogEntry.objects.get_for_object(leave).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, clinic_admin)
    audit = client_for(clinic_admin).get(reverse("clinic:audit_log")).content.decode()
    assert f"time off: Course, {MONDAY:%d %b} to {TUESDAY:%d %b %Y}" in audit
    assert "1 appointment(s) in this time off still need moving or cancelling" in page
    assert f"{TUESDAY:%a %d %b} 11:00 Jane Doe" in page


def test_a_last_day_before_the_first_is_refused(client_for, clinic_admin, physio):
    response = client_for(clinic_admin).post(
        reverse("admin:clinic_timeoff_add"),
        {
            "practitioner": physio.pk,
            "first_day": f"{TUESDAY:%Y-%m-%d}",
            "last_day": f"{MONDAY:%Y-%m-%d}",
        },
    )
    assert "The last day cannot be before the first day." in response.content.decode()
    assert not TimeOff.objects.exists()


def test_only_the_clinic_admin_records_time_off(client_for, front_desk, physio):
    url = reverse("admin:clinic_timeoff_add")
    for user in (front_desk, physio):
        response = client_for(user).get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
