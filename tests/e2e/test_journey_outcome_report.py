"""Journey: the Clinic admin reads the outcome report, filters it by intervention and opens
a group to see its episodes."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Measurement, WorkingDiagnosis
from tests.e2e.conftest import login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory
from treatments.models import DeliveredIntervention

START = timezone.make_aware(datetime.datetime(2025, 2, 3, 10, 0))


def _episode(physio, *, name: str, diagnosis: str, kind: str, nprs: tuple[int, int]):
    patient = PatientFactory(given_name=name, family_name="Example")
    episode = EpisodeFactory(patient=patient, physio=physio, opened_on=START.date())
    WorkingDiagnosis.objects.create(
        episode=episode,
        source_code=diagnosis,
        is_main=True,
        confirmed_by=physio,
        confirmed_at=START,
    )
    for number, value in enumerate(nprs):
        visit = VisitFactory(
            episode=episode,
            practitioner=physio,
            starts_at=START + datetime.timedelta(days=7 * number),
        )
        Measurement.objects.create(
            patient=patient,
            episode=episode,
            visit=visit,
            measure_code="nprs",
            value=value,
            unit="points",
            scoring_version="1",
            scored_at=visit.starts_at,
        )
        DeliveredIntervention.objects.create(visit=visit, kind=kind, recorded_by=physio)


def test_admin_filters_the_report_by_intervention_and_opens_a_group(
    page, live_server, clinic_admin, physio
):
    _episode(physio, name="Nina", diagnosis="sij", kind="dry_needling", nprs=(8, 3))
    _episode(physio, name="Omar", diagnosis="sij", kind="stretching", nprs=(6, 5))
    _episode(physio, name="Pia", diagnosis="piriformis_syndrome", kind="dry_needling", nprs=(7, 6))

    login(page, live_server, clinic_admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name="Outcomes by main diagnosis")).to_be_visible()
    report = page.locator("#outcome-report")
    expect(report.get_by_role("row").filter(has_text="All episodes")).to_contain_text("3")
    expect(
        page.get_by_role("img", name="NPRS: share of episodes reaching important improvement")
    ).to_be_visible()

    page.get_by_label("Intervention").select_option(label="Dry needling")
    page.get_by_role("button", name="Apply filters").click()
    sij = report.get_by_role("row").filter(has_text="Sacroiliac joint")
    # Only Nina's episode of the two sij ones had dry needling: 8 → 3, an improvement.
    expect(sij.get_by_role("cell").nth(0)).to_have_text("1")
    expect(sij).to_contain_text("-5")
    expect(sij).to_contain_text("100")

    sij.get_by_role("link", name="Sacroiliac joint").click()
    expect(page.get_by_role("heading", name="Sacroiliac joint: 1 episode")).to_be_visible()
    rows = page.locator("#group-episodes tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nina Example")
    expect(rows.first).to_contain_text("8 → 3")

    # Back to the report, still filtered by dry needling.
    page.get_by_role("link", name="Outcomes by main diagnosis").click()
    expect(page.get_by_label("Intervention")).to_have_value("dry_needling")
