"""Journeys: what saves and signs an assessment, and what never does.

Priya types the sitting tolerance and presses Enter out of habit: nothing is finalised,
the assessment is still a draft she goes on with. An assessment with nothing in it (every
red flag "not asked", no measures, no note) is never signed, even when she confirms; a
visit missing parts is signed only once she ticks that she signs without them, on a page
that lists them. On the clinic's laptop (1366 px) and on a tablet (820 px).
"""

import pytest
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.models import Assessment, AssessmentStatus
from tests.e2e.conftest import E2E_DIR, login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory

WIDTHS = [1366, 820]


@pytest.fixture
def initial_visit(physio):
    patient = PatientFactory(given_name="Ada", family_name="Bench")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Right buttock pain")
    return VisitFactory(episode=episode, practitioner=physio, kind="initial")


@pytest.mark.parametrize("width", WIDTHS)
def test_enter_in_a_field_never_saves_the_assessment(
    page, live_server, physio, initial_visit, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, physio)
    page.goto(live_server.url + initial_visit.get_absolute_url())
    page.get_by_role("link", name="Start the buttock pain assessment").click()
    tolerance = page.get_by_label("Sitting tolerance (minutes)")
    tolerance.fill("20")
    tolerance.press("Enter")
    page.locator('input[name="nprs__nprs"]').fill("6")
    page.locator('input[name="nprs__nprs"]').press("Enter")
    # Still the form, as typed: nothing was submitted.
    expect(page.get_by_role("heading", name="Buttock pain", exact=True)).to_be_visible()
    expect(tolerance).to_have_value("20")
    expect(page.get_by_role("alert").filter(has_text="Assessment saved.")).to_have_count(0)
    # The autosave still keeps it as a draft meanwhile.
    expect(page.locator("#autosave-status")).to_contain_text("Draft kept", timeout=15_000)
    page.screenshot(path=E2E_DIR / "artefacts" / f"enter-never-saves-{width}.png")
    assessment = Assessment.objects.get(visit=initial_visit)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.draft["sitting_tolerance_minutes"] == ["20"]


RED_FLAGS = [code for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")]


def _save(visit, physio, answers):
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers=answers
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_an_empty_assessment_is_never_signed(page, live_server, physio, initial_visit, width):
    page.set_viewport_size({"width": width, "height": 900})
    _save(
        initial_visit,
        physio,
        {"sitting_tolerance_minutes": 20} | dict.fromkeys(RED_FLAGS, "not_asked"),
    )
    login(page, live_server, physio)
    page.goto(live_server.url + initial_visit.get_absolute_url())
    page.get_by_role("link", name="Sign visit…").click()
    missing = page.locator("#missing-list")
    expect(missing).to_contain_text("13 of 13 red-flag questions not answered yes or no.")
    expect(missing).to_contain_text("No outcome measures recorded.")
    expect(missing).to_contain_text("No SOAP note.")
    page.get_by_label("I sign this visit without them").check()
    page.screenshot(path=E2E_DIR / "artefacts" / f"sign-empty-{width}.png", full_page=True)
    page.get_by_role("button", name="Sign visit").click()
    expect(page.get_by_role("alert").filter(has_text="records nothing yet")).to_be_visible()
    expect(page.get_by_role("link", name="Sign visit…")).to_be_visible()
    initial_visit.refresh_from_db()
    assert initial_visit.status == "draft"


@pytest.mark.parametrize("width", WIDTHS)
def test_signing_with_parts_missing_needs_the_tick(
    page, live_server, physio, initial_visit, browser_problems, width
):
    # Signing unticked answers 400, as a form with errors does.
    browser_problems.allow(r"HTTP 400 for POST .*/sign/")
    browser_problems.allow(r"status of 400 \(Bad Request\)")
    page.set_viewport_size({"width": width, "height": 900})
    _save(initial_visit, physio, dict.fromkeys(RED_FLAGS, "no") | {"nprs": {"nprs": 5}})
    login(page, live_server, physio)
    page.goto(live_server.url + initial_visit.get_absolute_url())
    page.get_by_role("link", name="Sign visit…").click()
    missing = page.locator("#missing-list")
    expect(missing).to_contain_text("No SOAP note.")
    expect(missing).to_contain_text("No interventions recorded.")
    expect(missing).not_to_contain_text("outcome measures")
    page.get_by_role("button", name="Sign visit").click()
    expect(page.get_by_text("Tick that you sign without these")).to_be_visible()
    initial_visit.refresh_from_db()
    assert initial_visit.status == "draft"
    page.screenshot(path=E2E_DIR / "artefacts" / f"sign-missing-{width}.png", full_page=True)
    page.get_by_label("I sign this visit without them").check()
    page.get_by_role("button", name="Sign visit").click()
    expect(page.get_by_role("alert").filter(has_text="Visit signed.")).to_be_visible()
