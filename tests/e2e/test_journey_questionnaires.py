"""Journey: the physio copies the patient's ODI and LEFS answers into the form.

Priya has the patient's completed paper forms beside her. Each ODI section shows its
topic and six answer buttons with the scale in words; each LEFS question five. As she
clicks, the running totals, the ODI percentage and Fairbank's band change under the
measure without saving; the saved scores are the same.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessments.buttock_pain import BUTTOCK_PAIN_V2
from assessments.models import Measurement
from tests.e2e.conftest import login

RED_FLAGS = [code for code in BUTTOCK_PAIN_V2.index if code.startswith("rf_")]

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
# The patient's forms: ODI sections 1-10 except sex life (8), and LEFS 1-20.
ODI = {1: 3, 2: 1, 3: 2, 4: 1, 5: 4, 6: 2, 7: 1, 9: 2, 10: 0}
LEFS = {number: (number % 5) for number in range(1, 21)}


def answer(page, name: str, value: int) -> None:
    # The button is the label of a visually hidden radio, as with a pointer or a finger.
    page.locator(f'label[for="id_{name}_{value + 1}"]').click()


@pytest.mark.parametrize("width", [1366, 820])
def test_scores_and_the_odi_band_follow_the_answers_as_they_are_entered(
    page, live_server, physio, visit, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, physio)
    page.goto(live_server.url + visit.get_absolute_url() + "assessments/buttock_pain/")

    odi = page.locator("#measure-odi")
    expect(odi.get_by_role("radiogroup", name="Section 1: Pain intensity")).to_be_visible()
    expect(odi).to_contain_text("0 = no problem")
    live_odi = odi.get_by_role("status")
    expect(live_odi).to_have_text("ODI: 0 of 10 answered (8 needed for a score)")

    answer(page, "odi__odi_1", 3)
    answer(page, "odi__odi_2", 1)
    expect(live_odi).to_have_text("ODI: 2 of 10 answered; running total 4 (8 needed for a score)")
    for section, value in ODI.items():
        answer(page, f"odi__odi_{section}", value)
    # 16 points over 9 sections: 35.6 %, Fairbank's moderate band.
    expect(live_odi).to_have_text("ODI 35.6 % · moderate disability · 9 of 10 answered")
    answer(page, "odi__odi_5", 5)
    answer(page, "odi__odi_6", 5)
    answer(page, "odi__odi_3", 5)  # 23 over 9 sections: 51.1 %
    expect(live_odi).to_have_text("ODI 51.1 % · severe disability · 9 of 10 answered")
    # Back to the patient's answers; the keyboard moves within a section's group.
    answer(page, "odi__odi_5", 4)
    answer(page, "odi__odi_6", 2)
    page.locator("#id_odi__odi_3_6").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    expect(page.locator("#id_odi__odi_3_3")).to_be_checked()
    expect(live_odi).to_have_text("ODI 35.6 % · moderate disability · 9 of 10 answered")

    lefs = page.locator("#measure-lefs")
    expect(lefs).to_contain_text("4 = no difficulty")
    live_lefs = lefs.get_by_role("status")
    for number, value in LEFS.items():
        answer(page, f"lefs__lefs_{number}", value)
        if number == 19:
            expect(live_lefs).to_have_text(
                "LEFS: 19 of 20 answered; running total 40 (20 needed for a score)"
            )
    expect(live_lefs).to_have_text("LEFS 40 of 80 · 20 of 20 answered")

    ARTEFACTS.mkdir(exist_ok=True)
    odi.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTEFACTS / f"questionnaires-{width}.png"))

    for code in RED_FLAGS:  # screened, as saving an initial assessment asks
        page.locator(f'input[name="{code}"][value="no"]').check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("alert").filter(has_text="Assessment saved.")).to_be_visible()
    scores = {m.measure_code: m.value for m in Measurement.objects.filter(visit=visit)}
    assert scores == {"odi": pytest.approx(35.6), "lefs": 40}
