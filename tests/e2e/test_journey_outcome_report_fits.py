"""Journey: the outcome report fits a 1366-px clinic laptop and an 820-px tablet (issue 11).

No horizontal scroll of the page, every filter label readable in full, the footnote inside
the viewport; the wide table scrolls inside its own box with the group names kept in view.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.seeding import demo_clinic_create
from tests.e2e.conftest import E2E_DIR, login

ARTEFACTS = E2E_DIR / "artefacts"


@pytest.mark.parametrize("width", [1366, 820])
def test_the_report_fits_the_screen(page, live_server, clinic_admin, width):
    demo_clinic_create(patients=40, seed=1, batch_size=500, show_progress=False)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, clinic_admin)
    page.goto(live_server.url + reverse("treatments:outcome_report"))
    expect(page.get_by_role("heading", name="Outcomes by main diagnosis")).to_be_visible()
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"outcome-report-{width}.png", full_page=True)

    table = page.evaluate(
        "() => { const t = document.getElementById('outcome-report'); t.style.width = 'min-content';"
        " const w = [t.scrollWidth, document.querySelector('.report-scroll').clientWidth];"
        " t.style.width = ''; return w; }"
    )
    print(f"{width} px: the table is {table[0]} px wide in a box of {table[1]} px")
    fits = page.evaluate(
        """() => {
            const canvas = document.createElement("canvas").getContext("2d");
            // A select cuts its chosen option's text short without any scroll width.
            const cutShort = (select) => {
                const style = getComputedStyle(select);
                canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                const room = select.clientWidth - parseFloat(style.paddingLeft)
                    - parseFloat(style.paddingRight);
                return canvas.measureText(select.selectedOptions[0].text).width > room;
            };
            const filters = document.querySelector(".report-filters");
            return {
                page: document.scrollingElement.scrollWidth,
                viewport: window.innerWidth,
                labels: [...filters.querySelectorAll("label")]
                    .filter(l => l.scrollWidth > l.clientWidth).map(l => l.textContent),
                choices: [...filters.querySelectorAll("select")]
                    .filter(cutShort).map(s => s.selectedOptions[0].text),
                footnote: document.getElementById("outcome-report-footnote")
                    .getBoundingClientRect().right,
            };
        }"""
    )
    assert fits["page"] <= fits["viewport"], fits
    assert fits["labels"] == [] and fits["choices"] == [], fits
    assert fits["footnote"] <= fits["viewport"], fits
    expect(page.locator("#outcome-report-footnote")).to_contain_text("Improved %")

    # The table scrolls inside its own box, the group names staying in view.
    box = page.get_by_role("region", name="Outcomes by main diagnosis")
    box.scroll_into_view_if_needed()
    box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    total = page.locator("#outcome-report").get_by_role("rowheader", name="All episodes")
    expect(total).to_be_in_viewport()
    assert abs(total.bounding_box()["x"] - box.bounding_box()["x"]) < 1
    expect(page.locator("#outcome-report thead")).to_contain_text("Adverse events")
    page.screenshot(path=ARTEFACTS / f"outcome-report-{width}-scrolled.png", full_page=True)
