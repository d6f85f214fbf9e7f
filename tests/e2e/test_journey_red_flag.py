"""Journey: a red-flag patient's blocked pages, on a clinic laptop and a tablet.

The assessment of Sam Patel screened positive for cauda equina. Priya opens the visit and
tries each intervention the red flag blocks: each page says the red flag first, in view,
and offers no consent to record (issue 11).
"""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from tests.e2e.conftest import login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
CLEAR = {code: "no" for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")}
BLOCKED = {
    "spinal_mobilization": "Spinal mobilization",
    "spinal_manipulation": "Spinal manipulation",
    "dry_needling": "Dry needling",
}


@pytest.fixture
def flagged_visit(physio):
    patient = PatientFactory(given_name="Sam", family_name="Patel")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Low back and buttock pain")
    visit = VisitFactory(episode=episode, practitioner=physio, kind="initial")
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers=CLEAR | {"rf_saddle_anaesthesia": "yes", "rf_bladder_bowel": "yes"},
    )
    return visit


@pytest.mark.parametrize("width,height", [(1366, 768), (820, 1180)])
def test_each_blocked_page_shows_the_red_flag_first(
    page, live_server, physio, flagged_visit, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, physio)
    page.goto(live_server.url + flagged_visit.get_absolute_url())
    treatment = page.locator("#visit-section-treatment")
    expect(treatment).to_contain_text(
        "Spinal mobilization, spinal manipulation and dry needling are blocked"
    )
    ARTEFACTS.mkdir(exist_ok=True)
    for code, label in BLOCKED.items():
        page.goto(
            live_server.url + reverse("treatments:intervention_add", args=[flagged_visit.pk, code])
        )
        block = page.locator(".red-flag-block")
        expect(block).to_be_visible()
        expect(block).to_contain_text(f"Red flag: {label.lower()} is blocked")
        expect(block).to_contain_text("Possible cauda equina syndrome")
        # The reason is on the first screen, above anything else the page asks for.
        box = block.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height
        expect(page.get_by_role("link", name="Record consent")).to_have_count(0)
        expect(page.get_by_role("button", name=f"Save {label.lower()}")).to_have_count(0)
        # No horizontal scroll at this width.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=ARTEFACTS / f"red-flag-{code}-{width}.png", full_page=True)
