"""Journey: a red-flag patient's blocked pages, on a clinic laptop and a tablet.

The assessment of Sam Patel screened positive for cauda equina. Priya opens the visit and
tries each intervention the red flag blocks: each page says the red flag first, in view,
and offers no consent to record (issue 11).
"""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from tests.e2e.conftest import login
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory, VisitFactory

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


@pytest.mark.parametrize("width,height", [(1366, 768), (820, 1180)])
def test_the_physio_records_the_referral_and_the_marker_follows_the_patient(
    page, live_server, physio, flagged_visit, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, physio)
    page.goto(live_server.url + reverse("clinic:home"))
    marked = page.locator(".marked-patients")
    expect(marked).to_contain_text("Patients with an open red flag")
    expect(marked).to_contain_text("Sam Patel")
    expect(marked).to_contain_text("no referral recorded yet")
    page.screenshot(path=ARTEFACTS / f"red-flag-home-{width}.png", full_page=True)

    page.goto(
        live_server.url
        + reverse("treatments:intervention_add", args=[flagged_visit.pk, "dry_needling"])
    )
    page.locator(".red-flag-block").get_by_role("link", name="Record the referral").click()
    expect(page.get_by_label("Emergency: same day")).to_be_checked()
    page.get_by_label("Emergency department").check()
    page.get_by_label("Name").fill("St Mary's ED")
    page.get_by_label("Phone").check()
    page.get_by_label("Note").fill("Spoke to the registrar; patient going now.")
    page.screenshot(path=ARTEFACTS / f"red-flag-referral-form-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Record the referral").click()
    # Back on the blocked page, which now says the referral was made.
    block = page.locator(".red-flag-block")
    expect(block).to_contain_text("Referral recorded: Emergency department (St Mary's ED)")
    banner = page.locator(".patient-banner")
    expect(banner).to_contain_text("Red flag: Possible cauda equina syndrome (referral recorded)")
    page.screenshot(path=ARTEFACTS / f"red-flag-after-referral-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_front_desk_sees_only_see_the_physio_first(
    page, live_server, front_desk, physio, flagged_visit
):
    page.set_viewport_size({"width": 820, "height": 1180})
    login(page, live_server, front_desk)
    page.goto(live_server.url + flagged_visit.episode.patient.get_absolute_url())
    expect(page.locator(".patient-banner")).to_contain_text("See the physio before treatment")
    expect(page.get_by_text("cauda equina", exact=False)).to_have_count(0)
    page.goto(live_server.url + reverse("clinic:home"))
    expect(page.locator(".marked-patients")).to_contain_text("See the physio before treatment")
    expect(page.get_by_text("Red flag", exact=False)).to_have_count(0)
    page.screenshot(path=ARTEFACTS / "red-flag-front-desk-home-820.png", full_page=True)

    # The diary entry says the same, and nothing more.
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    AppointmentFactory(patient=flagged_visit.episode.patient, practitioner=physio, start=start)
    page.goto(live_server.url + reverse("clinic:diary_day") + f"?date={start:%Y-%m-%d}")
    entry = page.locator(".diary-appointment").filter(has_text="Sam Patel")
    expect(entry).to_contain_text("See the physio before treatment")
    expect(page.get_by_text("Red flag", exact=False)).to_have_count(0)
    page.screenshot(path=ARTEFACTS / "red-flag-front-desk-diary-820.png", full_page=True)


def test_each_kinds_consent_form_lists_its_own_risks(page, live_server, physio, flagged_visit):
    page.set_viewport_size({"width": 820, "height": 1180})
    login(page, live_server, physio)
    url = reverse("treatments:consent_add", args=[flagged_visit.episode.pk])
    page.goto(live_server.url + url + "?kind=spinal_mobilization")
    expect(page.get_by_label("Headache for a day or two")).to_be_visible()
    expect(page.get_by_text("Pneumothorax", exact=False)).to_have_count(0)
    page.screenshot(path=ARTEFACTS / "consent-spinal_mobilization-820.png", full_page=True)
