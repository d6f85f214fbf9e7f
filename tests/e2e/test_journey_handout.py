"""Journey: the physio gives an exercise programme from the clinic's library and prints
the patient's handout; the visit page's steps say what is left.

Priya opens the programme form from the visit page, chooses "Bridge" from the clinic's
library (its instructions and usual dosage fill in), words the instructions for Sam,
saves, and opens the handout Sam takes home: the clinic's name, phone and hours, the
exercise in plain words, and when to get help. Screenshots of the visit page and the
handout at 1366 and 820 px go to tests/e2e/artefacts/.
"""

from playwright.sync_api import expect

from tests.e2e.conftest import E2E_DIR, login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory

ARTEFACTS = E2E_DIR / "artefacts"
WIDTHS = {"laptop": (1366, 768), "tablet": (820, 1180)}


def _screenshots(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    for device, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")  # the sticky banner at the top, where it sits
        page.screenshot(path=ARTEFACTS / f"{name}-{width}.png", full_page=True)
        # Nothing wider than the screen at either width.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px ({device})"


def test_the_physio_prints_a_handout_from_the_clinics_library(page, live_server, physio, settings):
    settings.CLINIC_NAME = "Riverside Physiotherapy"
    settings.CLINIC_PHONE = "020 7946 0000"
    settings.CLINIC_HOURS = "Monday to Friday 8am to 8pm, Saturday 8am to 3pm"
    patient = PatientFactory(given_name="Sam", family_name="Runner")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Right buttock pain")
    visit = VisitFactory(episode=episode, practitioner=physio, kind="initial")

    login(page, live_server, physio)
    page.goto(live_server.url + visit.get_absolute_url())
    steps = page.get_by_role("navigation", name="Steps of this visit")
    expect(steps).to_contain_text("Interventions None recorded yet")
    page.locator("#visit-section-treatment").get_by_role(
        "link", name="Exercise programme", exact=True
    ).click()

    name = page.locator('input[name="exercises-0-name"]')
    name.fill("Bridge")
    name.press("Tab")
    instructions = page.locator('input[name="exercises-0-instructions"]')
    expect(instructions).to_have_value(
        "Lie on your back, knees bent, feet flat on the floor. Squeeze your buttocks and "
        "lift your hips until your shoulders, hips and knees are in a line. Hold, then "
        "lower slowly."
    )
    expect(page.locator('input[name="exercises-0-hold_seconds"]')).to_have_value("3")
    instructions.fill(
        "Lie on your back, knees bent. Squeeze your buttocks and lift your hips; stop "
        "short of the pain in your right buttock. Lower slowly."
    )
    page.get_by_role("button", name="Save exercise programme").click()
    expect(
        page.get_by_role("alert").filter(has_text="Exercise programme recorded.")
    ).to_be_visible()
    expect(steps).to_contain_text("Interventions ✓ Done")
    _screenshots(page, "visit-page")

    page.get_by_role("link", name="Patient handout").click()
    expect(page.get_by_role("heading", name="Your exercises")).to_be_visible()
    handout = page.locator(".handout")
    expect(handout).to_contain_text("Riverside Physiotherapy")
    expect(handout).to_contain_text("Phone 020 7946 0000")
    expect(handout).to_contain_text("Open Monday to Friday 8am to 8pm, Saturday 8am to 3pm")
    expect(page.get_by_role("heading", name="1. Bridge")).to_be_visible()
    expect(handout).to_contain_text("stop short of the pain in your right buttock")
    expect(handout).to_contain_text(
        "How much: 3 sets of 10, hold each for 3 seconds, daily, at home"
    )
    expect(page.get_by_role("heading", name="When to get help")).to_be_visible()
    _screenshots(page, "handout")
