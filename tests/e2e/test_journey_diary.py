"""Journey: the front desk books a follow-up that is due, and the physio sees it.

Fran opens the follow-ups worklist, finds Chris (seen eight days ago, weekly plan, nothing
booked), takes the proposed slot with the physio, and books it. Priya then finds the
appointment in her day of the diary.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Appointment
from tests.e2e.conftest import login, logout
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory


@pytest.fixture
def due_episode(physio):
    patient = PatientFactory(given_name="Chris", family_name="Walker", phone="07700 900777")
    episode = EpisodeFactory(
        patient=patient, physio=physio, complaint="Left buttock pain", follow_up_interval_days=7
    )
    seen = timezone.now() - datetime.timedelta(days=8)
    VisitFactory(episode=episode, practitioner=physio, kind="initial", starts_at=seen)
    return episode


def test_front_desk_books_a_due_follow_up_and_the_physio_sees_it(
    page, live_server, front_desk, physio, due_episode
):
    login(page, live_server, front_desk)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_role("heading", name="Follow-ups due")).to_be_visible()
    row = page.locator(f'#follow-ups-due tr[data-episode="{due_episode.pk}"]')
    expect(row).to_contain_text("Chris Walker")
    expect(row).to_contain_text("07700 900777")
    # The front desk sees who is due, never why: no complaint on the worklist.
    expect(row).not_to_contain_text("buttock")

    row.get_by_role("link", name="Book follow-up").click()
    proposal = page.locator("#proposed-slot")
    expect(proposal).to_contain_text("Proposed:")
    page.get_by_role("button", name="Book").click()

    appointment = Appointment.objects.get(patient=due_episode.patient, status="booked")
    expect(page.locator(f'[data-appointment="{appointment.pk}"]')).to_be_visible()
    assert appointment.practitioner == physio
    assert appointment.start > timezone.now()
    logout(page)

    login(page, live_server, physio)
    day = timezone.localtime(appointment.start).date().isoformat()
    page.goto(f"{live_server.url}/diary/?date={day}")
    slot = page.locator(f'[data-appointment="{appointment.pk}"]')
    expect(slot).to_be_visible()
    expect(slot).to_contain_text("Walker")
    # Nothing is left due for Chris.
    page.goto(f"{live_server.url}/diary/follow-ups/")
    expect(page.locator(f'#follow-ups-due tr[data-episode="{due_episode.pk}"]')).to_have_count(0)
