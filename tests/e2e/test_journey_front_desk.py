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
