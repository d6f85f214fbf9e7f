"""Journey: the physio marks where it hurts, one side at a time.

Priya's patient has pain deep in the right buttock and in the left groin. She taps the
right deep gluteal region on the back view: only that one lights, and only its box in
the list is ticked. The groin is on the front view. Ticking a box in the list lights its
region too, and every region is a target a finger can hit.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessments.buttock_pain import BUTTOCK_PAIN_V2
from assessments.models import Assessment
from tests.e2e.conftest import login

RED_FLAGS = [code for code in BUTTOCK_PAIN_V2.index if code.startswith("rf_")]

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"


@pytest.mark.parametrize("width", [1366, 820])
def test_ticking_the_right_deep_gluteal_region_marks_only_the_right_one(
    page, live_server, physio, visit, width
):
    page.set_viewport_size({"width": width, "height": 1000})
    login(page, live_server, physio)
    page.goto(live_server.url + visit.get_absolute_url() + "assessments/buttock_pain/")

    back = page.locator(".body-chart-back")
    front = page.locator(".body-chart-front")
    right = back.locator('[data-value="deep_gluteal_piriformis_right"]')
    left = back.locator('[data-value="deep_gluteal_piriformis_left"]')
    # Seen from behind, the patient's right is on the viewer's right.
    assert right.bounding_box()["x"] > left.bounding_box()["x"]
    for region in page.locator(".body-chart-svg .region").all():
        box = region.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box

    right.click()
    expect(right).to_have_class("region selected")
    expect(left).to_have_class("region")
    expect(page.get_by_label("Deep gluteal (piriformis), right")).to_be_checked()
    expect(page.get_by_label("Deep gluteal (piriformis), left")).not_to_be_checked()
    expect(page.locator(".body-chart-svg .region.selected")).to_have_count(1)

    # The list ticks the chart too: the left groin, on the front view.
    page.get_by_label("Groin, left").check()
    groin = front.locator('[data-value="groin_left"]')
    expect(groin).to_have_class("region selected")
    expect(front.locator('[data-value="groin_right"]')).to_have_class("region")
    # Seen from the front, the patient's left is on the viewer's right.
    assert (
        groin.bounding_box()["x"] > front.locator('[data-value="groin_right"]').bounding_box()["x"]
    )

    # The reasoning reads the region whatever its side.
    expect(page.locator("#reasoning-panel")).to_contain_text("Piriformis")

    ARTEFACTS.mkdir(exist_ok=True)
    # The section's top just below the patient banner pinned at the top of the page.
    page.evaluate(
        "window.scrollTo(0, document.getElementById('section-pain_location')"
        ".getBoundingClientRect().top + window.scrollY - 110)"
    )
    page.screenshot(path=str(ARTEFACTS / f"body-chart-{width}.png"))

    right.click()  # untick from the chart
    expect(page.get_by_label("Deep gluteal (piriformis), right")).not_to_be_checked()
    right.click()
    for code in RED_FLAGS:  # screened, as saving an initial assessment asks
        page.locator(f'input[name="{code}"][value="no"]').check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("alert").filter(has_text="Assessment saved.")).to_be_visible()
    saved = Assessment.objects.get(visit=visit)
    assert saved.answers["pain_regions"] == ["deep_gluteal_piriformis_right", "groin_left"]
