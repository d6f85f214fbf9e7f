"""The FHIR export of the plugin's resources for a carebook client, validated by a FHIR
library when one is installed."""

import json

import pytest
from assessments.buttock_pain import BUTTOCK_PAIN_V2
from django.urls import reverse

from test_journey import HAMSTRING, edit_url, intervention_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(client_for, physio, first_session, care_plan):
    client = client_for(physio)
    assert client.post(edit_url(first_session), HAMSTRING | {"action": "save"}).status_code == 302
    client.post(
        reverse("assessments:working_diagnosis_confirm", args=[care_plan.pk]),
        {"source": ["proximal_hamstring_tendinopathy"], "main": "proximal_hamstring_tendinopathy"},
    )
    client.post(intervention_url(first_session, "stretching"), {"muscle": "hamstrings"})
    return client


def test_the_bundle_holds_the_plugins_resources_and_validates(recorded, carebook_client):
    response = recorded.get(reverse("treatments:patient_fhir_export", args=[carebook_client.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    types = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"QuestionnaireResponse", "Observation", "Procedure", "Condition"} <= types
    condition = next(
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Condition"
    )
    assert "hamstring" in json.dumps(condition["code"]).lower()

    bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
    bundle_model.Bundle.model_validate(bundle)


def test_the_questionnaire_validates(client_for, physio):
    url = reverse("assessments:questionnaire", args=["buttock_pain", BUTTOCK_PAIN_V2.version])
    response = client_for(physio).get(url)
    assert response.status_code == 200
    questionnaire = pytest.importorskip("fhir.resources.R4B.questionnaire")
    questionnaire.Questionnaire.model_validate(json.loads(response.content))
