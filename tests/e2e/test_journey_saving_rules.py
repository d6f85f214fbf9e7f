"""Journeys: what saves and signs an assessment, and what never does.

Priya types the sitting tolerance and presses Enter out of habit: nothing is finalised,
the assessment is still a draft she goes on with. On the clinic's laptop (1366 px) and on
a tablet (820 px).
"""

import pytest
from playwright.sync_api import expect

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
