"""FHIR R4 export of delivered interventions, consents and the treatment plan, and the
treatments app's part of a patient's Bundle.

Pure functions in the manner of ``assessments.fhir`` and on its helpers
(``assessments.fhir.base``): model instances and explicit references (strings such as
``"Patient/123"``) in, plain dicts out, ready for ``json.dumps``. Nothing is saved and
no request is needed; the only queries are the related rows a resource is made of (an
intervention's adverse events, a plan's goals, the interventions given in the plan's
episode). ``fhir.resources`` is a test dependency only: the tests validate the output
against its R4B models.

The mapping is section 6 of the clinical spec (``buttock-pain.md``):

- a ``DeliveredIntervention`` is a ``Procedure`` (``code`` text, ``bodySite``,
  ``performedDateTime``, ``performer``, ``reasonReference``);
- a ``Consent`` is a ``Consent``;
- a ``TreatmentPlan`` is a ``CarePlan``, its goals contained ``Goal`` resources (the
  working diagnosis' Conditions are the assessments app's: ``assessments.fhir.conditions``).

Codes: only the spec's VERIFIED codes. SNOMED CT 118745001 (manipulation of joint) for
spinal manipulation and 21278004 (passive movement) for spinal mobilization; every other
intervention kind, body sites and goal measures are text only. The HL7 Consent scope is
FHIR's own value set, not a clinical code.

``base_url`` names the clinic's record identifiers: each resource carries an
``identifier`` ``{base_url}/{app}/{record}`` with the row's primary key, so an export can
be matched to its row again whatever ids the caller gives the resources.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from assessments import host, measures
from assessments.fhir.base import (
    DEFAULT_BASE_URL,
    SNOMED,
    Resource,
    annotations,
    as_date,
    as_date_time,
    check_id,
    codeable_concept,
    identifier,
    reference,
    reference_to,
    references,
    resource_id,
)
from assessments.fhir.bundle import PatientExport
from assessments.fhir.conditions import condition_references
from assessments.host import EpisodeOfCare

from .kinds import EXERCISE_FIELDS, InterventionKind, NotRegistered, Param, ParamType, kinds
from .models import Consent, DeliveredIntervention, Goal, TreatmentPlan

__all__ = [
    "PROCEDURE_CODINGS",
    "care_plan",
    "consent",
    "patient_resources",
    "procedure",
]

CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"

# Section 6 of the spec, VERIFIED codes only; the other kinds have none (text only).
PROCEDURE_CODINGS: Mapping[str, dict[str, str]] = {
    "spinal_manipulation": {
        "system": SNOMED,
        "code": "118745001",
        "display": "Manipulation of joint",
    },
    "spinal_mobilization": {"system": SNOMED, "code": "21278004", "display": "Passive movement"},
}

# Parameters that say where the intervention was given (Procedure.bodySite), in the
# order they are read; the side follows them.
_ANATOMY_PARAMS = ("level", "muscle", "region", "site")
_SIDE_PARAM = "side"
# Parameters with a place of their own: the response is Procedure.outcome.
_RESPONSE_PARAM = "response"
_ADVERSE_TYPE_PARAM = "adverse_event_type"
_ADVERSE_SEVERITY_PARAM = "adverse_event_severity"
_NO_ADVERSE_EVENT = "none"

_EXERCISE_FIELDS = {param.code: param for param in EXERCISE_FIELDS}


def _kind(code: str) -> InterventionKind | None:
    try:
        return kinds.get(code)
    except NotRegistered:
        return None  # a kind since unregistered: its rows are still exported, as text


def _kind_label(code: str) -> str:
    kind = _kind(code)
    return kind.label if kind else code.replace("_", " ").capitalize()


def _kind_code(code: str) -> Resource:
    """Procedure.code (and CarePlan activity code): the kind's label, and the verified
    SNOMED CT coding for the two kinds that have one."""
    coding = PROCEDURE_CODINGS.get(code)
    return codeable_concept([coding] if coding else [], text=_kind_label(code))


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _with_unit(value: float | int, unit: str) -> str:
    if not unit:
        return _number(value)
    return f"{_number(value)}{'' if unit == '%' else ' '}{unit}"


def _choice_label(param: Param, code: object) -> str:
    labels = {choice.code: choice.label for choice in param.choices}
    return labels.get(code, str(code))


def _value_text(param: Param, value: object) -> str:
    """A parameter's value in words, with the labels and the unit of its kind."""
    if param.type is ParamType.CHOICE:
        return _choice_label(param, value)
    if param.type is ParamType.MULTI_CHOICE:
        return ", ".join(_choice_label(param, code) for code in value)
    if param.type is ParamType.YES_NO:
        return {"yes": "Yes", "no": "No"}.get(value, str(value))
    if param.type in (ParamType.INTEGER, ParamType.DECIMAL):
        return _with_unit(value, param.unit)
    return str(value)


def _side_text(param: Param | None, value: object) -> str:
    label = _choice_label(param, value) if param else str(value)
    # MUSCLE_SIDE calls both sides "Both", which reads "Piriformis, both sides".
    return "both sides" if label == "Both" else label.lower()


# Procedure.


def _params_of(kind: InterventionKind | None, params: Mapping[str, Any]) -> dict[str, Param]:
    """The Param of each stored parameter, in the kind's order; a parameter the kind no
    longer has is kept as text under its code."""
    known = {param.code: param for param in kind.params} if kind else {}
    ordered = {code: known[code] for code in known if code in params}
    for code in params:
        if code not in ordered:
            ordered[code] = Param(code, code.replace("_", " ").capitalize(), ParamType.TEXT)
    return ordered


def _body_site(params: Mapping[str, Any], described: Mapping[str, Param]) -> str:
    """Where it was given, e.g. "L4/5, left", "Piriformis, both sides", "Left buttock"."""
    parts = [
        _value_text(described[code], params[code]) for code in _ANATOMY_PARAMS if code in params
    ]
    if _SIDE_PARAM in params:
        side = _side_text(described.get(_SIDE_PARAM), params[_SIDE_PARAM])
        parts.append(side if parts else side.capitalize())
    return ", ".join(parts)


def _exercise_line(number: int, row: Mapping[str, Any]) -> str:
    """``1. Bridge: 3 sets × 10 reps, hold 5 s, bodyweight, daily, home; progression: …``"""
    sets, reps = row.get("sets"), row.get("reps")
    dose = []
    if sets is not None and reps is not None:
        dose.append(f"{sets} sets × {reps} reps")
    elif sets is not None:
        dose.append(f"{sets} sets")
    elif reps is not None:
        dose.append(f"{reps} reps")
    if row.get("hold_seconds") is not None:
        dose.append(
            f"hold {_with_unit(row['hold_seconds'], _EXERCISE_FIELDS['hold_seconds'].unit)}"
        )
    if row.get("load"):
        dose.append(str(row["load"]))
    for code in ("frequency", "setting"):
        if row.get(code):
            dose.append(_choice_label(_EXERCISE_FIELDS[code], row[code]).lower())
    line = f"{number}. {row.get('name', 'Exercise')}"
    if dose:
        line += ": " + ", ".join(dose)
    if row.get("progression"):
        line += f"; progression: {row['progression']}"
    return line


def _adverse_event_texts(
    intervention: DeliveredIntervention, described: Mapping[str, Param]
) -> tuple[list[str], list[str]]:
    """(complications, notes): the AdverseEvent rows and the kind's own adverse-event
    parameters (dry needling), "None" left out."""
    complications: list[str] = []
    notes: list[str] = []
    if intervention.pk is not None:
        for event in intervention.adverse_events.order_by("recorded_at", "id"):
            text = f"{event.event_type} ({event.get_severity_display().lower()})"
            complications.append(text)
            notes.append(f"Adverse event: {text}; action taken: {event.action_taken.strip()}")
    params = intervention.params or {}
    types = [code for code in params.get(_ADVERSE_TYPE_PARAM, []) if code != _NO_ADVERSE_EVENT]
    if types:
        type_param = described[_ADVERSE_TYPE_PARAM]
        severity = params.get(_ADVERSE_SEVERITY_PARAM)
        suffix = ""
        if severity:
            severity_label = _value_text(described[_ADVERSE_SEVERITY_PARAM], severity)
            suffix = f" ({severity_label.lower()})"
        complications.extend(_choice_label(type_param, code) + suffix for code in types)
    return list(dict.fromkeys(complications)), notes


def procedure(
    intervention: DeliveredIntervention,
    *,
    procedure_id: str,
    patient_reference: str,
    encounter_reference: str,
    performer_reference: str,
    reason_references: str | Iterable[str] = (),
    base_url: str = DEFAULT_BASE_URL,
) -> Resource:
    """A delivered intervention as a FHIR R4 Procedure.

    ``status`` is ``completed``, or ``entered-in-error`` for a removed row (kept, never
    deleted). ``code`` is the kind's label (SNOMED CT only for manipulation and
    mobilization); ``bodySite`` the level, muscle, region or site and the side, in
    words; the other parameters are a note ("Maitland grade: III; Repetitions: 3"), an
    exercise programme's rows a second note, the clinician's notes a third. The
    patient's response is the ``outcome``; adverse events are ``complication`` texts.
    ``reason_references`` are the working diagnosis' Condition references.
    """
    kind = _kind(intervention.kind)
    params: Mapping[str, Any] = intervention.params or {}
    described = _params_of(kind, params)
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": check_id(procedure_id, "procedure_id"),
    }
    row_identifier = identifier(base_url, "treatments/intervention", intervention.pk)
    if row_identifier:
        resource["identifier"] = row_identifier
    resource["status"] = "entered-in-error" if intervention.removed_at else "completed"
    resource["code"] = _kind_code(intervention.kind)
    resource["subject"] = reference(patient_reference, "patient_reference")
    resource["encounter"] = reference(encounter_reference, "encounter_reference")
    resource["performedDateTime"] = as_date_time(intervention.visit.starts_at, "visit.starts_at")
    resource["performer"] = [{"actor": reference(performer_reference, "performer_reference")}]
    reasons = references(reason_references, "reason_references")
    if reasons:
        resource["reasonReference"] = reasons
    body_site = _body_site(params, described)
    if body_site:
        resource["bodySite"] = [{"text": body_site}]
    response = str(params.get(_RESPONSE_PARAM) or "").strip()
    if response:
        resource["outcome"] = {"text": response}
    complications, event_notes = _adverse_event_texts(intervention, described)
    if complications:
        resource["complication"] = [{"text": text} for text in complications]

    placed = {*_ANATOMY_PARAMS, _SIDE_PARAM, _RESPONSE_PARAM}
    in_words = [
        f"{param.label}: {_value_text(param, params[code])}"
        for code, param in described.items()
        if code not in placed and param.type is not ParamType.EXERCISES
    ]
    exercise_lines = [
        _exercise_line(number, row)
        for code, param in described.items()
        if param.type is ParamType.EXERCISES
        for number, row in enumerate(params[code], start=1)
    ]
    notes = [
        "; ".join(in_words),
        "\n".join(["Exercises:", *exercise_lines]) if exercise_lines else "",
        intervention.notes,
        *event_notes,
    ]
    if note := annotations(notes):
        resource["note"] = note
    return resource


# Consent.


def consent(
    consent: Consent,
    *,
    consent_id: str,
    patient_reference: str,
    performer_reference: str,
    base_url: str = DEFAULT_BASE_URL,
) -> Resource:
    """A consent to one intervention kind as a FHIR R4 Consent (scope ``treatment``).

    ``status`` is ``active``, or ``inactive`` once withdrawn or replaced by a later
    consent. The category is text only (no verified code). R4's Consent has no note: how
    it was given, the risks discussed and the right to withdraw are the ``policyRule``
    text; the kind is the provision's ``code`` text and its period runs from the day given
    to the day withdrawn or replaced.
    """
    label = _kind_label(consent.intervention_kind)
    rule = [f"{consent.get_method_display()} consent to {label.lower()}"]
    if consent.risks_discussed:
        risks = ", ".join(risk.lower() for risk in consent.risk_labels)
        rule.append(f"risks discussed: {risks}")
    if consent.right_to_withdraw_explained:
        rule.append("right to withdraw explained")
    ended_on = consent.withdrawn_on
    if consent.withdrawn_on:
        rule.append(f"withdrawn on {as_date(consent.withdrawn_on)}")
    elif consent.superseded_at:
        ended_on = timezone.localdate(consent.superseded_at)
        rule.append(f"replaced by a later consent on {as_date(ended_on)}")
    policy_text = "; ".join(rule) + "."
    if consent.notes.strip():
        policy_text += f" Notes: {consent.notes.strip()}"

    period = {"start": as_date(consent.given_on)}
    if ended_on:
        period["end"] = as_date(ended_on)
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": check_id(consent_id, "consent_id"),
    }
    row_identifier = identifier(base_url, "treatments/consent", consent.pk)
    if row_identifier:
        resource["identifier"] = row_identifier
    resource.update(
        status="inactive" if ended_on else "active",
        scope={"coding": [{"system": CONSENT_SCOPE, "code": "treatment", "display": "Treatment"}]},
        category=[{"text": "Consent to treatment"}],
        patient=reference(patient_reference, "patient_reference"),
        dateTime=as_date(consent.given_on),
        performer=[reference(performer_reference, "performer_reference")],
        policyRule={"text": policy_text},
        provision={"type": "permit", "period": period, "code": [{"text": label}]},
    )
    return resource


# CarePlan.


def _interval_text(days: int) -> str:
    return {1: "daily", 7: "weekly", 14: "fortnightly"}.get(days, f"every {days} days")


def _given_kinds(episode: EpisodeOfCare) -> set[str]:
    return set(
        DeliveredIntervention.objects.filter(
            visit__episode=episode, removed_at__isnull=True
        ).values_list("kind", flat=True)
    )


def _activity_status(given: bool, discharged: bool) -> str:
    if discharged:
        return "completed" if given else "cancelled"
    return "in-progress" if given else "scheduled"


def _goal_target(goal: Goal) -> dict[str, Any] | None:
    if not goal.measure_code or goal.target_value is None:
        return None
    if goal.measure_code in measures.registry:
        measure = measures.registry.get(goal.measure_code)
        measure_text, unit = measure.title, measure.unit
    else:
        measure_text, unit = goal.measure_code.upper(), ""
    value = goal.target_value
    quantity: dict[str, Any] = {"value": int(value) if float(value).is_integer() else value}
    if goal.comparator:
        quantity["comparator"] = goal.comparator
    if unit:
        quantity["unit"] = unit
    return {"measure": {"text": measure_text}, "detailQuantity": quantity}


def _goal(
    goal: Goal,
    *,
    goal_id: str,
    patient_reference: str,
    discharged: bool,
    addresses: list[dict[str, str]],
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "id": goal_id,
        "lifecycleStatus": "completed" if discharged else "active",
        "description": {"text": goal.text},
        "subject": reference(patient_reference, "patient_reference"),
    }
    target = _goal_target(goal)
    if target:
        resource["target"] = [target]
    if addresses:
        resource["addresses"] = addresses
    return resource


def care_plan(
    plan: TreatmentPlan,
    *,
    care_plan_id: str,
    patient_reference: str,
    author_reference: str,
    condition_references: str | Iterable[str] = (),
    base_url: str = DEFAULT_BASE_URL,
) -> Resource:
    """The treatment plan as a FHIR R4 CarePlan (intent ``plan``).

    ``status`` is ``active``, or ``completed`` once the episode is discharged. One
    activity per planned kind, scheduled every ``visit_interval_days``; its status is
    ``scheduled`` until the kind is first given in the episode, then ``in-progress``;
    at discharge ``completed`` if it was given, ``cancelled`` if not. The goals are
    contained Goal resources (``#goal-1`` …) with the measure and target (``<=`` /
    ``>=`` as the quantity's comparator); the interval and visits planned are the
    description, the next review and the plan's notes are notes.
    """
    episode = plan.episode
    discharged = episode.status == host.EPISODE_DISCHARGED
    addresses = references(condition_references, "condition_references")
    goals = list(plan.goals.all()) if plan.pk is not None else []
    contained = [
        _goal(
            goal,
            goal_id=f"goal-{number}",
            patient_reference=patient_reference,
            discharged=discharged,
            addresses=addresses,
        )
        for number, goal in enumerate(goals, start=1)
    ]
    given = _given_kinds(episode) if episode.pk is not None else set()
    activities = [
        {
            "detail": {
                "code": _kind_code(code),
                "status": _activity_status(code in given, discharged),
                "scheduledTiming": {
                    "repeat": {
                        "frequency": 1,
                        "period": plan.visit_interval_days,
                        "periodUnit": "d",
                    }
                },
                "description": _kind_label(code),
            }
        }
        for code in plan.planned_interventions
    ]
    period = {"start": as_date(episode.opened_on)}
    if discharged and episode.closed_on:
        period["end"] = as_date(episode.closed_on)
    visits = plan.planned_visits
    description = (
        f"See the patient {_interval_text(plan.visit_interval_days)} "
        f"({plan.visit_interval_days}-day interval); "
        f"{visits} visit{'' if visits == 1 else 's'} planned."
    )
    notes = []
    if plan.next_review_on:
        notes.append(f"Next review: {as_date(plan.next_review_on)}")
    notes.append(plan.notes)

    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": check_id(care_plan_id, "care_plan_id"),
    }
    if contained:
        resource["contained"] = contained
    row_identifier = identifier(base_url, "treatments/plan", plan.pk)
    if row_identifier:
        resource["identifier"] = row_identifier
    resource.update(
        status="completed" if discharged else "active",
        intent="plan",
        title=f"Treatment plan: {episode.complaint}",
        description=description,
        subject=reference(patient_reference, "patient_reference"),
        period=period,
        author=reference(author_reference, "author_reference"),
    )
    if addresses:
        resource["addresses"] = addresses
    if contained:
        resource["goal"] = [{"reference": f"#{goal['id']}"} for goal in contained]
    if activities:
        resource["activity"] = activities
    if note := annotations(notes):
        resource["note"] = note
    return resource


# The treatments app's part of a patient's Bundle.


def patient_resources(export: PatientExport) -> list[Resource]:
    """A Procedure per intervention, a Consent per consent and a CarePlan per treatment
    plan, giving the episode's working diagnosis as their reason (six queries, and one
    per plan for the kinds given)."""
    patient = export.patient
    interventions = (
        DeliveredIntervention.objects.filter(visit__episode__patient=patient)
        .select_related("visit__practitioner")
        .prefetch_related("adverse_events")
        .order_by("visit__starts_at", "visit_id", "created_at", "id")
    )
    consents = Consent.objects.filter(episode__patient=patient).select_related(
        "episode", "recorded_by"
    )
    plans = (
        TreatmentPlan.objects.filter(episode__patient=patient)
        .select_related("episode", "updated_by")
        .prefetch_related("goals")
    )
    conditions = condition_references(patient)
    resources = [
        procedure(
            intervention,
            procedure_id=resource_id("Procedure", intervention.pk),
            patient_reference=export.patient_reference,
            encounter_reference=reference_to("Encounter", intervention.visit_id),
            performer_reference=export.practitioner_reference(intervention.visit.practitioner),
            reason_references=conditions.get(intervention.visit.episode_id, ()),
        )
        for intervention in interventions
    ]
    resources += [
        consent(
            row,
            consent_id=resource_id("Consent", row.pk),
            patient_reference=export.patient_reference,
            performer_reference=export.practitioner_reference(row.recorded_by),
        )
        for row in consents
    ]
    resources += [
        care_plan(
            plan,
            care_plan_id=resource_id("CarePlan", plan.pk),
            patient_reference=export.patient_reference,
            author_reference=export.practitioner_reference(plan.updated_by),
            condition_references=conditions.get(plan.episode_id, ()),
        )
        for plan in plans
    ]
    return resources
