import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

VALID = {
    "given_name": "Amelia",
    "family_name": "Hart",
    "date_of_birth": "1987-04-12",
    "sex": "female",
    "phone": "07700 900456",
    "email": "amelia@example.org",
    "address": "1 High Street",
    "referrer": "Dr Khan, Riverside Surgery",
    "contact_consent": "on",
}


def test_front_desk_registers_a_patient_with_a_clinic_number(client_for, front_desk):
    response = client_for(front_desk).post(reverse("clinic:patient_create"), VALID, follow=True)
    patient = Patient.objects.get(family_name="Hart")
    assert len(patient.identifier) == 9 and patient.identifier[4] == "-"
    assert patient.contact_consent is True
    assert patient.identifier.encode() in response.content
    assert b"is registered as" in response.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("phone", "call me maybe", "Enter a phone number"),
        ("given_name", "", "This field is required"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(client_for, front_desk, field, value, message):
    response = client_for(front_desk).post(reverse("clinic:patient_create"), VALID | {field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Patient.objects.exists()


def test_same_name_and_birth_date_warns_before_registering_again(client_for, front_desk):
    existing = PatientFactory(
        given_name="Amelia", family_name="Hart", date_of_birth=datetime.date(1987, 4, 12)
    )
    client = client_for(front_desk)
    response = client.post(reverse("clinic:patient_create"), VALID)
    assert b"already registered" in response.content
    assert existing.identifier.encode() in response.content
    assert Patient.objects.count() == 1
    client.post(reverse("clinic:patient_create"), VALID | {"confirm_duplicate": "1"})
    assert Patient.objects.count() == 2


def test_edit_keeps_the_clinic_number(client_for, front_desk, patient):
    number = patient.identifier
    data = VALID | {
        "given_name": "Janet",
        "family_name": patient.family_name,
        "revision": patient.revision,
    }
    client_for(front_desk).post(reverse("clinic:patient_update", args=[patient.pk]), data)
    patient.refresh_from_db()
    assert patient.given_name == "Janet" and patient.identifier == number


@pytest.mark.parametrize(
    "query",
    ["Doe", "jane doe", "JANE", "12/03/1980", "1980-03-12"],
)
def test_search_finds_by_name_and_date_of_birth(client_for, front_desk, query):
    PatientFactory(given_name="Jane", family_name="Doe", date_of_birth=datetime.date(1980, 3, 12))
    PatientFactory(
        given_name="Other", family_name="Person", date_of_birth=datetime.date(1970, 1, 1)
    )
    page = client_for(front_desk).get(reverse("clinic:patient_list"), {"q": query}).content
    assert b"Doe, Jane" in page
    assert b"Person, Other" not in page


def test_search_by_clinic_number(client_for, front_desk):
    wanted = PatientFactory()
    PatientFactory()
    page = client_for(front_desk).get(reverse("clinic:patient_list"), {"q": wanted.identifier})
    assert page.context["page"].paginator.count == 1


def test_patient_list_is_paginated(client_for, front_desk):
    PatientFactory.create_batch(30)
    page = client_for(front_desk).get(reverse("clinic:patient_list"))
    assert len(page.context["page"]) == 25
    assert b"Page 1 of 2" in page.content


def test_age_turns_on_the_birthday():
    patient = Patient(date_of_birth=datetime.date(2000, 6, 15))
    assert patient.age(on=datetime.date(2020, 6, 14)) == 19
    assert patient.age(on=datetime.date(2020, 6, 15)) == 20


def test_record_page_shows_episodes_and_visits_to_the_physio(client_for, physio, visit):
    visit.notes = "Worse after sitting."
    visit.save()
    page = client_for(physio).get(visit.episode.patient.get_absolute_url()).content.decode()
    assert "Right buttock pain" in page
    assert "Initial assessment" in page
    assert "Worse after sitting." in page
    assert timezone.localdate().strftime("%Y") in page


def test_the_physio_sees_her_appointments_today_on_the_start_page(client_for, physio, episode):
    import datetime as dt

    from clinic.models import Appointment

    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    Appointment.objects.create(
        patient=episode.patient,
        practitioner=physio,
        episode=episode,
        start=start,
        end=start + dt.timedelta(minutes=30),
        kind="follow_up",
        status="booked",
        created_by=physio,
    )
    page = client_for(physio).get(reverse("clinic:home")).content.decode()
    assert "Your appointments today" in page and "23:00" in page
    assert episode.patient.full_name in page
