"""Journey: a new patient is registered at the front desk and seen by the physio.

Fran (front desk) registers Jane Doe, finds her again by surname and by date of birth,
and logs out. Priya (physiotherapist) opens Jane's record, opens an episode of care for
right buttock pain with its initial visit in one step, writes and saves her notes, signs the
visit, and finds it signed and read-only.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_static_assets_loaded, login, logout

CLINIC_NUMBER = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


def test_front_desk_registers_a_patient_and_the_physio_signs_her_first_visit(
    page, live_server, front_desk, physio
):
    # --- The front desk registers Jane Doe --------------------------------------------------
    login(page, live_server, front_desk)
    assert_static_assets_loaded(page)
    page.get_by_role("link", name="Register a new patient").click()
    expect(page.get_by_role("heading", name="Register a patient")).to_be_visible()

    page.get_by_label("First name").fill("Jane")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Date of birth").fill("1984-03-15")
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_label("Phone").fill("07700 900123")
    page.get_by_label("Email").fill("jane.doe@example.org")
    page.get_by_label("Consents to be contacted").check()
    page.get_by_role("button", name="Register patient").click()

    # She sees Jane's record, with the clinic number Jane will be asked for.
    registered = page.get_by_role("alert").filter(has_text="Jane Doe is registered as")
    expect(registered).to_be_visible()
    clinic_number = CLINIC_NUMBER.search(registered.inner_text()).group()
    expect(page.get_by_role("heading", name="Patient details")).to_be_visible()
    expect(page.get_by_role("link", name="Jane Doe")).to_be_visible()
    expect(page.get_by_text(clinic_number, exact=True)).to_be_visible()
    expect(page.get_by_text("15 Mar 1984")).not_to_have_count(0)
    expect(page.get_by_text("Agrees to reminders and follow-up calls")).to_be_visible()
    # The front desk keeps the demographics; the clinical record is not hers to start.
    expect(page.get_by_role("link", name="Open an episode")).to_have_count(0)
    expect(page.get_by_role("link", name="Start a visit")).to_have_count(0)

    # --- She finds Jane in Patients by surname, then by date of birth -------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    search = page.get_by_role("searchbox", name="Name, date of birth or clinic number")
    search.fill("Doe")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row").filter(has_text=clinic_number)).to_have_count(1)
    expect(page.get_by_role("link", name="Doe, Jane")).to_be_visible()

    search.fill("15/03/1984")
    page.get_by_role("button", name="Search").click()
    expect(search).to_have_value("15/03/1984")
    expect(page.get_by_role("link", name="Doe, Jane")).to_be_visible()

    logout(page)

    # --- The physio opens Jane's record -----------------------------------------------------
    login(page, live_server, physio)
    page.get_by_role("searchbox", name="Name, date of birth or clinic number").fill(clinic_number)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Doe, Jane").click()
    expect(page.get_by_role("link", name="Jane Doe")).to_be_visible()

    # She opens an episode of care for Jane's right buttock pain.
    page.get_by_role("link", name="Open an episode").click()
    expect(page.get_by_role("heading", name="Open an episode of care")).to_be_visible()
    page.get_by_label("Complaint").fill("Right buttock pain")
    page.get_by_label("Side").select_option(label="Right")
    # Jane is in the room: the episode opens with her first visit (an initial
    # assessment) in one step.
    page.get_by_role("button", name="Open episode and start the visit").click()
    expect(page.get_by_role("alert")).to_contain_text("Episode opened: Right buttock pain.")
    expect(page.get_by_role("heading", name=re.compile(r"^Initial assessment"))).to_be_visible()
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()

    # She writes her visit note (one note, in SOAP form) and saves it.
    notes = "Pain R buttock 3/12, worse sitting. SLR neg. Sacral thrust and thigh thrust provoke."
    expect(page.get_by_role("textbox", name="Clinical notes")).to_have_count(0)
    page.get_by_role("textbox", name="Subjective update").fill(notes)
    page.get_by_role("textbox", name="Plan", exact=True).fill("Education, graded loading.")
    page.get_by_role("button", name="Save note", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Visit note saved.")
    expect(page.get_by_role("textbox", name="Subjective update")).to_have_value(notes)

    # She signs the visit, through the confirmation page.
    page.get_by_role("link", name="Sign visit…").click()
    expect(page.get_by_role("heading", name="Sign this visit?")).to_be_visible()
    # The page says what is not recorded; she signs without it, deliberately.
    expect(page.locator("#missing-list")).to_contain_text("No assessment saved.")
    page.get_by_label("I sign this visit without them").check()
    page.get_by_role("button", name="Sign visit").click()

    # The visit is signed and read-only: her notes are shown, no longer editable.
    expect(page.get_by_role("alert")).to_contain_text("Visit signed.")
    expect(page.get_by_text(re.compile(r"^Signed by Priya Shah"))).to_be_visible()
    expect(page.get_by_text("Draft", exact=True)).to_have_count(0)
    expect(page.get_by_text("worse sitting")).to_be_visible()
    expect(page.get_by_role("textbox", name="Subjective update")).to_have_count(0)
    expect(page.get_by_role("button", name="Save note", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Sign visit…")).to_have_count(0)
    expect(page.get_by_role("heading", name="Add an addendum")).to_be_visible()
