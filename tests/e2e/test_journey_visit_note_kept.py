"""Journey: the SOAP note typed on the visit page is not left behind, and a step's link
lands below the pinned patient banner.

A tester typed the note (above "Treatment given" on the visit page), then recorded an
intervention: the note was gone without a word. And the step bar's "SOAP note" link put the
note's heading under the banner on a tablet.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory


@pytest.mark.parametrize("width, height", [(1366, 768), (820, 1180)])
def test_a_note_typed_on_the_visit_page_is_not_lost(page, live_server, physio, width, height):
    page.set_viewport_size({"width": width, "height": height})
    patient = PatientFactory(given_name="Sam", family_name="Runner")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Right buttock pain")
    visit = VisitFactory(episode=episode, practitioner=physio, kind="initial")
    login(page, live_server, physio)
    page.goto(live_server.url + visit.get_absolute_url())

    # The step bar's link: the note's heading is in view, below the banner.
    page.get_by_role("navigation", name="Steps of this visit").get_by_role(
        "link", name="SOAP note"
    ).click()
    heading = page.get_by_role("heading", name="Visit note (SOAP)")
    expect(heading).to_be_in_viewport()
    banner = page.locator(".patient-banner").bounding_box()
    assert heading.bounding_box()["y"] >= banner["y"] + banner["height"]

    page.get_by_label("Subjective update").fill("Sitting 30 minutes now")
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("#visit-section-treatment").get_by_role(
        "link", name="Education", exact=True
    ).click()
    # The page asked first; the physio stayed, and the note is still there.
    expect(page.get_by_label("Subjective update")).to_have_value("Sitting 30 minutes now")
    assert asked == ["beforeunload"]

    page.remove_listener("dialog", stay)
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_label("Subjective update")).to_have_value("Sitting 30 minutes now")
    # Saved: leaving now asks nothing.
    page.locator("#visit-section-treatment").get_by_role(
        "link", name="Education", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Record: Education")).to_be_visible()


def test_the_assessment_asks_before_unsaved_work_is_left_and_not_once_the_draft_is_kept(
    page, live_server, physio
):
    patient = PatientFactory(given_name="Sam", family_name="Runner")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Right buttock pain")
    visit = VisitFactory(episode=episode, practitioner=physio, kind="initial")
    login(page, live_server, physio)
    page.goto(live_server.url + f"/visits/{visit.pk}/assessments/buttock_pain/")

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_label("Sitting tolerance (minutes)").fill("20")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_label("Sitting tolerance (minutes)")).to_have_value("20")
    assert asked == ["beforeunload"]

    # The autosave keeps the draft: leaving now asks nothing.
    expect(page.locator("#autosave-status")).to_contain_text("Draft kept at", timeout=15_000)
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(live_server.url + visit.get_absolute_url())
    assert asked == ["beforeunload"]
