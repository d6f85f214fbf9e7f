"""Journey: Priya records an assessment with the keyboard alone.

From the section index she goes straight to the examination; each section starts with a
"Skip to ..." link that passes over it when it is not in use; a radio group is answered
with the arrow keys, which the panel hears like a click; and wherever the focus is, a ring
shows it.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory


@pytest.fixture
def initial_visit(physio):
    patient = PatientFactory(given_name="Sam", family_name="Runner")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Right buttock pain")
    return VisitFactory(episode=episode, practitioner=physio, kind="initial")


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                tag: element.tagName.toLowerCase(),
                name: element.getAttribute("name"),
                value: element.value,
                text: element.textContent.trim(),
                section: element.closest("fieldset.card")?.id,
                outline: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
            };
        }"""
    )


def assert_focus_ring(page) -> None:
    now = focused(page)
    assert now["outline"] == "solid" and now["outlineWidth"] >= 2, now


def test_the_physio_moves_through_the_assessment_with_the_keyboard(
    page, live_server, physio, initial_visit
):
    page.emulate_media(reduced_motion="reduce")
    login(page, live_server, physio)
    page.goto(live_server.url + initial_visit.get_absolute_url() + "assessments/buttock_pain/")
    index = page.get_by_role("navigation", name="Sections of the assessment")
    expect(index.get_by_role("link")).to_have_text(
        [
            "History",
            "Pain location",
            "Red flags",
            "Examination",
            "Palpation & muscles",
            "Outcome measures",
        ]
    )

    # The index: Enter on "Examination", and the next Tab is in the examination.
    index.get_by_role("link", name="Examination").focus()
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["section"] == "section-examination"
    assert_focus_ring(page)

    # Back at the start of the form, each section's first stop skips it.
    index.get_by_role("link", name="Outcome measures").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to Pain location")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # hidden until the keyboard reaches it
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to Red flags")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to Examination")).to_be_focused()
    page.keyboard.press("Tab")  # she answers this one
    now = focused(page)
    assert now["section"] == "section-red_flags", now

    # A red-flag question is a native radio group, named by its legend: Tab enters it at
    # the checked radio, the arrow keys answer it, and the panel hears that like a click.
    question = page.get_by_role("group", name="Altered feeling around the back passage")
    expect(question.get_by_role("radio")).to_have_count(3)
    assert (now["tag"], now["name"], now["value"]) == (
        "input",
        "rf_saddle_anaesthesia",
        "not_asked",
    )
    assert_focus_ring(page)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(question.get_by_role("radio", name="Yes")).to_be_checked()
    expect(page.get_by_role("alert").filter(has_text="Red flag")).to_contain_text(
        "Emergency: same-day referral"
    )
