"""Journey, measured: how many clicks and keystrokes a visit takes.

(a) A new patient's full initial assessment, front desk and physio together: Fran
registers Sam and books and checks her in; Priya starts the visit naming the complaint,
records the assessment with every measure, confirms the diagnosis, records two
interventions, the SOAP note and the plan, and signs. (b) Sam's follow-up a week later:
the measures again (her PSFS activities carried), the last visit's interventions repeated
and a short SOAP note, signed.

Every click, choice in a list and key typed goes through `Effort`, which counts it: a
choice in a drop-down list is two clicks (open, choose), a date typed is its digits, Tab
to the next box is a keystroke. Logging in is not counted. The figures are printed
(`pytest -s`) and the targets asserted: at most 110 clicks for (a), 25 for (b). Before
the step bar, the one-step first visit and repeats, (a) took 180 clicks and 1,007
keystrokes.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.buttock_pain import BUTTOCK_PAIN_V1
from clinic.models import Visit, WorkingHours
from tests.e2e.conftest import login, logout
from tests.factories import VisitFactory

RED_FLAGS = [code for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")]
INITIAL_TARGET_CLICKS = 110
FOLLOW_UP_TARGET_CLICKS = 25


class Effort:
    """Does what the user does, counting it."""

    def __init__(self, page) -> None:
        self.page = page
        self.clicks = 0
        self.keys = 0

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def check(self, locator) -> None:
        locator.check()
        self.clicks += 1

    def choose(self, name: str, value: str) -> None:
        self.check(self.page.locator(f'input[name="{name}"][value="{value}"]'))

    def answer(self, name: str, value: int) -> None:
        """A questionnaire answer: its button is the label of a visually hidden radio."""
        self.click(self.page.locator(f'label[for="id_{name}_{value + 1}"]'))

    def type_digits(self, values: list[int]) -> None:
        for value in values:
            self.page.keyboard.press(str(value))
        self.keys += len(values)

    def select(self, locator, label: str) -> None:
        locator.select_option(label=label)
        self.clicks += 2

    def type(self, locator, text: str) -> None:
        """Click into the box and type."""
        self.click(locator)
        locator.press_sequentially(text)
        self.keys += len(text)

    def type_date(self, locator, value: str) -> None:
        self.click(locator)
        locator.fill(value)
        self.keys += sum(character.isdigit() for character in value)

    def tab_and_type(self, text: str) -> None:
        """Tab on to the next box and type."""
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(text)
        self.keys += 1 + len(text)

    def type_in_turn(self, first, values: list[str]) -> None:
        """A run of boxes: click the first, Tab between them."""
        self.type(first, values[0])
        for value in values[1:]:
            self.tab_and_type(value)

    def report(self, what: str) -> str:
        line = f"{what}: {self.clicks} clicks, {self.keys} keystrokes"
        print(line)
        return line


@pytest.fixture
def open_all_day(physio):
    """Priya can be booked now, whatever the time of the run."""
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=physio,
            weekday=weekday,
            start=datetime.time(0, 0),
            end=datetime.time(23, 45),
        )


def _next_slot() -> datetime.datetime:
    now = timezone.localtime()
    slot = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    slot += datetime.timedelta(minutes=15)
    if slot.date() != now.date() or slot.time() > datetime.time(23, 0):
        pytest.skip("too late in the day to book and see a patient today")
    return slot


def _assessment(effort: Effort, page, *, measures_only: bool) -> None:
    """What Priya records: the history and examination at the first visit, then the
    measures (NPRS, ODI, LEFS, PSFS; GRC at follow-up)."""
    if not measures_only:
        effort.choose("onset_type", "gradual")
        effort.choose("pain_quality", "precise_localized")
        effort.choose("pain_constancy", "constant")
        effort.check(page.get_by_label("Sitting", exact=True))
        effort.check(page.get_by_label("Lunging or squatting"))
        effort.type(page.get_by_label("Sitting tolerance (minutes)"), "20")
        effort.choose("low_back_pain", "no")
        effort.click(page.locator('.body-chart-svg [data-value="ischial_tuberosity_right"]'))
        for code in RED_FLAGS:
            effort.choose(code, "no")
        effort.choose("tender_ischial_tuberosity", "yes")
        effort.choose("test_puranen_orava", "positive")
        effort.choose("test_modified_bent_knee_stretch", "positive")
        effort.choose("test_slump", "negative")
    effort.type(page.locator('input[name="nprs__nprs"]'), "6" if not measures_only else "4")
    # ODI then LEFS from the patient's paper forms: into the first section, then each
    # answer's number typed (the next question follows, on to the LEFS).
    odi = [2, 1, 2, 3, 1, 2, 1, 0, 1, 2]
    effort.answer("odi__odi_1", odi[0])
    effort.type_digits(odi + [3] * 20)
    expect(page.locator("#measure-odi .measure-live")).to_contain_text("ODI 30 %")
    expect(page.locator("#measure-lefs .measure-live")).to_contain_text("LEFS 60 of 80")
    if measures_only:
        # The activities carried over from the first visit: only the scores are new.
        effort.type(page.locator('input[name="psfs__psfs_1"]'), "6")
        effort.page.keyboard.press("Tab")  # past the second activity, already there
        effort.keys += 1
        effort.tab_and_type("5")
        effort.type(page.locator('input[name="grc__grc"]'), "3")
    else:
        effort.type(page.locator('input[name="psfs__psfs_1_activity"]'), "Sitting at work")
        effort.tab_and_type("3")
        effort.tab_and_type("Running")
        effort.tab_and_type("2")
    effort.click(page.get_by_role("button", name="Save assessment"))
    expect(page.get_by_role("alert").filter(has_text="Assessment saved.")).to_be_visible()


def steps_next(page, step: str):
    bar = page.get_by_role("navigation", name="Steps of this visit")
    return bar.get_by_role("link", name=f"Next: {step}")


def treatment_next(page, step: str):
    return page.locator("#visit-section-treatment").get_by_role("link", name=f"Next: {step}")


def test_click_counts_of_an_initial_assessment_and_a_follow_up(
    page, live_server, front_desk, physio, open_all_day
):
    slot = _next_slot()
    initial = Effort(page)

    # --- Front desk: register, book, check in -------------------------------------------
    login(page, live_server, front_desk)
    initial.click(page.get_by_role("link", name="Register a new patient"))
    initial.type(page.get_by_label("First name"), "Sam")
    initial.type(page.get_by_label("Last name"), "Runner")
    initial.type_date(page.get_by_label("Date of birth"), "1990-06-02")
    initial.select(page.get_by_label("Sex"), "Female")
    initial.type(page.get_by_label("Phone"), "07700 900456")
    initial.check(page.get_by_label("Consents to be contacted"))
    initial.click(page.get_by_role("button", name="Register patient"))
    registered = page.get_by_role("alert").filter(has_text="Sam Runner is registered as")
    number = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", registered.inner_text()).group()

    initial.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Diary"))
    initial.click(page.get_by_role("link", name=f"Book {slot:%a} {slot.day} {slot:%b %H:%M}"))
    initial.type(page.get_by_label("Patient's clinic number"), number)
    initial.select(page.get_by_label("Kind"), "Initial assessment")
    initial.click(page.get_by_role("button", name="Book", exact=True))
    expect(page.get_by_role("alert").filter(has_text="Booked: Sam Runner")).to_be_visible()
    initial.click(page.locator("[data-appointment]").filter(has_text="Runner"))
    initial.click(page.get_by_role("button", name="Patient has arrived"))
    logout(page)

    # --- Physio: the first visit, from her home page to signed --------------------------
    login(page, live_server, physio)
    initial.click(
        page.get_by_role("row")
        .filter(has_text="Sam Runner")
        .get_by_role("link", name="Appointment")
    )
    initial.click(page.get_by_role("link", name="Start the visit"))
    initial.type(page.get_by_label("New complaint"), "Right buttock pain")
    initial.select(page.get_by_label("Side"), "Right")
    initial.click(page.get_by_role("button", name="Start the visit"))
    expect(page.get_by_role("heading", name=re.compile(r"^Initial assessment"))).to_be_visible()

    initial.click(steps_next(page, "Assessment"))
    _assessment(initial, page, measures_only=False)

    initial.click(steps_next(page, "Diagnosis"))
    initial.check(
        page.get_by_role("checkbox", name=re.compile(r"^Proximal hamstring tendinopathy"))
    )
    initial.click(page.get_by_role("button", name="Confirm working diagnosis"))
    expect(
        page.get_by_role("alert").filter(has_text="Working diagnosis confirmed.")
    ).to_be_visible()

    initial.click(steps_next(page, "Interventions"))
    initial.click(page.get_by_role("link", name="Exercise programme", exact=True))
    initial.type(page.locator('input[name="exercises-0-name"]'), "Bridge")
    initial.tab_and_type("3")
    initial.tab_and_type("10")
    initial.click(page.get_by_role("button", name="Save exercise programme"))
    expect(
        page.get_by_role("alert").filter(has_text="Exercise programme recorded.")
    ).to_be_visible()
    initial.click(page.get_by_role("link", name="Core stability", exact=True))
    initial.type(page.locator('input[name="exercises-0-name"]'), "Dead bug")
    initial.tab_and_type("2")
    initial.tab_and_type("8")
    initial.click(page.get_by_role("button", name="Save core stability"))
    expect(page.get_by_role("alert").filter(has_text="Core stability recorded.")).to_be_visible()

    # Saved, she is at the treatment given: the next step is right below it.
    initial.click(treatment_next(page, "SOAP note"))
    initial.type(
        page.get_by_role("textbox", name="Subjective update"), "R buttock pain 3/12, worse sitting."
    )
    initial.click(page.get_by_role("button", name="Save note", exact=True))
    expect(page.get_by_role("alert").filter(has_text="Visit note saved.")).to_be_visible()

    initial.click(steps_next(page, "Plan"))
    initial.click(page.get_by_role("button", name="Save plan"))
    expect(page.get_by_role("alert").filter(has_text="Treatment plan saved.")).to_be_visible()

    initial.click(steps_next(page, "Sign"))
    initial.click(page.get_by_role("button", name="Sign visit"))
    expect(page.get_by_role("alert").filter(has_text="Visit signed.")).to_be_visible()
    first_line = initial.report("Initial assessment of a new patient (front desk and physio)")

    # --- A week later: the follow-up -----------------------------------------------------
    # (The signed first visit cannot be moved back a week: the follow-up comes just
    # after it, which is all the carrying over looks at.)
    first = Visit.objects.get()
    follow_up = VisitFactory(
        episode=first.episode,
        practitioner=physio,
        kind="follow_up",
        starts_at=first.starts_at + datetime.timedelta(minutes=1),
    )
    effort = Effort(page)
    effort.click(page.get_by_role("link", name="Clinic records"))
    unsigned = page.get_by_role("listitem").filter(has_text="Follow-up")
    effort.click(unsigned.get_by_role("link", name="Sam Runner"))
    expect(page).to_have_url(re.compile(follow_up.get_absolute_url()))
    effort.click(steps_next(page, "Assessment"))
    expect(page.locator('input[name="psfs__psfs_1_activity"]')).to_have_value("Sitting at work")
    _assessment(effort, page, measures_only=True)

    effort.click(steps_next(page, "Interventions"))
    effort.click(page.get_by_role("link", name="Repeat exercise programme"))
    expect(page.locator('input[name="exercises-0-name"]')).to_have_value("Bridge")
    effort.click(page.get_by_role("button", name="Save exercise programme"))
    effort.click(page.get_by_role("link", name="Repeat core stability"))
    effort.click(page.get_by_role("button", name="Save core stability"))
    expect(page.get_by_text("recorded in this visit")).to_have_count(2)

    effort.click(treatment_next(page, "SOAP note"))
    effort.type(page.get_by_role("textbox", name="Subjective update"), "Better; sits 40 min.")
    effort.click(page.get_by_role("button", name="Save note", exact=True))
    effort.click(steps_next(page, "Sign"))
    effort.click(page.get_by_role("button", name="Sign visit"))
    expect(page.get_by_role("alert").filter(has_text="Visit signed.")).to_be_visible()
    second_line = effort.report("Follow-up with measures, repeated interventions, short SOAP")

    assert initial.clicks <= INITIAL_TARGET_CLICKS, first_line
    assert effort.clicks <= FOLLOW_UP_TARGET_CLICKS, second_line
