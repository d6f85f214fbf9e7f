"""FHIR R4 Observations of outcome-measure scores: the one Observation builder, for a
``measures.Score`` (``measure_observation``) and for a stored ``Measurement`` row
(``measurement_observation``).

A score is a ``survey`` Observation, ``derivedFrom`` the QuestionnaireResponse it was
scored from. Codes: only the spec's VERIFIED codes (section 6 of ``buttock-pain.md``):
LOINC 72514-3 (NPRS) and 97909-6 (ODI score); LEFS, PSFS and GRC carry text only.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assessments import measures

from .base import (
    LOINC,
    UCUM,
    Resource,
    as_date_time,
    check_id,
    codeable_concept,
    reference,
    reference_to,
    references,
    resource_id,
)

if TYPE_CHECKING:
    from assessments.models import Measurement

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# A display is given only where the spec states the code's wording; 97909-6 has none in
# the spec, so it is sent as a code with a plain ``text`` instead of a guessed display.
NPRS_CODING = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
_ODI_SCORE_CODING = {"system": LOINC, "code": "97909-6"}

# Observation.code, by measure (the others are text only).
_OBSERVATION_CODINGS: dict[str, dict[str, str]] = {
    "nprs": NPRS_CODING,
    "odi": _ODI_SCORE_CODING,
}
_OBSERVATION_TEXTS = {"odi": "Oswestry Disability Index score"}

# measures.Measure.unit -> UCUM (unit, code).
_UCUM_UNITS = {"%": ("%", "%"), "points": ("{score}", "{score}")}


def _observation_code(measure: measures.Measure) -> Resource:
    coding = _OBSERVATION_CODINGS.get(measure.code)
    return codeable_concept(
        [coding] if coding else [], text=_OBSERVATION_TEXTS.get(measure.code, measure.title)
    )


def _quantity(value: measures.Number, unit: str) -> dict[str, Any]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a score must be a number, got {value!r}")
    quantity: dict[str, Any] = {"value": value}
    if unit in _UCUM_UNITS:
        ucum_unit, ucum_code = _UCUM_UNITS[unit]
        quantity.update(unit=ucum_unit, system=UCUM, code=ucum_code)
    else:
        quantity["unit"] = unit  # not a UCUM unit we know: said, not coded
    return quantity


def measure_observation(
    score: measures.Score,
    *,
    observation_id: str,
    patient_reference: str,
    encounter_reference: str | None = None,
    effective: datetime,
    derived_from: str | Iterable[str] | None = None,
) -> Resource:
    """A measure's score as a FHIR R4 survey Observation.

    ``derived_from`` is the reference (or references) of the QuestionnaireResponse the
    score comes from, e.g. ``"QuestionnaireResponse/abc"``. An ODI score carries its
    Fairbank band (``measures.odi_band``) as the interpretation text, as the spec asks,
    rather than LOINC's raw bands.
    """
    measure = measures.registry.get(score.measure_code)
    resource: Resource = {
        "resourceType": "Observation",
        "id": check_id(observation_id, "observation_id"),
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": _observation_code(measure),
        "subject": reference(patient_reference, "patient_reference"),
    }
    if encounter_reference is not None:
        resource["encounter"] = reference(encounter_reference, "encounter_reference")
    resource["effectiveDateTime"] = as_date_time(effective, "effective")
    resource["valueQuantity"] = _quantity(score.value, score.unit)
    if measure.code == "odi":
        resource["interpretation"] = [{"text": f"{measures.odi_band(score.value)} (Fairbank)"}]
    if score.missing_items:
        answered = len(measure.scored_items) - score.missing_items
        resource["note"] = [
            {
                "text": f"{answered} of {len(measure.scored_items)} items answered "
                f"(scoring version {score.scoring_version})"
            }
        ]
    if derived_from is not None:
        resource["derivedFrom"] = references(derived_from, "derived_from")
    return resource


def measurement_observation(measurement: "Measurement") -> Resource:
    """A stored Measurement row as its Observation, named and referring as in a patient's
    Bundle: ``Patient/patient-{patient}``, ``Encounter/encounter-{visit}``, derived from
    ``QuestionnaireResponse/response-{assessment}``."""
    score = measures.Score(
        measure_code=measurement.measure_code,
        value=measurement.value,
        unit=measurement.unit,
        scoring_version=measurement.scoring_version,
        missing_items=measurement.missing_items,
        raw=dict(measurement.raw or {}),
    )
    return measure_observation(
        score,
        observation_id=resource_id("Observation", measurement.pk),
        patient_reference=reference_to("Patient", measurement.patient_id),
        encounter_reference=reference_to("Encounter", measurement.visit_id),
        effective=measurement.scored_at,
        derived_from=(
            reference_to("QuestionnaireResponse", measurement.assessment_id)
            if measurement.assessment_id is not None
            else None
        ),
    )
