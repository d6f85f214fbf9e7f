"""Journey: the front desk's morning, on a laptop and a tablet (issue 11).

Fran logs in and her start page lists the day's appointments of every physio; Jane
arrives and Fran checks her in from there, without opening the diary.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Appointment
from tests.e2e.conftest import E2E_DIR, login
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory

ARTEFACTS = E2E_DIR / "artefacts"


def _today_at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute))
    )


@pytest.mark.parametrize("width", [1366, 820])
def test_front_desk_checks_a_patient_in_from_her_start_page(
    page, live_server, front_desk, physio, other_physio, width
):
    jane = PatientFactory(given_name="Jane", family_name="Doe")
    EpisodeFactory(patient=jane, physio=physio, complaint="Right buttock pain")
    AppointmentFactory(patient=jane, practitioner=physio, start=_today_at(9), end=_today_at(9, 30))
    AppointmentFactory(
        patient=PatientFactory(given_name="Sam", family_name="Lee"),
        practitioner=other_physio,
        start=_today_at(10, 30),
        end=_today_at(11, 15),
        kind="initial",
    )
    page.set_viewport_size({"width": width, "height": 800})

    login(page, live_server, front_desk)
    today = page.get_by_role("table", name="Today's appointments")
    expect(today.get_by_role("row")).to_have_count(3)
    jane_row = today.get_by_role("row").filter(has_text="Jane Doe")
    expect(jane_row).to_contain_text("Priya Shah")
    expect(jane_row).to_contain_text("Not arrived yet")
    expect(today.get_by_role("row").filter(has_text="Sam Lee")).to_contain_text(
        "Initial assessment"
    )
    expect(page.get_by_text("buttock pain", exact=False)).to_have_count(0)
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"front-desk-home-{width}.png", full_page=True)

    jane_row.get_by_role("button", name="Check in Jane Doe at 09:00").click()

    expect(page.get_by_role("alert")).to_contain_text("Jane Doe has arrived.")
    expect(jane_row).to_contain_text("Arrived")
    expect(jane_row.get_by_role("button")).to_have_count(0)
    assert Appointment.objects.get(patient=jane).status == "arrived"
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    page.screenshot(path=ARTEFACTS / f"front-desk-home-{width}-checked-in.png", full_page=True)


def test_front_desk_books_a_new_patient_s_first_visit_as_proposed(
    page, live_server, front_desk, physio, other_physio
):
    nora = PatientFactory(given_name="Nora", family_name="New")
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, front_desk)
    page.goto(live_server.url + nora.get_absolute_url())
    page.get_by_role("link", name="Book an appointment").click()

    proposal = page.locator("#proposed-slot")
    expect(proposal).to_contain_text("A new patient, so an initial assessment.")
    expect(proposal).to_contain_text("Priya Shah")
    expect(page.get_by_label("Kind")).to_have_value("initial")
    expect(page.get_by_label("Physio")).to_have_value(str(physio.pk))
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / "booking-new-patient-1366.png", full_page=True)
    proposed_start = page.get_by_label("Start").input_value()

    page.get_by_role("button", name="Book").click()
    # The diary says it is booked before the row is looked at (the click does not wait).
    expect(page.get_by_role("alert")).to_contain_text("Booked: Nora New with Priya Shah")

    appointment = Appointment.objects.get(patient=nora)
    assert (appointment.kind, appointment.practitioner) == ("initial", physio)
    assert timezone.localtime(appointment.start).strftime("%Y-%m-%dT%H:%M") == proposed_start

    # Booking Sam into the same time with Priya is refused, and the reason is said once.
    sam = PatientFactory(given_name="Sam", family_name="Hill")
    page.goto(f"{live_server.url}/diary/appointments/new/?patient={sam.pk}")
    page.get_by_label("Physio").select_option(str(physio.pk))
    page.get_by_label("Start").fill(proposed_start)
    page.get_by_role("button", name="Book").click()
    refusal = page.get_by_text("Priya Shah already has an appointment at that time")
    expect(refusal).to_have_count(1)
    page.screenshot(path=ARTEFACTS / "booking-refused-once-1366.png", full_page=True)
