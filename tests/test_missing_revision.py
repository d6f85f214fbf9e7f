"""A save whose form carries no revision (a page from before the field, a client of its
own, a field removed in the browser) is checked like one opened before anything was
saved: over a record saved since, it is refused, never let through unchecked."""

import html

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.forms import measure_field_name
from assessments.models import Assessment
from clinic import services as clinic_services
from treatments import services as treatment_services
from treatments.models import TreatmentPlan, VisitNote

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("revision", [None, "", "not a number"], ids=["missing", "empty", "junk"])
def test_patient_details_saved_without_a_revision_are_refused(
    client_for, front_desk, physio, patient, revision
):
    clinic_services.patient_update(patient=patient, user=physio, phone="01632 960001")
    data = {
        "given_name": "Someone",
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
    }
    if revision is not None:
        data["revision"] = revision

    response = client_for(front_desk).post(
        reverse("clinic:patient_update", args=[patient.pk]), data
    )

    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.given_name != "Someone"


@pytest.mark.parametrize("revision", [None, "", "junk"], ids=["missing", "empty", "junk"])
def test_an_assessment_saved_without_a_revision_over_a_colleague_s_is_refused(
    client_for, physio, other_physio, visit, revision
):
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"nprs": {"nprs": 4}}
    )
    clinic_services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya")
    data = {measure_field_name("nprs", "nprs"): "7", "action": "save"}
    if revision is not None:
        data["revision"] = revision

    response = client_for(other_physio).post(
        reverse("assessments:assessment_edit", args=[visit.pk, BUTTOCK_PAIN_V1.code]), data
    )

    assert response.status_code == 200
    assert Assessment.objects.get(visit=visit).answers["nprs"] == {"nprs": 4}


def test_a_soap_note_saved_without_a_revision_over_a_saved_one_is_refused(
    client_for, physio, visit
):
    treatment_services.visit_note_save(visit=visit, user=physio, subjective="First")

    response = client_for(physio).post(
        reverse("treatments:visit_note_save", args=[visit.pk]), {"subjective": "Second"}
    )

    assert "saved this note at" in text(response)
    assert VisitNote.objects.get(visit=visit).subjective == "First"


def test_a_plan_saved_without_a_revision_over_a_saved_one_is_refused(
    client_for, physio, other_physio, episode
):
    treatment_services.plan_save(
        episode=episode,
        user=physio,
        planned_interventions=[],
        visit_interval_days=7,
        planned_visits=6,
        next_review_on=None,
        notes="",
        goals=[],
    )

    response = client_for(other_physio).post(
        reverse("treatments:plan_edit", args=[episode.pk]),
        {"visit_interval_days": "14", "planned_visits": "3"},
    )

    assert "saved this treatment plan at" in text(response)
    assert TreatmentPlan.objects.get(episode=episode).planned_visits == 6


def test_a_first_save_without_a_revision_still_goes_through(client_for, physio, episode):
    response = client_for(physio).post(
        reverse("treatments:plan_edit", args=[episode.pk]),
        {"visit_interval_days": "14", "planned_visits": "3"},
    )

    assert response.status_code == 302
    assert TreatmentPlan.objects.get(episode=episode).planned_visits == 3
