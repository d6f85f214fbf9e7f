"""Each physio's private iCalendar feed: a secret URL, revocable, parsed by `icalendar`,
carrying initials and clinic number but nothing clinical."""

import datetime

import icalendar
import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clinic import scheduling
from clinic.diary import services as diary_services
from clinic.models import CalendarFeed
from tests.clinic.diary_helpers import at, next_monday
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

MONDAY = next_monday()


@pytest.fixture
def feed(physio):
    return diary_services.calendar_feed_renew(practitioner=physio)


@pytest.fixture
def booked(physio, patient, visit):
    visit.notes = "MARKER-clinical-note"
    visit.save()
    return scheduling.book(
        practitioner=physio,
        patient=patient,
        start=at(MONDAY, "10:00"),
        end=at(MONDAY, "10:30"),
        kind="follow_up",
        notes="MARKER-front-desk",
    )


def test_the_feed_parses_and_lists_the_physio_s_appointments(client, feed, booked, other_physio):
    AppointmentFactory(practitioner=other_physio, start=at(MONDAY, "11:00"))
    cancelled = AppointmentFactory(practitioner=feed.practitioner, start=at(MONDAY, "12:00"))
    scheduling.cancel(appointment=cancelled, reason="Unwell")
    response = client.get(feed.get_absolute_url())  # not logged in
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == booked.start
    assert event.decoded("dtend") == booked.end
    assert str(event["summary"]) == f"Follow-up: JD ({booked.patient.identifier})"
    assert str(event["uid"]).startswith(f"appointment-{booked.pk}@")


def test_the_feed_holds_no_name_and_nothing_clinical(client, feed, booked):
    content = client.get(feed.get_absolute_url()).content.decode()
    for secret in ("Jane", "Doe", "MARKER-clinical-note", "MARKER-front-desk", "buttock"):
        assert secret not in content


def test_a_wrong_token_or_physio_is_not_found(client, feed, other_physio):
    first = "y" if feed.token.startswith("x") else "x"  # one token in 64 starts with x
    url = reverse("clinic:calendar_feed", args=[feed.practitioner_id, first + feed.token[1:]])
    assert client.get(url).status_code == 404
    url = reverse("clinic:calendar_feed", args=[other_physio.pk, feed.token])
    assert client.get(url).status_code == 404


def test_a_new_address_kills_the_old_and_revoking_kills_both(client_for, client, physio, feed):
    old_url = feed.get_absolute_url()
    settings_page = client_for(physio)
    response = settings_page.post(reverse("clinic:calendar_feed_settings"), {"action": "renew"})
    assert response.status_code == 302
    new = CalendarFeed.objects.get(practitioner=physio)
    assert new.token != feed.token
    page = settings_page.get(reverse("clinic:calendar_feed_settings")).content.decode()
    assert new.get_absolute_url() in page
    settings_page.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(new.get_absolute_url()).status_code == 200
    client_for(physio).post(reverse("clinic:calendar_feed_settings"), {"action": "revoke"})
    assert not CalendarFeed.objects.exists()
    client.logout()
    assert client.get(new.get_absolute_url()).status_code == 404


def test_an_inactive_physio_s_feed_stops(client, feed):
    feed.practitioner.is_active = False
    feed.practitioner.save()
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_only_the_feed_is_open_without_login(client, feed):
    response = client.get(reverse("clinic:calendar_feed_settings"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_feed_reaches_back_a_month_and_ahead_six(client, feed, physio):
    far = at(MONDAY + datetime.timedelta(days=200), "10:00")
    AppointmentFactory(practitioner=physio, start=far)
    calendar = icalendar.Calendar.from_ical(client.get(feed.get_absolute_url()).content)
    assert calendar.walk("VEVENT") == []


# --- A feed lives only as long as its physio's role ------------------------------------------


def test_a_physio_who_loses_the_role_has_the_feed_stop_at_once(client, feed, physio):
    assert client.get(feed.get_absolute_url()).status_code == 200
    physio.groups.clear()  # moved to another job, or given the wrong role by mistake
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content


def test_a_deactivated_physio_s_feed_stops_at_once(client, feed, booked, physio):
    assert booked.patient.identifier in client.get(feed.get_absolute_url()).content.decode()
    physio.is_active = False
    physio.save()
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 404
    assert booked.patient.identifier not in response.content.decode()


def test_reading_the_feed_records_when_it_was_last_used(client, feed):
    assert feed.last_used_at is None
    client.get(feed.get_absolute_url())
    feed.refresh_from_db()
    assert feed.last_used_at is not None


# --- The Clinic admin sees every feed and revokes any ------------------------------------------


@pytest.fixture
def feeds(feed, other_physio):
    return [feed, diary_services.calendar_feed_renew(practitioner=other_physio)]


def test_the_admin_lists_every_feed_and_never_its_address(client_for, clinic_admin, feeds):
    admin = client_for(clinic_admin)
    page = admin.get(reverse("admin:clinic_calendarfeed_changelist"))
    assert page.status_code == 200
    content = page.content.decode()
    for each in feeds:
        assert each.practitioner.get_full_name() in content or each.practitioner.username in content
        assert each.token not in content
    assert "Revoke the selected calendar feeds" in content
    detail = admin.get(reverse("admin:clinic_calendarfeed_change", args=[feeds[0].pk]))
    assert detail.status_code == 200
    assert feeds[0].token not in detail.content.decode()
    # Read-only: no adding, no editing, no plain delete.
    assert admin.get(reverse("admin:clinic_calendarfeed_add")).status_code == 403
    assert "delete_selected" not in content


def test_the_admin_revokes_a_feed_after_confirming_and_the_audit_log_says_who(
    client_for, client, clinic_admin, feeds
):
    revoked, kept = feeds
    url = reverse("admin:clinic_calendarfeed_changelist")
    form = {"action": "revoke", "_selected_action": [revoked.pk]}
    admin = client_for(clinic_admin)
    confirm = admin.post(url, form)
    assert confirm.status_code == 200  # asked first: nothing revoked yet
    assert "stop working" in confirm.content.decode()
    assert revoked.token not in confirm.content.decode()
    assert CalendarFeed.objects.filter(pk=revoked.pk).exists()

    done = admin.post(url, {**form, "post": "yes"}, follow=True)
    assert "Revoked 1 calendar feed" in done.content.decode()
    assert not CalendarFeed.objects.filter(pk=revoked.pk).exists()
    assert CalendarFeed.objects.filter(pk=kept.pk).exists()
    admin.logout()
    assert client.get(revoked.get_absolute_url()).status_code == 404
    assert client.get(kept.get_absolute_url()).status_code == 200

    entry = LogEntry.objects.get_for_object(revoked).get(action=LogEntry.Action.DELETE)
    assert entry.actor == clinic_admin
    assert revoked.practitioner.username in entry.object_repr
    every_entry = " ".join(str(e.changes) for e in LogEntry.objects.all())
    assert revoked.token not in every_entry and kept.token not in every_entry


def test_only_the_clinic_admin_opens_the_feeds_in_the_admin(client_for, physio, front_desk, feeds):
    url = reverse("admin:clinic_calendarfeed_changelist")
    for user in (physio, front_desk):
        user.is_staff = True  # ticked by mistake: still not let in
        user.save()
        response = client_for(user).get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
