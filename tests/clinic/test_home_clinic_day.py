"""The front desk's start page lists today's appointments and checks patients in (issue 11)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Appointment
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _today_at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute))
    )


@pytest.fixture
def day(physio, other_physio, episode):
    """Jane Doe at 9:00 with Priya (her episode: right buttock pain), Sam Lee at 10:30 with
    Tom, a cancelled one and tomorrow's."""
    sam = PatientFactory(given_name="Sam", family_name="Lee")
    tomorrow = _today_at(9) + datetime.timedelta(days=1)
    return {
        "jane": AppointmentFactory(
            patient=episode.patient,
            practitioner=physio,
            start=_today_at(9),
            end=_today_at(9, 30),
            kind="follow_up",
        ),
        "sam": AppointmentFactory(
            patient=sam,
            practitioner=other_physio,
            start=_today_at(10, 30),
            end=_today_at(11, 15),
            kind="initial",
        ),
        "cancelled": AppointmentFactory(
            patient=PatientFactory(given_name="Cleo", family_name="Gone"),
            practitioner=physio,
            start=_today_at(12),
            end=_today_at(12, 30),
            status="cancelled",
            cancel_reason="Unwell",
            cancelled_at=timezone.now(),
        ),
        "tomorrow": AppointmentFactory(
            patient=PatientFactory(given_name="Tia", family_name="Later"),
            practitioner=physio,
            start=tomorrow,
            end=tomorrow + datetime.timedelta(minutes=30),
        ),
    }


def _rows(html: str) -> list[str]:
    table = re.search(r'<table[^>]*id="clinic-day".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_the_front_desk_sees_today_s_appointments_of_every_physio(client_for, front_desk, day):
    page = client_for(front_desk).get(reverse("clinic:home")).content.decode()

    assert "Today's appointments" in page
    rows = _rows(page)
    assert len(rows) == 2  # not the cancelled one, not tomorrow's
    jane, sam = day["jane"].patient, day["sam"].patient
    assert rows[0].startswith(f"09:00 Jane Doe {jane.identifier} Priya Shah Follow-up")
    assert "Not arrived yet" in rows[0] and "Check in Jane Doe at 09:00" in rows[0]
    assert rows[1].startswith(f"10:30 Sam Lee {sam.identifier} Tom Reed Initial assessment")
    # Nothing clinical: the episode's complaint is not on the page.
    assert "buttock pain" not in page.lower()


def test_the_front_desk_checks_a_patient_in_from_the_start_page(client_for, front_desk, day):
    client = client_for(front_desk)
    appointment = day["jane"]

    response = client.post(
        reverse("clinic:appointment_check_in", args=[appointment.pk]),
        {"next": reverse("clinic:home")},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("clinic:home")
    page = response.content.decode()
    assert "Jane Doe has arrived." in page
    appointment.refresh_from_db()
    assert appointment.status == "arrived"
    assert appointment.visit is not None  # her one open episode: the visit is started
    jane = _rows(page)[0]
    assert "Arrived" in jane and "Check in" not in jane
    assert "Check in Sam Lee" in _rows(page)[1]
    assert "buttock pain" not in page.lower()


def test_the_check_in_rules_still_hold_from_the_start_page(client_for, front_desk, day):
    """The same service: an appointment already checked in is not checked in twice."""
    client = client_for(front_desk)
    url = reverse("clinic:appointment_check_in", args=[day["sam"].pk])
    client.post(url, {"next": reverse("clinic:home")})

    response = client.post(url, {"next": reverse("clinic:home")}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("clinic:home")
    assert "Only a booked appointment can be checked in; this one is arrived." in (
        response.content.decode()
    )
    assert Appointment.objects.get(pk=day["sam"].pk).visit is None  # a new patient: no episode


def test_check_in_goes_back_only_to_a_page_of_this_site(client_for, front_desk, day):
    response = client_for(front_desk).post(
        reverse("clinic:appointment_check_in", args=[day["jane"].pk]),
        {"next": "https://evil.example/"},
    )
    assert response.url == day["jane"].get_absolute_url()


def test_the_clinic_admin_sees_the_list_and_checks_in(client_for, clinic_admin, day):
    client = client_for(clinic_admin)
    page = client.get(reverse("clinic:home")).content.decode()
    assert len(_rows(page)) == 2

    client.post(
        reverse("clinic:appointment_check_in", args=[day["sam"].pk]),
        {"next": reverse("clinic:home")},
    )

    assert Appointment.objects.get(pk=day["sam"].pk).status == "arrived"


def test_the_physio_keeps_her_own_list_not_the_clinic_s(client_for, physio, day):
    page = client_for(physio).get(reverse("clinic:home")).content.decode()
    assert "Your appointments today" in page and "Jane Doe" in page
    assert 'id="clinic-day"' not in page
    assert "Sam Lee" not in page  # Tom's patient


def test_a_day_without_appointments_says_so(client_for, front_desk):
    EpisodeFactory()  # an episode, no appointment
    page = client_for(front_desk).get(reverse("clinic:home")).content.decode()
    assert "Today's appointments" in page and "No appointments today." in page


def test_the_list_is_one_query(front_desk, day, django_assert_num_queries):
    from clinic.selectors import clinic_day

    with django_assert_num_queries(1):
        listed = clinic_day(timezone.localdate())
        assert [a.patient.full_name for a in listed] == ["Jane Doe", "Sam Lee"]
        assert [a.practitioner.last_name for a in listed] == ["Shah", "Reed"]
