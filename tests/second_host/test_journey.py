"""The plugin's journey in carebook, through its pages as carebook's physio: assessment,
reasoning, working diagnosis, interventions and their safety rules, progress, the
outcome report, and signing."""

import re

import pytest
from assessments.buttock_pain import BUTTOCK_PAIN_V2
from assessments.models import Assessment, Measurement, WorkingDiagnosis
from django.urls import reverse
from treatments.models import DeliveredIntervention

from carebook import services as carebook_services

pytestmark = pytest.mark.django_db

NO_RED_FLAGS = {code: "no" for code in BUTTOCK_PAIN_V2.index if code.startswith("rf_")}

# Worked example 1 of the clinical spec (section 7), as the form posts it: a proximal
# hamstring tendinopathy.
HAMSTRING = {
    "pain_regions": ["ischial_tuberosity_right"],
    "pain_quality": "precise_localized",
    "pain_constancy": "constant",
    "aggravating": ["sitting", "lunging_squatting"],
    "sitting_tolerance_minutes": "20",
    "low_back_pain": "no",
    "tender_ischial_tuberosity": "yes",
    "test_puranen_orava": "positive",
    "test_modified_bent_knee_stretch": "positive",
    "test_slump": "negative",
    "nprs__nprs": "7",
    **NO_RED_FLAGS,
}


def edit_url(session, template="buttock_pain"):
    return reverse("assessments:assessment_edit", args=[session.pk, template])


def panel_url(session):
    return reverse("assessments:reasoning_panel", args=[session.pk, "buttock_pain"])


def intervention_url(session, kind):
    return reverse("treatments:intervention_add", args=[session.pk, kind])


def test_the_plugin_lives_under_carebooks_own_prefix(first_session):
    assert edit_url(first_session).startswith("/clinical/visits/")
    assert first_session.get_absolute_url() == f"/sessions/{first_session.pk}/"


def test_an_assessment_is_recorded_and_read_back(client_for, physio, first_session):
    client = client_for(physio)
    form = client.get(edit_url(first_session))
    assert form.status_code == 200
    page = form.content.decode()
    assert "carebook-page" in page  # carebook's own layout around the plugin's form
    assert "Rosa Lindqvist" in page

    response = client.post(edit_url(first_session), HAMSTRING | {"action": "save"})
    assert response.status_code == 302, response.content.decode()[:2000]

    assessment = Assessment.objects.get(visit=first_session)
    assert assessment.status == "saved"
    assert assessment.answers["sitting_tolerance_minutes"] == 20
    nprs = Measurement.objects.get(visit=first_session, measure_code="nprs")
    assert nprs.value == 7
    assert nprs.patient_id == first_session.episode.patient_id
    session_page = client.get(first_session.get_absolute_url()).content.decode()
    assert "Proximal hamstring tendinopathy" in session_page


def test_the_reasoning_panel_shows_sources_and_red_flags(client_for, physio, first_session):
    client = client_for(physio)
    panel = client.post(panel_url(first_session), HAMSTRING, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert 'data-source="proximal_hamstring_tendinopathy"' in html
    assert "<html" not in html

    flagged = {"low_back_pain": "yes", "rf_saddle_anaesthesia": "yes"}
    html = client.post(panel_url(first_session), flagged, HTTP_HX_REQUEST="true").content.decode()
    assert "Emergency: same-day referral" in html
    assert 'role="alert"' in html


def test_a_working_diagnosis_is_confirmed(client_for, physio, first_session, care_plan):
    client = client_for(physio)
    client.post(edit_url(first_session), HAMSTRING | {"action": "save"})
    url = reverse("assessments:working_diagnosis_confirm", args=[care_plan.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "source": ["proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"],
            "main": "proximal_hamstring_tendinopathy",
            "suggested": ["proximal_hamstring_tendinopathy"],
        },
    )
    assert response.status_code == 302
    rows = {row.source_code: row for row in WorkingDiagnosis.objects.filter(episode=care_plan)}
    assert rows["proximal_hamstring_tendinopathy"].is_main
    assert not rows["ischiogluteal_bursitis"].is_main


def test_interventions_are_recorded_and_a_red_flag_blocks_manipulation(
    client_for, physio, first_session
):
    client = client_for(physio)
    flagged = HAMSTRING | {"rf_saddle_anaesthesia": "yes", "action": "save"}
    assert client.post(edit_url(first_session), flagged).status_code == 302

    response = client.post(
        intervention_url(first_session, "stretching"),
        {"muscle": "hamstrings", "hold_seconds": "30"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DeliveredIntervention.objects.get(visit=first_session).kind == "stretching"

    page = client.get(intervention_url(first_session, "spinal_manipulation")).content.decode()
    assert "Possible cauda equina syndrome" in page
    refused = client.post(
        intervention_url(first_session, "spinal_manipulation"), {"level": "l4_l5"}
    )
    assert refused.status_code == 200
    assert "Possible cauda equina syndrome" in refused.content.decode()
    assert list(first_session.interventions.values_list("kind", flat=True)) == ["stretching"]


def test_progress_across_two_sessions(client_for, physio, first_session, review_session):
    client = client_for(physio)
    client.post(edit_url(first_session), HAMSTRING | {"action": "save"})
    response = client.post(
        edit_url(review_session, "follow_up_measures"), {"nprs__nprs": "3", "action": "save"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(review_session.get_absolute_url()).content.decode()
    assert "Baseline <strong>7</strong> → latest <strong>3</strong>" in html
    record = client.get(first_session.episode.patient.get_absolute_url()).content.decode()
    assert "Numeric Pain Rating Scale: 7 → 3 points" in record


def test_the_outcome_report_shows_carebooks_care_plans(
    client_for, physio, first_session, review_session, care_plan
):
    client = client_for(physio)
    client.post(edit_url(first_session), HAMSTRING | {"action": "save"})
    client.post(
        edit_url(review_session, "follow_up_measures"), {"nprs__nprs": "3", "action": "save"}
    )
    client.post(
        reverse("assessments:working_diagnosis_confirm", args=[care_plan.pk]),
        {"source": ["proximal_hamstring_tendinopathy"], "main": "proximal_hamstring_tendinopathy"},
    )
    report = client.get(reverse("treatments:outcome_report"))
    assert report.status_code == 200
    html = report.content.decode()
    assert "Proximal hamstring tendinopathy" in html
    link = re.search(r'href="([^"]*outcomes/episodes/[^"]*)"', html).group(1)
    episodes = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Right sitting pain" in episodes
    assert "Rosa Lindqvist" in episodes


def test_a_signed_session_is_read_only(client_for, physio, first_session):
    client = client_for(physio)
    client.post(edit_url(first_session), HAMSTRING | {"action": "save"})
    client.post(intervention_url(first_session, "stretching"), {"muscle": "hamstrings"})
    row = DeliveredIntervention.objects.get()

    response = client.post(reverse("carebook:session_sign", args=[first_session.pk]))
    assert response.status_code == 302
    first_session.refresh_from_db()
    assert first_session.is_signed

    client.post(edit_url(first_session), HAMSTRING | {"nprs__nprs": "2", "action": "save"})
    assert Measurement.objects.get(visit=first_session, measure_code="nprs").value == 7
    client.post(reverse("treatments:intervention_edit", args=[row.pk]), {"muscle": "piriformis"})
    row.refresh_from_db()
    assert row.params["muscle"] == "hamstrings"
    before = DeliveredIntervention.objects.count()
    client.post(intervention_url(first_session, "stretching"), {"muscle": "piriformis"})
    assert DeliveredIntervention.objects.count() == before
    page = client.get(first_session.get_absolute_url()).content.decode()
    assert reverse("treatments:intervention_edit", args=[row.pk]) not in page


def test_signing_twice_is_refused(physio, first_session):
    from assessments.host import ClinicError

    carebook_services.session_sign(session=first_session, user=physio)
    with pytest.raises(ClinicError, match="already signed"):
        carebook_services.session_sign(session=first_session, user=physio)
