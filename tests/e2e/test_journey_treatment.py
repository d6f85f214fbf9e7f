"""Journey: the physio records the treatment of a follow-up visit.

Priya records spinal mobilization, soft tissue release and an exercise programme in a
follow-up visit; the system stops her from dry needling without the patient's consent;
she records the consent and the contraindication screen, then records the needling.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from clinic import services as clinic_services
from tests.e2e.conftest import login
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory
from treatments import services as treatment_services

CLEAR = {code: "no" for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")}


@pytest.fixture
def follow_up(physio):
    patient = PatientFactory(given_name="Alex", family_name="Morgan")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Left buttock pain")
    initial = VisitFactory(episode=episode, practitioner=physio, kind="initial")
    assessment_services.assessment_save(
        visit=initial,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers=CLEAR | {"low_back_pain": "yes", "trigger_point_gluteus_medius": "yes"},
    )
    assessment_services.working_diagnosis_confirm(
        episode=episode,
        user=physio,
        source_codes=["lumbar_referred", "myofascial_trigger_points"],
        main="lumbar_referred",
    )
    treatment_services.consent_record(
        episode=episode,
        user=physio,
        intervention_kind="spinal_mobilization",
        given_on=timezone.localdate(),
        method="verbal",
        risks_discussed=[],
        right_to_withdraw_explained=True,
    )
    clinic_services.visit_sign(visit=initial, user=physio)
    return VisitFactory(episode=episode, practitioner=physio, kind="follow_up")


def test_physio_records_treatment_and_is_stopped_from_needling_without_consent(
    page, live_server, physio, follow_up
):
    login(page, live_server, physio)
    page.goto(live_server.url + follow_up.get_absolute_url())
    treatment = page.locator("#visit-section-treatment")

    # Mobilization is offered first, from the working diagnosis.
    treatment.get_by_role("link", name="Spinal mobilization").first.click()
    page.get_by_label("Level").select_option(label="L4/5")
    page.get_by_label("Maitland grade").select_option("III")
    page.get_by_role("button", name="Save spinal mobilization").click()
    expect(
        page.get_by_role("alert").filter(has_text="Spinal mobilization recorded.")
    ).to_be_visible()

    treatment.get_by_role("link", name="Soft tissue therapy").first.click()
    page.get_by_label("Technique").select_option(label="Soft tissue release")
    page.get_by_label("Muscle or region").select_option(label="Piriformis")
    page.get_by_role("button", name="Save soft tissue therapy").click()
    expect(
        page.get_by_role("alert").filter(has_text="Soft tissue therapy recorded.")
    ).to_be_visible()

    treatment.get_by_role("link", name="Exercise programme").first.click()
    page.locator('input[name="exercises-0-name"]').fill("Glute bridge")
    page.locator('input[name="exercises-0-reps"]').fill("12")
    page.get_by_role("button", name="Save exercise programme").click()
    expect(
        page.get_by_role("alert").filter(has_text="Exercise programme recorded.")
    ).to_be_visible()
    expect(treatment).to_contain_text("Glute bridge: 3 × 12 (home)")
    expect(treatment).to_contain_text("Level: L4/5")
    expect(treatment).to_contain_text("Soft tissue release")

    # Dry needling: stopped, with the reason and the way forward.
    treatment.get_by_role("link", name="Dry needling").first.click()
    page.get_by_label("Muscle", exact=True).select_option(label="Gluteus medius")
    page.get_by_role("button", name="Save dry needling").click()
    expect(page.get_by_text("Not allowed yet.")).to_be_visible()
    expect(page.get_by_text("recorded consent for this episode")).to_be_visible()

    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Written").check()
    for risk in ("Bruising", "Bleeding", "Pain", "Infection", "Nerve injury", "Pneumothorax"):
        page.get_by_label(risk, exact=True).check()
    page.get_by_label("The patient was told they may withdraw consent at any time").check()
    page.get_by_role("button", name="Record consent").click()
    expect(
        page.get_by_role("alert").filter(has_text="Consent to dry needling recorded.")
    ).to_be_visible()

    # Back on the needling form: now the contraindication screen is asked for.
    expect(page.get_by_text("needs a contraindication screen")).to_be_visible()
    page.get_by_role("link", name="Record the contraindication screen").click()
    page.get_by_role("button", name="Record the screen").click()
    expect(
        page.get_by_role("alert").filter(has_text="Contraindication screen recorded.")
    ).to_be_visible()

    page.get_by_label("Muscle", exact=True).select_option(label="Gluteus medius")
    page.get_by_label("Number of needles").fill("2")
    page.get_by_role("button", name="Save dry needling").click()
    expect(page.get_by_role("alert").filter(has_text="Dry needling recorded.")).to_be_visible()
    expect(treatment).to_contain_text("Dry needling")
