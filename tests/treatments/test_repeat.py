"""A follow-up starts from the last visit: its interventions repeated in one click (the
parameters editable before saving, the safety rules unchanged) and its plan."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from tests.factories import EpisodeFactory, VisitFactory
from tests.treatments.conftest import CLEAR_RED_FLAGS
from treatments import services
from treatments.kinds import defaults
from treatments.models import DeliveredIntervention

pytestmark = pytest.mark.django_db

PROGRAMME = {
    "exercises": [
        {"name": "Bridge", "sets": 3, "reps": 10, "setting": "home", "frequency": "daily"},
        {"name": "Clam", "sets": 2, "reps": 15},
    ]
}


@pytest.fixture
def last_visit(screened_visit, physio):
    screened_visit.starts_at = timezone.now() - datetime.timedelta(days=7)
    screened_visit.save()
    services.intervention_record(
        visit=screened_visit, user=physio, kind_code="exercise_programme", params=PROGRAMME
    )
    services.intervention_record(
        visit=screened_visit,
        user=physio,
        kind_code="stretching",
        params={"muscle": "piriformis", "hold_seconds": 45},
    )
    return screened_visit


@pytest.fixture
def follow_up(last_visit, physio):
    return VisitFactory(episode=last_visit.episode, practitioner=physio, kind="follow_up")


def _repeat_url(visit, previous):
    url = reverse("treatments:intervention_add", args=[visit.pk, previous.kind])
    return f"{url}?repeat={previous.pk}"


def test_the_follow_up_offers_the_last_visits_interventions_to_repeat(
    client_for, physio, last_visit, follow_up
):
    client = client_for(physio)
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert "Repeat from the last visit" in page
    stretching = last_visit.interventions.get(kind="stretching")
    assert f'href="{_repeat_url(follow_up, stretching).replace("&", "&amp;")}"' in page
    form = client.get(_repeat_url(follow_up, stretching)).context["form"]
    assert (form["muscle"].value(), form["hold_seconds"].value()) == ("piriformis", 45)

    # Changed before saving: today's hold is longer.
    response = client.post(
        _repeat_url(follow_up, stretching), {"muscle": "piriformis", "hold_seconds": "60"}
    )
    assert response.status_code == 302
    repeated = follow_up.interventions.get()
    assert repeated.params == {"muscle": "piriformis", "hold_seconds": 60}
    assert stretching.params["hold_seconds"] == 45
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert "recorded in this visit" in page


def test_a_repeated_programme_brings_every_exercise(client_for, physio, last_visit, follow_up):
    programme = last_visit.interventions.get(kind="exercise_programme")
    page = client_for(physio).get(_repeat_url(follow_up, programme))
    form = page.context["form"]
    assert form["exercises-0-name"].value() == "Bridge"
    assert form["exercises-1-name"].value() == "Clam"
    assert form["exercises-1-reps"].value() == 15
    assert "As given at the visit of" in page.content.decode()


def test_a_repeat_never_passes_a_red_flag(client_for, physio, episode, follow_up, last_visit):
    consent = {
        "given_on": timezone.localdate(),
        "method": "verbal",
        "risks_discussed": [],
        "right_to_withdraw_explained": True,
    }
    services.consent_record(
        episode=episode, user=physio, intervention_kind="spinal_mobilization", **consent
    )
    mobilization = services.intervention_record(
        visit=last_visit,
        user=physio,
        kind_code="spinal_mobilization",
        params=defaults("spinal_mobilization") | {"level": "l4_l5"},
    )
    # A red flag found at the follow-up.
    assessment_services.assessment_save(
        visit=follow_up,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers=CLEAR_RED_FLAGS | {"rf_trauma": "yes"},
    )
    client = client_for(physio)
    page = client.get(_repeat_url(follow_up, mobilization))
    assert page.context["safety_error"] is not None
    assert "Red flag: spinal mobilization is blocked" in page.content.decode()
    data = {"level": "l4_l5", **{k: v for k, v in mobilization.params.items() if k != "level"}}
    client.post(_repeat_url(follow_up, mobilization), data)
    assert not follow_up.interventions.exists()


def test_an_intervention_of_another_episode_is_not_repeated(client_for, physio, patient, follow_up):
    other_visit = VisitFactory(
        episode=EpisodeFactory(patient=patient, physio=physio), practitioner=physio
    )
    other = services.intervention_record(
        visit=other_visit,
        user=physio,
        kind_code="stretching",
        params={"muscle": "hamstrings", "hold_seconds": 90},
    )
    page = client_for(physio).get(_repeat_url(follow_up, other))
    assert page.context["form"]["hold_seconds"].value() != 90
    assert page.context["repeated"] is None
    assert DeliveredIntervention.objects.count() == 3


def test_the_note_plan_carries_from_the_last_visit(client_for, physio, last_visit, follow_up):
    client = client_for(physio)
    client.post(
        reverse("treatments:visit_note_save", args=[last_visit.pk]),
        {"plan": "Progress bridges; review in a week.", "revision": services.NOT_YET_SAVED},
    )
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert "Progress bridges; review in a week.</textarea>" in page
