"""A red flag blocks every kind it should, and each blocked page says so first (issue 11)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.reasoning import rulesets
from treatments import services
from treatments.kinds import RED_FLAGS_CLEAR, kinds

from .conftest import CLEAR_RED_FLAGS

pytestmark = pytest.mark.django_db

BLOCKED = ["spinal_mobilization", "spinal_manipulation", "dry_needling"]


@pytest.fixture
def flagged_visit(visit, physio):
    """A draft visit whose assessment screened positive for cauda equina."""
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers=CLEAR_RED_FLAGS | {"rf_saddle_anaesthesia": "yes", "low_back_pain": "yes"},
    )
    return visit


def add_url(visit, kind):
    return reverse("treatments:intervention_add", args=[visit.pk, kind])


def test_the_kinds_a_red_flag_blocks_are_those_the_rules_name():
    assert [kind.code for kind in kinds.needing(RED_FLAGS_CLEAR)] == BLOCKED
    assert list(rulesets.get("buttock_pain").red_flag_blocks) == BLOCKED


@pytest.mark.parametrize("kind", BLOCKED)
def test_a_red_flag_is_the_first_reason_even_without_consent(physio, flagged_visit, kind):
    with pytest.raises(services.SafetyError, match="red flag") as refusal:
        services.check_preconditions(episode=flagged_visit.episode, kind_code=kind)
    assert refusal.value.missing == RED_FLAGS_CLEAR
    assert [alert.outcome for alert in refusal.value.red_flags] == ["cauda_equina"]


@pytest.mark.parametrize("kind", BLOCKED)
def test_each_blocked_page_shows_the_red_flag_first_and_no_consent_action(
    client_for, physio, flagged_visit, kind
):
    page = client_for(physio).get(add_url(flagged_visit, kind)).content.decode()
    body = page[page.index("<h1") :]
    assert "Red flag:" in body
    assert "Possible cauda equina syndrome" in body
    assert "Spinal mobilization, spinal manipulation and dry needling are blocked" in body
    # Nothing steers towards consent or a screen, and there is no form to fill in.
    assert "Record consent" not in body
    assert "consent_add" not in body and "/consents/new/" not in body
    assert "/screens/new/" not in body
    assert "needs the patient's recorded consent" not in body
    assert f"Save {kinds.get(kind).label.lower()}" not in body


@pytest.mark.parametrize("kind", BLOCKED)
def test_a_post_is_refused_with_the_red_flag_too(client_for, physio, flagged_visit, kind):
    response = client_for(physio).post(add_url(flagged_visit, kind), {"level": "l4_l5"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Possible cauda equina syndrome" in page and "Record consent" not in page
    assert not flagged_visit.interventions.exists()


def test_consent_recorded_does_not_lift_the_block(client_for, physio, flagged_visit):
    services.consent_record(
        episode=flagged_visit.episode,
        user=physio,
        intervention_kind="spinal_mobilization",
        given_on=timezone.localdate(),
        method="verbal",
        risks_discussed=[],
        right_to_withdraw_explained=True,
    )
    page = client_for(physio).get(add_url(flagged_visit, "spinal_mobilization")).content.decode()
    assert "Possible cauda equina syndrome" in page


def test_kinds_a_red_flag_does_not_block_stay_open(client_for, physio, flagged_visit):
    page = client_for(physio).get(add_url(flagged_visit, "exercise_programme")).content.decode()
    assert "red-flag-block" not in page and "Save exercise programme" in page


def test_once_cleared_the_page_asks_for_consent_again(client_for, physio, flagged_visit):
    alert = flagged_visit.episode.red_flag_alerts.get()
    assessment_services.red_flag_clear(alert=alert, user=physio, reason="Seen in ED: no CES.")
    page = client_for(physio).get(add_url(flagged_visit, "spinal_manipulation")).content.decode()
    assert "red-flag-block" not in page and "Record consent" in page


def test_the_banners_list_exactly_the_kinds_blocked(client_for, physio, flagged_visit):
    client = client_for(physio)
    words = "Spinal mobilization, spinal manipulation and dry needling are blocked"
    visit_page = client.get(flagged_visit.get_absolute_url()).content.decode()
    record_page = client.get(flagged_visit.episode.patient.get_absolute_url()).content.decode()
    panel = client.post(
        reverse("assessments:reasoning_panel", args=[flagged_visit.pk, "buttock_pain"]),
        {"rf_saddle_anaesthesia": "yes"},
    ).content.decode()
    for page in (visit_page, record_page, panel):
        assert words in page
        assert "Manipulation and dry needling are blocked" not in page


def test_the_consent_form_says_consent_does_not_lift_the_red_flag(
    client_for, physio, flagged_visit
):
    url = reverse("treatments:consent_add", args=[flagged_visit.episode.pk])
    page = client_for(physio).get(url, {"kind": "spinal_mobilization"}).content.decode()
    assert "Spinal mobilization stays blocked, whatever consent is recorded" in page
