"""Journey: the physio marks the main diagnosis herself.

Priya's findings point to piriformis syndrome and to trigger points. She ticks Piriformis
syndrome first, then Myofascial trigger points (which the list shows first), and marks
Piriformis syndrome as the main one: that is what the visit page, the patient record and
the discharge summary then say, whatever the order of the list. Confirming two sources
without marking one is refused with the reason, keeping what she ticked. On the clinic's
laptop (1366 px) and on a tablet (820 px).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from tests.e2e.conftest import E2E_DIR, login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory

NO_RED_FLAGS = {code: "no" for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")}


@pytest.mark.parametrize("width", [1366, 820])
def test_the_physio_marks_the_main_diagnosis_whatever_the_list_order(
    page, live_server, physio, browser_problems, width
):
    # The refusal below answers 400, as a form with errors does.
    browser_problems.allow(r"HTTP 400 for POST .*/working-diagnosis/")
    browser_problems.allow(r"status of 400 \(Bad Request\)")
    page.set_viewport_size({"width": width, "height": 900})
    patient = PatientFactory(given_name="Lee", family_name="Sitter")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Left buttock pain")
    visit = VisitFactory(episode=episode, practitioner=physio, kind="initial")
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers=NO_RED_FLAGS
        | {
            "pain_regions": ["deep_gluteal_piriformis"],
            "leg_pain": "above_knee",
            "trigger_point_gluteus_medius": "yes",
        },
    )
    login(page, live_server, physio)
    page.goto(live_server.url + visit.get_absolute_url())

    piriformis = page.get_by_role("checkbox", name=re.compile(r"^Piriformis syndrome"))
    trigger_points = page.get_by_role("checkbox", name=re.compile(r"^Myofascial trigger points"))
    # Ticked in this order; the list has trigger points first.
    piriformis.check()
    trigger_points.check()
    page.get_by_role("button", name="Confirm working diagnosis").click()
    # Two sources and no main marked: refused, with the reason, nothing lost.
    expect(page.get_by_text("Mark which pain source is the main diagnosis")).to_be_visible()
    expect(piriformis).to_be_checked()
    expect(trigger_points).to_be_checked()

    page.get_by_role("radio", name="main diagnosis: Piriformis syndrome").check()
    page.screenshot(path=E2E_DIR / "artefacts" / f"main-diagnosis-{width}.png", full_page=True)
    page.get_by_role("button", name="Save the working diagnosis").click()
    expect(
        page.get_by_role("alert").filter(has_text="Working diagnosis confirmed.")
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Confirmed:"))).to_contain_text(
        "Piriformis syndrome (main), Myofascial trigger points (differential)"
    )
    # Marking another source as the main one ticks it, and it becomes the main one.
    page.get_by_role("radio", name="main diagnosis: Sacroiliac joint").check()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Sacroiliac joint"))).to_be_checked()
    page.screenshot(path=E2E_DIR / "artefacts" / f"main-diagnosis-panel-{width}.png")
    page.get_by_role("button", name="Confirm working diagnosis").click()
    expect(
        page.get_by_role("alert").filter(has_text="Working diagnosis confirmed.")
    ).to_be_visible()

    page.goto(live_server.url + patient.get_absolute_url())
    expect(page.get_by_text(re.compile(r"^Working diagnosis:"))).to_contain_text(
        "Sacroiliac joint (main), Myofascial trigger points (differential), "
        "Piriformis syndrome (differential)"
    )
    page.goto(live_server.url + reverse("treatments:discharge_summary", args=[episode.pk]))
    expect(page.locator("dd").filter(has_text="Sacroiliac joint")).to_contain_text(
        "Sacroiliac joint (main)"
    )
