"""FHIR R4 export of treatments: rows built through the services, every resource validated
against fhir.resources' R4B models (which check types and cardinalities, not invariants)."""

import datetime
import json

import pytest
from django.utils import timezone
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.goal import Goal as FhirGoal
from fhir.resources.R4B.procedure import Procedure

from assessments import services as assessment_services
from assessments.fhir.conditions import condition
from clinic import services as clinic_services
from tests.factories import VisitFactory
from treatments import fhir, services
from treatments.kinds import CONSENT, CONTRAINDICATION_SCREEN, defaults, kinds

pytestmark = pytest.mark.django_db

SNOMED = "http://snomed.info/sct"
VERIFIED_SNOMED = {"spinal_manipulation": "118745001", "spinal_mobilization": "21278004"}
ALL_RISKS = ["bruising", "bleeding", "pain", "infection", "nerve_injury", "pneumothorax"]
REFS = {
    "patient_reference": "Patient/p-1",
    "encounter_reference": "Encounter/v-1",
    "performer_reference": "Practitioner/u-1",
}


def give_consent(episode, physio, kind, **extra):
    return services.consent_record(
        episode=episode,
        user=physio,
        intervention_kind=kind,
        given_on=timezone.localdate(),
        method="verbal",
        risks_discussed=ALL_RISKS if kind == "dry_needling" else [],
        right_to_withdraw_explained=True,
        **extra,
    )


def record(visit, physio, kind, params=None, notes=""):
    """An intervention recorded through the service, its preconditions met first."""
    preconditions = kinds.get(kind).preconditions
    if CONSENT in preconditions:
        give_consent(visit.episode, physio, kind)
    if CONTRAINDICATION_SCREEN in preconditions:
        services.screen_record(episode=visit.episode, user=physio, present=[])
    return services.intervention_record(
        visit=visit,
        user=physio,
        kind_code=kind,
        params=defaults(kind) | (params or {}),
        notes=notes,
    )


def as_procedure(row, **extra) -> dict:
    resource = fhir.procedure(row, procedure_id=f"intervention-{row.pk}", **REFS, **extra)
    Procedure.model_validate(resource)
    json.dumps(resource)
    return resource


def notes_of(resource) -> list[str]:
    return [note["text"] for note in resource.get("note", [])]


# Procedure.


@pytest.mark.parametrize("kind", kinds.codes())
def test_every_kind_validates_and_only_two_carry_snomed(physio, screened_visit, kind):
    resource = as_procedure(record(screened_visit, physio, kind))
    assert resource["status"] == "completed"
    assert resource["code"]["text"] == kinds.get(kind).label
    codings = resource["code"].get("coding", [])
    if kind in VERIFIED_SNOMED:
        assert codings == [
            {
                "system": SNOMED,
                "code": VERIFIED_SNOMED[kind],
                "display": fhir.PROCEDURE_CODINGS[kind]["display"],
            }
        ]
    else:
        assert codings == []
    # No other coding anywhere in the resource (body site, notes and outcome are text).
    assert json.dumps(resource).count('"coding"') == (1 if codings else 0)


def test_manipulation_is_snomed_manipulation_of_joint(physio, screened_visit):
    row = record(
        screened_visit,
        physio,
        "spinal_manipulation",
        {"level": "l4_l5", "side": "left", "technique": "rotation", "response": "Pain 6/10 → 3/10"},
    )
    resource = as_procedure(row)
    assert resource["code"] == {
        "coding": [{"system": SNOMED, "code": "118745001", "display": "Manipulation of joint"}],
        "text": "Spinal manipulation",
    }
    assert resource["bodySite"] == [{"text": "L4/5, left"}]
    assert resource["outcome"] == {"text": "Pain 6/10 → 3/10"}
    assert notes_of(resource) == ["Technique: Side-lying rotation (lumbar roll); Maitland grade: V"]


def test_mobilization_is_passive_movement_with_its_parameters_in_words(physio, screened_visit):
    row = record(
        screened_visit,
        physio,
        "spinal_mobilization",
        {"level": "sij", "side": "central", "grade": "III", "minutes": 2},
        notes="Comfortable throughout.",
    )
    resource = as_procedure(row)
    assert resource["code"]["coding"][0]["code"] == "21278004"
    assert resource["code"]["coding"][0]["display"] == "Passive movement"
    assert resource["bodySite"] == [{"text": "Sacroiliac joint, central"}]
    assert notes_of(resource) == [
        "Technique: Central PA; Maitland grade: III; Repetitions: 3; Duration: 2 min",
        "Comfortable throughout.",
    ]


def test_references_time_and_identifier(physio, visit):
    row = record(visit, physio, "stretching", {"muscle": "piriformis"})
    resource = as_procedure(
        row,
        reason_references=["Condition/wd-1", "Condition/wd-2"],
        base_url="https://clinic.example",
    )
    assert resource["id"] == f"intervention-{row.pk}"
    assert resource["identifier"] == [
        {"system": "https://clinic.example/treatments/intervention", "value": str(row.pk)}
    ]
    assert resource["subject"] == {"reference": "Patient/p-1"}
    assert resource["encounter"] == {"reference": "Encounter/v-1"}
    assert resource["performer"] == [{"actor": {"reference": "Practitioner/u-1"}}]
    assert resource["reasonReference"] == [
        {"reference": "Condition/wd-1"},
        {"reference": "Condition/wd-2"},
    ]
    performed = datetime.datetime.fromisoformat(resource["performedDateTime"])
    assert performed.utcoffset() is not None
    assert performed == visit.starts_at
    # A single reference given as a string is one reference, not its characters.
    single = as_procedure(row, reason_references="Condition/wd-1")
    assert single["reasonReference"] == [{"reference": "Condition/wd-1"}]
    assert "reasonReference" not in as_procedure(row)


def test_stretching_body_site_and_dose(physio, visit):
    resource = as_procedure(record(visit, physio, "stretching", {"muscle": "hamstrings"}))
    assert resource["bodySite"] == [{"text": "Hamstrings"}]
    assert notes_of(resource) == ["Hold: 30 s; Repetitions: 3; Times per day: 2"]


def test_soft_tissue_region_uses_the_choice_label(physio, visit):
    row = record(
        visit,
        physio,
        "soft_tissue_therapy",
        {"technique": "soft_tissue_release", "region": "tensor_fasciae_latae", "minutes": 12},
    )
    resource = as_procedure(row)
    assert resource["bodySite"] == [{"text": "Tensor fasciae latae"}]
    assert notes_of(resource) == ["Technique: Soft tissue release; Duration: 12 min"]


def test_dry_needling_muscle_and_side_and_adverse_event_parameters(physio, screened_visit):
    row = record(
        screened_visit,
        physio,
        "dry_needling",
        {
            "muscle": "gluteus_medius",
            "side": "bilateral",
            "needle_length_mm": 50,
            "depth_mm": "30",
            "local_twitch_response": "yes",
            "adverse_event_type": ["bruising", "post_needling_soreness"],
            "adverse_event_severity": "mild",
        },
    )
    resource = as_procedure(row)
    assert "coding" not in resource["code"]
    assert resource["bodySite"] == [{"text": "Gluteus medius, both sides"}]
    assert resource["complication"] == [
        {"text": "Bruising (mild)"},
        {"text": "Post-needling soreness (mild)"},
    ]
    words = notes_of(resource)[0]
    assert "Number of needles: 1" in words
    assert "Needle length: 50 mm" in words
    assert "Needle gauge: 0.3 mm" in words
    assert "Depth: 30 mm" in words
    assert "Local twitch response: Yes" in words


def test_no_adverse_event_is_no_complication(physio, screened_visit):
    row = record(screened_visit, physio, "dry_needling", {"adverse_event_type": ["none"]})
    resource = as_procedure(row)
    assert "complication" not in resource
    assert "Adverse event: None" in notes_of(resource)[0]


def test_recorded_adverse_event_is_a_complication_with_the_action_in_a_note(physio, visit):
    row = record(visit, physio, "stretching")
    services.adverse_event_record(
        intervention=row,
        user=physio,
        event_type="Dizziness",
        severity="mild",
        action_taken="Rested 10 minutes.",
    )
    resource = as_procedure(row)
    assert resource["complication"] == [{"text": "Dizziness (mild)"}]
    assert "Adverse event: Dizziness (mild); action taken: Rested 10 minutes." in notes_of(resource)


def test_electrotherapy_site_is_free_text(physio, visit):
    row = record(visit, physio, "electrotherapy", {"site": "Left buttock"})
    resource = as_procedure(row)
    assert resource["bodySite"] == [{"text": "Left buttock"}]
    assert notes_of(resource) == [
        "Modality: TENS; Frequency: 100 Hz; Pulse width: 100 µs; Intensity level: Sensory; "
        "Duration: 20 min"
    ]


def test_education_has_no_body_site(physio, visit):
    row = record(visit, physio, "education", {"topic": ["pain_science", "sitting"]})
    resource = as_procedure(row)
    assert "bodySite" not in resource
    assert notes_of(resource) == ["Topics: How pain works, Sitting and posture"]


def test_exercise_programme_lists_each_exercise(physio, visit):
    exercises = [
        {
            "name": "Bridge",
            "sets": 3,
            "reps": 10,
            "hold_seconds": 5,
            "load": "bodyweight",
            "frequency": "daily",
            "setting": "home",
            "progression": "Add 2 reps a week if pain ≤ 3/10",
        },
        {"name": "Clam", "sets": 2, "reps": 15, "frequency": "three_per_week"},
        {"name": "Plank", "hold_seconds": 30},
    ]
    resource = as_procedure(record(visit, physio, "exercise_programme", {"exercises": exercises}))
    assert "bodySite" not in resource
    assert notes_of(resource) == [
        "Exercises:\n"
        "1. Bridge: 3 sets × 10 reps, hold 5 s, bodyweight, daily, home; "
        "progression: Add 2 reps a week if pain ≤ 3/10\n"
        "2. Clam: 2 sets × 15 reps, 3×/week\n"
        "3. Plank: hold 30 s"
    ]


def test_removed_intervention_is_entered_in_error(physio, visit):
    row = record(visit, physio, "stretching", {"muscle": "piriformis"})
    services.intervention_remove(intervention=row, user=physio)
    row.refresh_from_db()
    assert as_procedure(row)["status"] == "entered-in-error"


@pytest.mark.parametrize(
    "field, value",
    [
        ("procedure_id", "intervention_1"),
        ("procedure_id", ""),
        ("patient_reference", ""),
        ("performer_reference", "   "),
    ],
)
def test_bad_ids_and_references_are_refused(physio, visit, field, value):
    row = record(visit, physio, "stretching")
    arguments = {"procedure_id": "intervention-1", **REFS, field: value}
    with pytest.raises(ValueError, match=field):
        fhir.procedure(row, **arguments)


def test_naive_visit_time_is_refused(physio, visit):
    row = record(visit, physio, "stretching")
    row.visit.starts_at = datetime.datetime(2025, 3, 4, 9, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        fhir.procedure(row, procedure_id="intervention-1", **REFS)


# Consent.


def as_consent(row, **extra) -> dict:
    resource = fhir.consent(
        row,
        consent_id=f"consent-{row.pk}",
        patient_reference="Patient/p-1",
        performer_reference="Practitioner/u-1",
        **extra,
    )
    FhirConsent.model_validate(resource)
    json.dumps(resource)
    return resource


def test_dry_needling_consent(physio, episode):
    row = give_consent(episode, physio, "dry_needling", notes="Leaflet given.")
    resource = as_consent(row)
    assert resource["status"] == "active"
    assert resource["scope"]["coding"] == [
        {
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "treatment",
            "display": "Treatment",
        }
    ]
    assert resource["category"] == [{"text": "Consent to treatment"}]  # no verified code
    assert resource["patient"] == {"reference": "Patient/p-1"}
    assert resource["performer"] == [{"reference": "Practitioner/u-1"}]
    assert resource["dateTime"] == timezone.localdate().isoformat()
    assert resource["policyRule"]["text"] == (
        "Verbal consent to dry needling; risks discussed: bruising, bleeding, pain, "
        "infection, nerve injury, pneumothorax; right to withdraw explained. "
        "Notes: Leaflet given."
    )
    assert resource["provision"] == {
        "type": "permit",
        "period": {"start": timezone.localdate().isoformat()},
        "code": [{"text": "Dry needling"}],
    }


def test_written_manipulation_consent_without_risks(physio, episode):
    row = services.consent_record(
        episode=episode,
        user=physio,
        intervention_kind="spinal_manipulation",
        given_on=timezone.localdate(),
        method="written",
        risks_discussed=[],
        right_to_withdraw_explained=True,
    )
    resource = as_consent(row)
    assert resource["policyRule"]["text"] == (
        "Written consent to spinal manipulation; right to withdraw explained."
    )
    assert resource["provision"]["code"] == [{"text": "Spinal manipulation"}]
    assert "coding" not in json.dumps(resource["provision"])


def test_withdrawn_consent_is_inactive(physio, episode):
    row = give_consent(episode, physio, "dry_needling")
    row.withdrawn_on = timezone.localdate()
    row.save()
    resource = as_consent(row, base_url="https://clinic.example")
    today = timezone.localdate().isoformat()
    assert resource["status"] == "inactive"
    assert resource["provision"]["period"] == {"start": today, "end": today}
    assert f"withdrawn on {today}" in resource["policyRule"]["text"]
    assert resource["identifier"] == [
        {"system": "https://clinic.example/treatments/consent", "value": str(row.pk)}
    ]


def test_a_replaced_consent_is_inactive_from_the_day_it_was_replaced(physio, episode):
    first = give_consent(episode, physio, "dry_needling")
    give_consent(episode, physio, "dry_needling")
    first.refresh_from_db()
    resource = as_consent(first)
    today = timezone.localdate().isoformat()
    assert resource["status"] == "inactive"
    assert resource["provision"]["period"] == {"start": today, "end": today}
    assert f"replaced by a later consent on {today}" in resource["policyRule"]["text"]


# CarePlan.


def save_plan(episode, physio, **overrides):
    arguments = {
        "planned_interventions": ["stretching", "spinal_mobilization", "exercise_programme"],
        "visit_interval_days": 7,
        "planned_visits": 6,
        "next_review_on": timezone.localdate() + datetime.timedelta(days=28),
        "notes": "Review the home programme at each visit.",
        "goals": [
            {
                "text": "Sit through a film",
                "measure_code": "nprs",
                "comparator": "<=",
                "target_value": 2,
            },
            {"text": "Back to work", "measure_code": "odi", "comparator": "<=", "target_value": 20},
            {"text": "Run 5 km", "measure_code": "lefs", "comparator": ">=", "target_value": 70},
            {"text": "Back to running"},
        ],
    } | overrides
    return services.plan_save(episode=episode, user=physio, **arguments)


def as_care_plan(plan, **extra) -> dict:
    resource = fhir.care_plan(
        plan,
        care_plan_id=f"plan-{plan.pk}",
        patient_reference="Patient/p-1",
        author_reference="Practitioner/u-1",
        **extra,
    )
    CarePlan.model_validate(resource)
    for contained in resource.get("contained", []):
        FhirGoal.model_validate(contained)
    json.dumps(resource)
    return resource


def test_care_plan_with_goals_and_activities(physio, episode):
    plan = save_plan(episode, physio)
    resource = as_care_plan(plan, condition_references=["Condition/wd-1"])
    assert resource["status"] == "active"
    assert resource["intent"] == "plan"
    assert resource["title"] == "Treatment plan: Right buttock pain"
    assert resource["period"] == {"start": episode.opened_on.isoformat()}
    assert resource["author"] == {"reference": "Practitioner/u-1"}
    assert resource["addresses"] == [{"reference": "Condition/wd-1"}]
    assert resource["description"] == "See the patient weekly (7-day interval); 6 visits planned."
    review = (timezone.localdate() + datetime.timedelta(days=28)).isoformat()
    assert notes_of(resource) == [
        f"Next review: {review}",
        "Review the home programme at each visit.",
    ]
    details = [activity["detail"] for activity in resource["activity"]]
    assert [detail["description"] for detail in details] == [
        "Stretching",
        "Spinal mobilization",
        "Exercise programme",
    ]
    assert {detail["status"] for detail in details} == {"scheduled"}
    assert details[0]["scheduledTiming"] == {
        "repeat": {"frequency": 1, "period": 7, "periodUnit": "d"}
    }
    assert details[0]["code"] == {"text": "Stretching"}
    assert details[1]["code"]["coding"][0]["code"] == "21278004"


def test_goals_are_contained_with_their_targets(physio, episode):
    resource = as_care_plan(save_plan(episode, physio), condition_references="Condition/wd-1")
    assert resource["goal"] == [{"reference": f"#goal-{n}"} for n in range(1, 5)]
    goals = {goal["id"]: goal for goal in resource["contained"]}
    first = goals["goal-1"]
    assert first["lifecycleStatus"] == "active"
    assert first["description"] == {"text": "Sit through a film"}
    assert first["subject"] == {"reference": "Patient/p-1"}
    assert first["addresses"] == [{"reference": "Condition/wd-1"}]
    assert first["target"] == [
        {
            "measure": {"text": "Numeric Pain Rating Scale"},
            "detailQuantity": {"value": 2, "comparator": "<=", "unit": "points"},
        }
    ]
    assert goals["goal-2"]["target"][0]["detailQuantity"] == {
        "value": 20,
        "comparator": "<=",
        "unit": "%",
    }
    assert goals["goal-3"]["target"][0]["detailQuantity"]["comparator"] == ">="
    assert "target" not in goals["goal-4"]
    # No LOINC or other code on the goals: text only.
    assert '"coding"' not in json.dumps(resource["contained"])


def test_activity_in_progress_once_given(physio, visit):
    plan = save_plan(visit.episode, physio, planned_interventions=["stretching", "education"])
    record(visit, physio, "stretching")
    removed = record(visit, physio, "education")
    services.intervention_remove(intervention=removed, user=physio)
    statuses = [a["detail"]["status"] for a in as_care_plan(plan)["activity"]]
    assert statuses == ["in-progress", "scheduled"]


def test_discharged_plan_is_completed(physio, visit):
    episode = visit.episode
    plan = save_plan(
        episode,
        physio,
        planned_interventions=["stretching", "education"],
        visit_interval_days=10,
        planned_visits=1,
        next_review_on=None,
        notes="",
        goals=[],
    )
    record(visit, physio, "stretching")
    clinic_services.visit_sign(visit=visit, user=physio)
    clinic_services.episode_discharge(episode=episode, reason="goals_met")
    plan.refresh_from_db()
    resource = as_care_plan(plan)
    assert resource["status"] == "completed"
    assert resource["period"]["end"] == timezone.localdate().isoformat()
    assert (
        resource["description"]
        == "See the patient every 10 days (10-day interval); 1 visit planned."
    )
    assert [a["detail"]["status"] for a in resource["activity"]] == ["completed", "cancelled"]
    assert "contained" not in resource and "goal" not in resource and "note" not in resource


# Condition.


def confirm(episode, physio, codes, **extra):
    return assessment_services.working_diagnosis_confirm(
        episode=episode, user=physio, source_codes=codes, **extra
    )


def as_condition(row, **extra) -> dict:
    resource = condition(
        row, condition_id=f"diagnosis-{row.pk}", patient_reference="Patient/p-1", **extra
    )
    Condition.model_validate(resource)
    json.dumps(resource)
    return resource


def status_code(resource, field):
    return resource[field]["coding"][0]["code"]


def test_provisional_and_differential(physio, episode):
    """The main diagnosis the physio marked is provisional, whatever its place in the list."""
    main, other = confirm(episode, physio, ["piriformis", "sij"], main="sij", suggested=["sij"])
    first = as_condition(
        main, encounter_reference="Encounter/v-1", asserter_reference="Practitioner/u-1"
    )
    assert status_code(first, "clinicalStatus") == "active"
    assert first["clinicalStatus"]["coding"][0]["system"] == (
        "http://terminology.hl7.org/CodeSystem/condition-clinical"
    )
    assert first["verificationStatus"]["coding"] == [
        {
            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            "code": "provisional",
            "display": "Provisional",
        }
    ]
    assert first["code"] == {"text": "Sacroiliac joint"}  # no verified code: text only
    assert first["encounter"] == {"reference": "Encounter/v-1"}
    assert first["asserter"] == {"reference": "Practitioner/u-1"}
    assert datetime.datetime.fromisoformat(first["recordedDate"]) == main.confirmed_at
    assert notes_of(first) == ["Suggested by decision support; confirmed by the clinician."]
    second = as_condition(other)
    assert status_code(second, "verificationStatus") == "differential"
    assert second["code"] == {"text": "Piriformis"}
    assert "note" not in second and "encounter" not in second


def test_withdrawn_diagnosis_is_refuted(physio, episode):
    confirm(episode, physio, ["sij", "piriformis"], main="piriformis")
    confirm(episode, physio, ["sij"])
    withdrawn = episode.working_diagnoses.get(source_code="piriformis")
    resource = as_condition(withdrawn)
    assert status_code(resource, "verificationStatus") == "refuted"
    assert "clinicalStatus" not in resource
    assert notes_of(resource) == [
        f"Withdrawn from the working diagnosis on {withdrawn.withdrawn_at.date().isoformat()}."
    ]


@pytest.mark.parametrize(
    "reason, clinical", [("goals_met", "resolved"), ("did_not_return", "inactive")]
)
def test_discharged_episode_diagnosis(physio, episode, reason, clinical):
    episode.onset_date = episode.opened_on - datetime.timedelta(days=60)
    episode.save()
    (row,) = confirm(episode, physio, ["lumbar_referred"])
    clinic_services.episode_discharge(episode=episode, reason=reason)
    row.refresh_from_db()
    resource = as_condition(row)
    assert status_code(resource, "clinicalStatus") == clinical
    assert status_code(resource, "verificationStatus") == "provisional"
    assert resource["onsetDateTime"] == episode.onset_date.isoformat()
    assert resource["code"] == {"text": "Referred pain from the lumbar spine"}


def test_later_visit_encounter_is_optional(physio, episode):
    VisitFactory(episode=episode, practitioner=physio)
    (row,) = confirm(episode, physio, ["myofascial_trigger_points"])
    resource = as_condition(row, base_url="https://clinic.example")
    assert resource["identifier"] == [
        {"system": "https://clinic.example/assessments/working-diagnosis", "value": str(row.pk)}
    ]
