"""The handout a patient keeps, and the exercise library the clinic curates."""

import pytest
from django.urls import reverse

from treatments import services
from treatments.models import Exercise

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(physio, visit):
    return services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="exercise_programme",
        params={
            "exercises": [
                {
                    "name": "Bridge",
                    "instructions": "Lift your hips until you are in a line; lower slowly.",
                    "sets": 3,
                    "reps": 10,
                    "hold_seconds": 5,
                    "load": "red band",
                    "frequency": "twice_daily",
                    "setting": "home",
                    "progression": "Add 2 reps a week if pain stays at 3 or less.",
                },
                {"name": "Seated buttock stretch", "reps": 3, "hold_seconds": 30},
            ]
        },
    )


def test_the_handout_names_the_clinic_and_says_each_exercise_in_plain_words(
    client_for, physio, programme, settings
):
    settings.CLINIC_NAME = "Riverside Physiotherapy"
    settings.CLINIC_PHONE = "020 7946 0000"
    settings.CLINIC_HOURS = "Monday to Friday 8am to 8pm, Saturday 8am to 3pm"
    page = client_for(physio).get(reverse("treatments:exercise_handout", args=[programme.pk]))
    html = page.content.decode()
    assert "Riverside Physiotherapy" in html
    assert "Phone 020 7946 0000 · Open Monday to Friday 8am to 8pm, Saturday 8am to 3pm" in html
    assert "Lift your hips until you are in a line; lower slowly." in html
    assert "3 sets of 10, hold each for 5 seconds, with red band, twice a day, at home" in html
    assert "3 times, hold each for 30 seconds" in html
    assert "Add 2 reps a week if pain stays at 3 or less." in html
    assert "Go to the emergency department straight away" in html
    assert "call the clinic on 020 7946 0000" in html


def test_a_clinic_with_no_phone_or_hours_set_prints_neither(
    client_for, physio, programme, settings
):
    settings.CLINIC_PHONE = ""
    settings.CLINIC_HOURS = ""
    html = (
        client_for(physio)
        .get(reverse("treatments:exercise_handout", args=[programme.pk]))
        .content.decode()
    )
    assert "Phone" not in html and "Open " not in html
    assert "call the clinic." in html


def test_the_physio_writes_the_instructions_for_the_patient(client_for, physio, visit):
    client = client_for(physio)
    response = client.post(
        reverse("treatments:intervention_add", args=[visit.pk, "exercise_programme"]),
        {
            "exercises-0-name": "Clam",
            "exercises-0-instructions": "Knees bent, heels together; lift the top knee.",
            "exercises-0-sets": "3",
            "exercises-0-reps": "12",
        },
    )
    assert response.status_code == 302
    row = visit.interventions.get().params["exercises"][0]
    assert row["instructions"] == "Knees bent, heels together; lift the top knee."


def test_the_programme_form_offers_the_clinics_library(client_for, physio, visit):
    # Seeded by the migration, in our own words.
    assert {"Bridge", "Clam", "Bird dog"} <= set(Exercise.objects.values_list("name", flat=True))
    Exercise.objects.filter(name="Clam").update(active=False)
    html = (
        client_for(physio)
        .get(reverse("treatments:intervention_add", args=[visit.pk, "exercise_programme"]))
        .content.decode()
    )
    assert 'list="exercise-library"' in html
    assert (
        '<option value="Bridge" data-fills="{&quot;instructions&quot;: &quot;Lie on your back'
        in html
    )
    assert '<option value="Clam"' not in html
    assert "treatments/exercise_library.js" in html


def test_only_the_clinic_admin_curates_the_library(client_for, clinic_admin, physio):
    url = reverse("admin:treatments_exercise_changelist")
    assert client_for(clinic_admin).get(url).status_code == 200
    response = client_for(clinic_admin).post(
        reverse("admin:treatments_exercise_add"),
        {
            "name": "Side plank",
            "instructions": "Lie on your side and lift your hips.",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Exercise.objects.filter(name="Side plank").exists()
    assert client_for(physio).get(url).status_code in (302, 403)


def test_the_handout_prints_for_a_host_without_the_clinic_settings(
    client_for, physio, programme, settings
):
    del settings.CLINIC_NAME, settings.CLINIC_PHONE, settings.CLINIC_HOURS
    page = client_for(physio).get(reverse("treatments:exercise_handout", args=[programme.pk]))
    assert page.status_code == 200
    assert "The clinic" in page.content.decode()
