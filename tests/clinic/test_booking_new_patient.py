"""A new patient's booking: an initial assessment with whoever is free first (issue 11)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import scheduling
from clinic.diary import selectors as diary_selectors
from clinic.models import Appointment, TimeOff
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db

INITIAL = scheduling.appointment_length("initial")


@pytest.fixture
def new_patient(db):
    return PatientFactory(given_name="Nora", family_name="New")


def _form(client, patient, **params) -> dict:
    page = client.get(
        reverse("clinic:appointment_create"), {"patient": patient.pk, **params}
    ).content.decode()
    selected = dict(
        re.findall(r'<select name="(\w+)".*?<option value="([^"]*)"\s+selected>', page, re.S)
    )
    start = re.search(r'name="start" value="([^"]*)"', page)
    text = re.sub(r"\s+", " ", page)
    return {**selected, "start": start.group(1) if start else "", "page": text}


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_new_patient_is_booked_for_an_initial_assessment_with_the_first_free_physio(
    client_for, front_desk, physio, other_physio, new_patient
):
    # Priya (first by name) is taken at the first free time; Tom is free then.
    first = scheduling.next_free_slot(
        practitioner_id=physio.pk, near=timezone.localdate(), length=INITIAL
    )
    AppointmentFactory(practitioner=physio, start=first, end=first + INITIAL)

    form = _form(client_for(front_desk), new_patient)

    assert form["kind"] == "initial"
    assert form["practitioner"] == str(other_physio.pk)
    assert form["start"] == _local(first)
    assert "A new patient, so an initial assessment." in form["page"]
    assert "with <strong>Tom Reed</strong>, the first free time of any physio." in form["page"]


def test_the_proposal_books_as_it_stands(client_for, front_desk, physio, other_physio, new_patient):
    client = client_for(front_desk)
    form = _form(client, new_patient, propose=1)

    response = client.post(
        reverse("clinic:appointment_create"),
        {
            "patient": new_patient.identifier,
            "practitioner": form["practitioner"],
            "kind": form["kind"],
            "start": form["start"],
        },
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get(patient=new_patient)
    assert appointment.kind == "initial"
    assert appointment.practitioner == physio  # both free: the first by name
    assert appointment.end - appointment.start == INITIAL


def test_a_physio_away_is_passed_over(client_for, front_desk, physio, other_physio, new_patient):
    today = timezone.localdate()
    TimeOff.objects.create(
        practitioner=physio, first_day=today, last_day=today + datetime.timedelta(days=40)
    )
    form = _form(client_for(front_desk), new_patient)
    assert form["practitioner"] == str(other_physio.pk)


def test_a_chosen_physio_gets_their_own_first_free_time(
    client_for, front_desk, physio, other_physio, new_patient
):
    first = scheduling.next_free_slot(
        practitioner_id=other_physio.pk, near=timezone.localdate(), length=INITIAL
    )
    form = _form(client_for(front_desk), new_patient, practitioner=other_physio.pk)
    assert (form["kind"], form["practitioner"], form["start"]) == (
        "initial",
        str(other_physio.pk),
        _local(first),
    )
    assert "the first free time of this physio." in form["page"]


def test_a_time_chosen_in_the_diary_is_kept(client_for, front_desk, physio, new_patient):
    start = f"{timezone.localdate() + datetime.timedelta(days=9):%Y-%m-%d}T11:00"
    form = _form(client_for(front_desk), new_patient, practitioner=physio.pk, start=start)
    assert (form["kind"], form["start"]) == ("initial", start)
    assert 'id="proposed-slot"' not in form["page"]


def test_a_patient_with_an_episode_is_not_new(client_for, front_desk, physio, patient):
    EpisodeFactory(patient=patient, physio=physio)
    form = _form(client_for(front_desk), patient)
    assert form["kind"] == "follow_up"
    assert 'id="proposed-slot"' not in form["page"]


def test_no_physio_free_says_so(client_for, front_desk, physio, new_patient):
    today = timezone.localdate()
    TimeOff.objects.create(
        practitioner=physio, first_day=today, last_day=today + datetime.timedelta(days=40)
    )
    form = _form(client_for(front_desk), new_patient)
    assert "No physio has a free slot in the next four weeks." in form["page"]
    assert form["start"] == "" and form["kind"] == "initial"


def test_the_first_free_slot_of_several_physios_is_four_queries(
    physio, other_physio, django_assert_num_queries
):
    with django_assert_num_queries(4):
        found = diary_selectors.first_free_slot(
            practitioner_ids=[physio.pk, other_physio.pk],
            near=timezone.localdate(),
            length=INITIAL,
        )
    assert found is not None and found[0] == physio.pk
