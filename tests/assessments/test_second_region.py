"""The extension points hold for a second body region: a small template and its rule
set, registered for the test only, go through the whole journey by the test client.

Everything named ``test_region`` here is made up and test-only: no clinical meaning."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.definitions import templates
from assessments.models import Assessment, WorkingDiagnosis
from assessments.reasoning import rulesets, suggest
from tests.assessments.second_region import SERIOUS_PATHOLOGY, TEST_REGION_RULES, TEST_REGION_V1
from treatments import selectors as treatment_selectors
from treatments.reports import GroupBy, ReportFilters, outcome_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def test_region():
    with templates.temporarily(TEST_REGION_V1), rulesets.temporarily(TEST_REGION_RULES):
        yield TEST_REGION_RULES


def test_suggest_serves_any_registered_template(test_region):
    result = suggest({"test_region_ache": "yes"}, template="test_region")
    assert [(s.code, s.score, s.rules) for s in result.sources] == [
        ("test_region_source_a", 2, ["T1"])
    ]
    assert result.sources[0].interventions == ["education", "exercise_programme"]
    assert result.sources[0].label == "Test-only source A"

    flagged = suggest({"test_region_click": "yes", "rf_test_region_flag": "yes"}, "test_region")
    assert flagged.red_flags == ["serious_pathology"]
    assert flagged.red_flag_items == ["rf_test_region_flag"]
    assert flagged.urgency == "urgent" and flagged.action == SERIOUS_PATHOLOGY.action
    assert flagged.sources[0].code == "test_region_source_b"
    assert flagged.sources[0].interventions == []
    # The stable API still reads buttock pain, and a buttock-pain item is unknown here.
    assert suggest({"low_back_pain": "yes"}).sources[0].code == "lumbar_referred"
    with pytest.raises(ValueError, match="low_back_pain"):
        suggest({"low_back_pain": "yes"}, template="test_region")


def edit_url(visit) -> str:
    return reverse("assessments:assessment_edit", args=[visit.pk, "test_region"])


def test_the_whole_journey_through_a_second_region(
    test_region, client_for, physio, clinic_admin, visit
):
    client = client_for(physio)
    form = client.get(edit_url(visit)).content.decode()
    assert 'name="test_region_ache"' in form and "Likely sources of pain" in form

    # Form saved; its measure is extracted; the panel shows its sources, its rule origins.
    answers = {"test_region_ache": "yes", "rf_test_region_flag": "no", "nprs__nprs": "6"}
    response = client.post(edit_url(visit), answers | {"action": "save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment = Assessment.objects.get(visit=visit)
    assert assessment.template_code == "test_region"
    assert visit.measurements.get().measure_code == "nprs"
    panel = client.post(
        reverse("assessments:reasoning_panel", args=[visit.pk, "test_region"]),
        {"test_region_ache": "yes", "test_region_click": "yes"},
    ).content.decode()
    assert 'data-source="test_region_source_b"' in panel and "Test-only source A" in panel
    assert "Test-only citation" in panel and "Stretching" in panel
    page = client.get(edit_url(visit)).content.decode()
    assert 'data-source="test_region_source_a"' in page

    # The working diagnosis names its source; a source of another rule set is refused.
    confirm_url = reverse("assessments:working_diagnosis_confirm", args=[visit.episode.pk])
    client.post(confirm_url, {"source": ["test_region_source_a"]})
    assert [(row.source_code, row.is_main) for row in WorkingDiagnosis.objects.all()] == [
        ("test_region_source_a", True)
    ]
    refused = client.post(confirm_url, {"source": ["sij"], "main": "sij"})
    assert refused.status_code == 400
    with pytest.raises(ValidationError, match="'sij' is not a pain source"):
        services.working_diagnosis_confirm(
            episode=visit.episode, user=physio, source_codes=["sij"], main="sij"
        )
    assert WorkingDiagnosis.objects.get().source_code == "test_region_source_a"

    # Its interventions are suggested for the diagnosis.
    assert treatment_selectors.suggested_kinds(visit.episode) == ["education", "exercise_programme"]
    visit_page = client.get(reverse("clinic:visit_detail", args=[visit.pk])).content.decode()
    assert reverse("treatments:intervention_add", args=[visit.pk, "education"]) in visit_page
    assert "Test-only source A" in visit_page

    # The outcome report's row is labelled by its rule set.
    report = outcome_report(group_by=GroupBy.DIAGNOSIS, filters=ReportFilters())
    assert [(row.key, row.label) for row in report.rows][0] == (
        "test_region_source_a",
        "Test-only source A",
    )
    admin = client_for(clinic_admin)
    page = admin.get(reverse("treatments:outcome_report"), {"group_by": "diagnosis"})
    assert "Test-only source A" in page.content.decode()

    # FHIR: the Questionnaire of the template, and the Condition's text from the rule set.
    questionnaire = admin.get(reverse("assessments:questionnaire", args=["test_region", 1]))
    resource = json.loads(questionnaire.content)
    assert resource["resourceType"] == "Questionnaire"
    assert "test_region_ache" in json.dumps(resource["item"])
    bundle = json.loads(
        client.get(
            reverse("treatments:patient_fhir_export", args=[visit.episode.patient.pk])
        ).content
    )
    conditions = [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Condition"
    ]
    assert [condition["code"]["text"] for condition in conditions] == ["Test-only source A"]
