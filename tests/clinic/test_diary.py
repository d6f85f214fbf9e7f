"""The diary pages: booking by form and in one click, the day and week views, check-in,
cancelling, moving; the front desk runs it all and never sees clinical content."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic import scheduling
from clinic.models import Appointment
from tests.clinic.diary_helpers import at, next_monday
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

MONDAY = next_monday()


def _booking(physio, patient, start="10:00", **extra) -> dict:
    return {
        "patient": patient.identifier,
        "practitioner": physio.pk,
        "kind": "follow_up",
        "start": f"{MONDAY:%Y-%m-%d}T{start}",
        "minutes": "",
        "notes": "",
        **extra,
    }


def test_front_desk_books_and_the_day_view_shows_it(client_for, front_desk, physio, patient):
    client = client_for(front_desk)
    response = client.post(reverse("clinic:appointment_create"), _booking(physio, patient))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('clinic:diary_day')}?date={MONDAY:%Y-%m-%d}"
    appointment = Appointment.objects.get()
    assert appointment.end - appointment.start == datetime.timedelta(minutes=30)
    assert appointment.created_by == front_desk
    page = client.get(response["Location"]).content.decode()
    assert "Jane Doe" in page and "10:00–10:30" in page
    assert f'data-appointment="{appointment.pk}"' in page


def test_the_default_length_follows_the_kind(client_for, front_desk, physio, patient, settings):
    settings.APPOINTMENT_MINUTES = {**settings.APPOINTMENT_MINUTES, "initial": 60}
    client_for(front_desk).post(
        reverse("clinic:appointment_create"), _booking(physio, patient, kind="initial")
    )
    assert Appointment.objects.get().minutes == 60


def test_a_clash_is_a_form_error_naming_the_appointment(client_for, front_desk, physio, patient):
    scheduling.book(
        practitioner=physio,
        patient=patient,
        start=at(MONDAY, "10:00"),
        end=at(MONDAY, "10:30"),
        kind="follow_up",
    )
    other = PatientFactory(given_name="Sam", family_name="Hill")
    response = client_for(front_desk).post(
        reverse("clinic:appointment_create"), _booking(physio, other, start="10:15")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Priya Shah already has an appointment at that time: Jane Doe, Follow-up" in page
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [("07:00", "Priya Shah works 09:00–17:00 on Mondays."), ("13:00", "has a break (Lunch")],
)
def test_validation_messages_reach_the_form(
    client_for, front_desk, physio, patient, start, message
):
    response = client_for(front_desk).post(
        reverse("clinic:appointment_create"), _booking(physio, patient, start=start)
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_past_is_for_the_clinic_admin_only(
    client_for, front_desk, clinic_admin, physio, patient
):
    past = timezone.localdate() - datetime.timedelta(days=7 + timezone.localdate().weekday())
    data = {**_booking(physio, patient), "start": f"{past:%Y-%m-%d}T10:00"}
    response = client_for(front_desk).post(reverse("clinic:appointment_create"), data)
    assert "Only the Clinic admin can add appointments in the past." in response.content.decode()
    response = client_for(clinic_admin).post(reverse("clinic:appointment_create"), data)
    assert response.status_code == 302
    assert Appointment.objects.get().start.date() == past


def test_an_unknown_clinic_number_is_a_field_error(client_for, front_desk, physio, patient):
    data = {**_booking(physio, patient), "patient": "ZZZZ-9999"}
    response = client_for(front_desk).post(reverse("clinic:appointment_create"), data)
    assert "No patient has the clinic number ZZZZ-9999." in response.content.decode()


def test_free_slots_are_one_click_links_to_the_booking_form(client_for, front_desk, physio):
    page = (
        client_for(front_desk)
        .get(reverse("clinic:diary_day"), {"date": f"{MONDAY:%Y-%m-%d}"})
        .content.decode()
    )
    link = (
        f"{reverse('clinic:appointment_create')}?practitioner={physio.pk}"
        f"&amp;start={MONDAY:%Y-%m-%d}T09:00"
    )
    assert link in page
    assert f"start={MONDAY:%Y-%m-%d}T13:00" not in page  # lunch
    assert f"start={MONDAY:%Y-%m-%d}T17:00" not in page  # home time
    form = client_for(front_desk).get(link.replace("&amp;", "&")).content.decode()
    assert f'value="{MONDAY:%Y-%m-%d}T09:00"' in form


def test_a_patient_chosen_first_rides_along_the_one_click_links(
    client_for, front_desk, physio, patient
):
    page = (
        client_for(front_desk)
        .get(reverse("clinic:diary_day"), {"date": f"{MONDAY:%Y-%m-%d}", "patient": patient.pk})
        .content.decode()
    )
    assert f"T09:00&amp;patient={patient.pk}" in page


def test_the_booking_form_finds_the_patient(client_for, front_desk, patient):
    page = (
        client_for(front_desk)
        .get(reverse("clinic:appointment_create"), {"q": "Doe", "practitioner": "7"})
        .content.decode()
    )
    assert "Jane Doe" in page and f"patient={patient.pk}" in page and "practitioner=7" in page


def test_day_and_week_views_move_by_day_and_week(client_for, front_desk, physio):
    client = client_for(front_desk)
    day = client.get(reverse("clinic:diary_day"), {"date": f"{MONDAY:%Y-%m-%d}"})
    previous = MONDAY - datetime.timedelta(days=1)
    assert f"?date={previous:%Y-%m-%d}" in day.content.decode()
    week = client.get(
        reverse("clinic:diary_week", args=[physio.pk]),
        {"date": f"{MONDAY + datetime.timedelta(days=2):%Y-%m-%d}"},
    )
    page = week.content.decode()
    assert "Priya Shah: week of" in page
    assert f"?date={MONDAY - datetime.timedelta(days=7):%Y-%m-%d}" in page
    friday = MONDAY + datetime.timedelta(days=4)
    assert f"start={friday:%Y-%m-%d}T16:45" in page
    assert f"start={MONDAY + datetime.timedelta(days=5):%Y-%m-%d}T" not in page  # no weekend


def test_a_bad_date_shows_today(client_for, front_desk):
    response = client_for(front_desk).get(reverse("clinic:diary_day"), {"date": "31/02/2020"})
    assert response.status_code == 200
    assert f"{timezone.localdate():%Y-%m-%d}" in response.content.decode()


def test_the_diary_runs_a_fixed_number_of_queries(client_for, front_desk, physio, other_physio):
    client = client_for(front_desk)
    day_url = f"{reverse('clinic:diary_day')}?date={MONDAY:%Y-%m-%d}"
    week_url = f"{reverse('clinic:diary_week', args=[physio.pk])}?date={MONDAY:%Y-%m-%d}"

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    AppointmentFactory(practitioner=physio, start=at(MONDAY, "09:00"))
    few = queries(day_url), queries(week_url)
    for hour in range(10, 17):
        for who in (physio, other_physio):
            AppointmentFactory(practitioner=who, start=at(MONDAY, f"{hour:02d}:00"))
    assert (queries(day_url), queries(week_url)) == few


@pytest.fixture
def now_appointment(physio, patient):
    start = timezone.localtime().replace(second=0, microsecond=0)
    return AppointmentFactory(
        practitioner=physio, patient=patient, start=start, end=start + datetime.timedelta(minutes=1)
    )


def test_front_desk_checks_the_patient_in(client_for, front_desk, now_appointment, episode):
    client = client_for(front_desk)
    response = client.post(reverse("clinic:appointment_check_in", args=[now_appointment.pk]))
    assert response.status_code == 302
    now_appointment.refresh_from_db()
    assert now_appointment.status == "arrived"
    assert now_appointment.visit.episode == episode


def test_the_physio_starts_the_visit_when_the_episode_is_unclear(
    client_for, front_desk, physio, now_appointment, episode
):
    second = type(episode).objects.create(
        patient=episode.patient, physio=physio, complaint="Neck pain", side="n/a"
    )
    client_for(front_desk).post(reverse("clinic:appointment_check_in", args=[now_appointment.pk]))
    url = reverse("clinic:appointment_start_visit", args=[now_appointment.pk])
    assert client_for(front_desk).get(url).status_code == 403
    client = client_for(physio)
    assert "Start the visit" in client.get(now_appointment.get_absolute_url()).content.decode()
    response = client.post(url, {"episode": second.pk})
    now_appointment.refresh_from_db()
    assert response["Location"] == now_appointment.visit.get_absolute_url()
    assert now_appointment.visit.episode == second


def test_the_front_desk_undoes_a_mistaken_no_show(client_for, front_desk, now_appointment):
    client = client_for(front_desk)
    client.post(reverse("clinic:appointment_no_show", args=[now_appointment.pk]))
    page = client.get(now_appointment.get_absolute_url()).content.decode()
    assert 'Undo "did not attend"' in page and "Patient has arrived" not in page
    response = client.post(
        reverse("clinic:appointment_undo_no_show", args=[now_appointment.pk]), follow=True
    )
    page = response.content.decode()
    assert "Booked again: check the patient in when they arrive." in page
    assert "Patient has arrived" in page
    now_appointment.refresh_from_db()
    assert now_appointment.status == "booked"


def test_undoing_a_no_show_into_a_taken_slot_says_who_has_it(
    client_for, front_desk, now_appointment, physio
):
    client = client_for(front_desk)
    client.post(reverse("clinic:appointment_no_show", args=[now_appointment.pk]))
    AppointmentFactory(
        practitioner=physio,
        patient=PatientFactory(given_name="Walk", family_name="In"),
        start=now_appointment.start,
        end=now_appointment.end,
    )
    response = client.post(
        reverse("clinic:appointment_undo_no_show", args=[now_appointment.pk]), follow=True
    )
    assert "already has an appointment at that time: Walk In" in response.content.decode()
    now_appointment.refresh_from_db()
    assert now_appointment.status == "no_show"


def test_no_show_cancel_and_move(client_for, front_desk, now_appointment, physio):
    client = client_for(front_desk)
    client.post(reverse("clinic:appointment_no_show", args=[now_appointment.pk]))
    now_appointment.refresh_from_db()
    assert now_appointment.status == "no_show"

    booked = scheduling.book(
        practitioner=physio,
        patient=PatientFactory(),
        start=at(MONDAY, "11:00"),
        end=at(MONDAY, "11:30"),
        kind="follow_up",
    )
    response = client.post(
        reverse("clinic:appointment_reschedule", args=[booked.pk]),
        {"practitioner": physio.pk, "start": f"{MONDAY:%Y-%m-%d}T15:00", "minutes": "45"},
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.start, booked.minutes) == (at(MONDAY, "15:00"), 45)

    cancel_url = reverse("clinic:appointment_cancel", args=[booked.pk])
    assert "Cancel the follow-up" in client.get(cancel_url).content.decode()
    assert client.post(cancel_url, {"reason": ""}).status_code == 200  # reason required
    client.post(cancel_url, {"reason": "Rang to cancel"})
    booked.refresh_from_db()
    assert (booked.status, booked.cancel_reason) == ("cancelled", "Rang to cancel")


def test_state_changes_need_post(client_for, front_desk, now_appointment):
    url = reverse("clinic:appointment_check_in", args=[now_appointment.pk])
    assert client_for(front_desk).get(url).status_code == 405


def test_front_desk_sees_no_clinical_content_on_diary_pages(
    client_for, front_desk, now_appointment, episode, visit
):
    visit.notes = "MARKER-clinical-note"
    visit.save()
    Appointment.objects.filter(pk=now_appointment.pk).update(episode=episode, visit=visit)
    episode.follow_up_interval_days = 1
    episode.save()
    client = client_for(front_desk)
    day = f"{timezone.localdate():%Y-%m-%d}"
    pages = [
        reverse("clinic:diary_day") + f"?date={day}",
        reverse("clinic:diary_week", args=[now_appointment.practitioner_id]) + f"?date={day}",
        now_appointment.get_absolute_url(),
        reverse("clinic:follow_ups") + "?within=28",
        reverse("clinic:appointment_create") + f"?episode={episode.pk}",
        episode.patient.get_absolute_url(),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "Jane Doe" in content, url
        assert "MARKER-clinical-note" not in content, url
        assert "Right buttock pain" not in content, url
        assert reverse("clinic:visit_detail", args=[visit.pk]) not in content, url


def test_the_patient_record_lists_appointments(client_for, front_desk, patient, physio):
    appointment = AppointmentFactory(patient=patient, practitioner=physio)
    page = client_for(front_desk).get(patient.get_absolute_url()).content.decode()
    assert "Appointments" in page and appointment.get_absolute_url() in page
    assert f"{reverse('clinic:appointment_create')}?patient={patient.pk}" in page


def test_the_navigation_has_the_diary_for_those_who_use_it(client_for, front_desk, no_role_user):
    page = client_for(front_desk).get(reverse("clinic:home")).content.decode()
    assert reverse("clinic:diary_day") in page and reverse("clinic:follow_ups") in page
    page = client_for(no_role_user).get(reverse("clinic:home")).content.decode()
    assert reverse("clinic:diary_day") not in page


def test_a_new_patients_first_visit_opens_the_episode_in_the_same_step(
    client_for, front_desk, physio, now_appointment
):
    now_appointment.kind = "initial"
    now_appointment.save()
    client_for(front_desk).post(reverse("clinic:appointment_check_in", args=[now_appointment.pk]))
    client = client_for(physio)
    url = reverse("clinic:appointment_start_visit", args=[now_appointment.pk])
    page = client.get(url).content.decode()
    assert "has no open episode of care: name the complaint" in page
    assert "Open a new episode of care" not in page
    response = client.post(url, {"complaint": "", "side": "right"})
    assert "Name the new complaint, or choose one" in response.content.decode()
    assert not now_appointment.patient.episodes.exists()
    response = client.post(url, {"complaint": "Right buttock pain", "side": "right"})
    now_appointment.refresh_from_db()
    assert response["Location"] == now_appointment.visit.get_absolute_url()
    episode = now_appointment.visit.episode
    assert (episode.complaint, episode.side, episode.physio) == (
        "Right buttock pain",
        "right",
        now_appointment.practitioner,
    )
    assert now_appointment.visit.kind == "initial"


def test_the_only_open_episode_is_chosen_already(client_for, physio, now_appointment, episode):
    now_appointment.status = "arrived"  # checked in before the episode was opened
    now_appointment.save()
    url = reverse("clinic:appointment_start_visit", args=[now_appointment.pk])
    page = client_for(physio).get(url).content.decode()
    assert f'<option value="{episode.pk}" selected>' in page
    # A different complaint can still be named instead.
    assert "A new complaint (opens an episode)" in page
