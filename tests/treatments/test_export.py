import json

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.fhir.base import resource_id
from assessments.fhir.bundle import FhirContributor, contributors, patient_bundle, references
from clinic import services as clinic_services
from tests.factories import VisitFactory
from treatments import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_record(physio, screened_visit):
    visit = screened_visit
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={
            "rf_trauma": "no",
            "low_back_pain": "yes",
            "nprs": {"nprs": 6},
            "odi": {f"odi_{n}": 2 for n in range(1, 10)},
        },
    )
    assessment_services.working_diagnosis_confirm(
        episode=visit.episode,
        user=physio,
        source_codes=["lumbar_referred", "sij"],
        main="lumbar_referred",
    )
    services.consent_record(
        episode=visit.episode,
        user=physio,
        intervention_kind="spinal_mobilization",
        given_on=visit.starts_at.date(),
        method="verbal",
        risks_discussed=[],
        right_to_withdraw_explained=True,
    )
    services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="spinal_mobilization",
        params={"level": "l4_l5", "grade": "III"},
    )
    services.plan_save(
        episode=visit.episode,
        user=physio,
        planned_interventions=["spinal_mobilization"],
        visit_interval_days=7,
        planned_visits=6,
        next_review_on=None,
        notes="",
        goals=[
            {"text": "Less pain", "measure_code": "nprs", "comparator": "<=", "target_value": 2}
        ],
    )
    clinic_services.visit_sign(visit=visit, user=physio)
    VisitFactory(episode=visit.episode, practitioner=physio)
    return visit.episode.patient


def test_bundle_validates_and_every_reference_resolves(full_record):
    bundle = patient_bundle(full_record)
    Bundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    for kind in (
        "Patient",
        "Practitioner",
        "Encounter",
        "QuestionnaireResponse",
        "Observation",
        "Condition",
        "Procedure",
        "Consent",
        "CarePlan",
    ):
        assert kind in kinds, kind
    assert kinds.count("Encounter") == 2 and kinds.count("Condition") == 2
    assert kinds.count("Observation") == 2  # NPRS and ODI
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    for entry in bundle["entry"]:
        for reference in references(entry["resource"]):
            if reference.startswith("#"):
                continue  # contained resources
            assert reference in present, reference


def test_each_resource_validates_on_its_own(full_record):
    import importlib

    for entry in patient_bundle(full_record)["entry"]:
        resource = entry["resource"]
        name = resource["resourceType"]
        module = importlib.import_module(f"fhir.resources.R4B.{name.lower()}")
        getattr(module, name).model_validate(resource)


def test_export_command_writes_the_bundle(full_record, tmp_path, capsys):
    call_command("export_fhir", full_record.identifier)
    data = json.loads(capsys.readouterr().out)
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    target = tmp_path / "out.json"
    call_command("export_fhir", full_record.identifier.lower(), "--output", str(target))
    assert json.loads(target.read_text())["entry"][0]["resource"]["resourceType"] == "Patient"


def test_export_command_explains_bad_input():
    with pytest.raises(CommandError, match="No patient has the clinic number"):
        call_command("export_fhir", "NOPE-NOPE")
    with pytest.raises(CommandError, match="either"):
        call_command("export_fhir")


def test_export_questionnaire(capsys):
    call_command("export_fhir", "--questionnaire", "buttock_pain")
    Questionnaire.model_validate(json.loads(capsys.readouterr().out))


def test_export_button_for_clinical_roles_only(
    client_for, physio, clinic_admin, front_desk, full_record
):
    url = reverse("treatments:patient_fhir_export", args=[full_record.pk])
    assert url in client_for(physio).get(full_record.get_absolute_url()).content.decode()
    response = client_for(clinic_admin).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    assert client_for(front_desk).get(url).status_code == 403
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_id=full_record.pk, actor=clinic_admin
    ).exists()


@pytest.fixture
def without_the_clinic():
    """The export as under a host that builds no FHIR resources of its own."""
    clinic = contributors.get("clinic")
    contributors.unregister("clinic")
    try:
        yield
    finally:
        contributors.register(clinic)


def test_a_registered_contributor_adds_its_resources(full_record, clinic_admin):
    def flags(export):
        return [
            {
                "resourceType": "Flag",
                "id": resource_id("Flag", export.patient.pk),
                "status": "active",
                "code": {"text": "Prefers morning appointments"},
                "subject": {"reference": export.patient_reference},
                "author": {"reference": export.practitioner_reference(clinic_admin)},
            }
        ]

    with contributors.temporarily(FhirContributor(key="flags", resources=flags)):
        bundle = patient_bundle(full_record)
    Bundle.model_validate(bundle)
    by_url = {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}
    assert by_url[f"https://clinic.invalid/fhir/Flag/flag-{full_record.pk}"]["subject"] == {
        "reference": f"Patient/patient-{full_record.pk}"
    }
    # The user it names is one of the Bundle's Practitioners, built by the host.
    practitioner = by_url[
        f"https://clinic.invalid/fhir/Practitioner/practitioner-{clinic_admin.pk}"
    ]
    assert practitioner["identifier"][0]["value"] == clinic_admin.username
    assert "Flag" not in [
        e["resource"]["resourceType"] for e in patient_bundle(full_record)["entry"]
    ]


def test_the_plugin_exports_its_resources_when_the_host_builds_none(
    full_record, without_the_clinic
):
    bundle = patient_bundle(full_record)
    Bundle.model_validate(bundle)
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert kinds == {
        "QuestionnaireResponse",
        "Observation",
        "Condition",
        "Procedure",
        "Consent",
        "CarePlan",
    }
    patient = f"Patient/patient-{full_record.pk}"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert patient in references(resource), resource["resourceType"]


def test_the_export_command_and_page_need_no_host_resources(
    full_record, without_the_clinic, capsys, client_for, physio
):
    call_command("export_fhir", full_record.identifier)
    Bundle.model_validate(json.loads(capsys.readouterr().out))
    response = client_for(physio).get(
        reverse("treatments:patient_fhir_export", args=[full_record.pk])
    )
    assert response.status_code == 200
    Bundle.model_validate(json.loads(response.content))
