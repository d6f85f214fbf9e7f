"""Journey: the physio records a full initial buttock-pain assessment and signs it.

Priya opens her patient's draft initial visit, records the history (ticking the ischial
tuberosity on the body chart), screens every red flag, records the examination and the
pain score, and sees the likely sources update beside the form before she saves. She
confirms the working diagnosis the suggestions point to and signs the visit; the signed
assessment keeps what the decision support showed.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.buttock_pain import BUTTOCK_PAIN_V1
from tests.e2e.conftest import login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory

RED_FLAGS = [code for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")]


@pytest.fixture
def initial_visit(physio):
    patient = PatientFactory(given_name="Sam", family_name="Runner")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Right buttock pain")
    return VisitFactory(episode=episode, practitioner=physio, kind="initial")


def choose(page, name: str, value: str) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def test_physio_records_an_initial_assessment_confirms_a_diagnosis_and_signs(
    page, live_server, physio, initial_visit
):
    login(page, live_server, physio)
    page.goto(live_server.url + initial_visit.get_absolute_url())
    page.get_by_role("link", name="Start the buttock pain assessment").click()
    expect(page.get_by_role("heading", name="Buttock pain", exact=True)).to_be_visible()
    # The patient stays in view while the form is filled.
    banner = page.get_by_role("region", name="Patient")
    expect(banner).to_contain_text("Sam Runner")
    expect(banner).to_contain_text("Right buttock pain")

    panel = page.locator("#reasoning-panel")
    expect(panel).to_contain_text("No source stands out")

    # History, with the ischial tuberosity ticked by clicking the body chart.
    choose(page, "pain_quality", "precise_localized")
    choose(page, "pain_constancy", "constant")
    page.get_by_label("Sitting", exact=True).check()
    page.get_by_label("Lunging or squatting").check()
    page.get_by_label("Sitting tolerance (minutes)").fill("20")
    choose(page, "low_back_pain", "no")
    page.locator('.body-chart-svg [data-value="ischial_tuberosity_right"]').click()
    expect(page.get_by_label("Ischial tuberosity, right")).to_be_checked()

    # The panel has already updated, without reloading the page.
    expect(panel).to_contain_text("Proximal hamstring tendinopathy")

    for code in RED_FLAGS:
        choose(page, code, "no")
    choose(page, "tender_ischial_tuberosity", "yes")
    choose(page, "test_puranen_orava", "positive")
    choose(page, "test_modified_bent_knee_stretch", "positive")
    choose(page, "test_slump", "negative")
    page.locator('input[name="nprs__nprs"]').fill("6")

    first = panel.locator(".suggestion").first
    expect(first).to_contain_text("1. Proximal hamstring tendinopathy")
    expect(first).to_contain_text("Puranen-Orava")
    expect(panel).to_contain_text("Decision support only")
    expect(page.get_by_role("alert").filter(has_text="Red flag")).to_have_count(0)

    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("alert").filter(has_text="Assessment saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Initial assessment"))).to_be_visible()

    # She confirms the working diagnosis the findings point to.
    page.get_by_role("checkbox", name=re.compile(r"^Proximal hamstring tendinopathy")).check()
    page.get_by_role("button", name="Confirm working diagnosis").click()
    expect(
        page.get_by_role("alert").filter(has_text="Working diagnosis confirmed.")
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Confirmed:\s+Proximal hamstring tendinopathy"))
    ).to_be_visible()

    page.get_by_role("link", name="Sign visit…").click()
    expect(page.locator("#missing-list")).to_contain_text("No SOAP note.")
    page.get_by_label("I sign this visit without them").check()
    page.get_by_role("button", name="Sign visit").click()
    expect(page.get_by_role("alert").filter(has_text="Visit signed.")).to_be_visible()
    expect(
        page.get_by_text("What the decision support showed when the visit was signed")
    ).to_be_visible()

    page.get_by_role("link", name="View assessment").click()
    expect(page.get_by_text("Signed, read-only")).to_be_visible()
    expect(page.get_by_text("Ischial tuberosity, right", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Save assessment")).to_have_count(0)


def test_a_red_flag_shows_the_referral_at_once(page, live_server, physio, initial_visit):
    login(page, live_server, physio)
    page.goto(live_server.url + initial_visit.get_absolute_url() + "assessments/buttock_pain/")
    choose(page, "low_back_pain", "yes")
    choose(page, "rf_saddle_anaesthesia", "yes")
    alert = page.locator("#reasoning-panel .red-flag-alert")
    expect(alert).to_contain_text("Emergency: same-day referral")
    expect(page.locator("#reasoning-panel")).not_to_contain_text("Suggested:")
