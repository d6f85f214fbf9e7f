"""FHIR R4 Conditions: a ``WorkingDiagnosis`` (one pain source the clinician confirmed) is a
``Condition`` (``verificationStatus`` provisional or differential). The source is text
only: the spec (section 6 of ``buttock-pain.md``) verifies no code for them; the clinical
and verification statuses are HL7's own value sets.
"""

from assessments import host
from assessments.models import WorkingDiagnosis

from .base import (
    DEFAULT_BASE_URL,
    Resource,
    as_date,
    as_date_time,
    check_id,
    coding,
    identifier,
    reference,
    reference_to,
)

CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def _status(system: str, code: str) -> Resource:
    return {"coding": [coding(system, code, code.capitalize())]}


def condition(
    diagnosis: WorkingDiagnosis,
    *,
    condition_id: str,
    patient_reference: str,
    encounter_reference: str | None = None,
    asserter_reference: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> Resource:
    """A working diagnosis (one pain source) as a FHIR R4 Condition.

    ``code`` is the source's label, text only (the spec verifies no code for them).
    ``verificationStatus`` is ``provisional`` for the main diagnosis the clinician
    marked (``is_main``) and ``differential`` for the others; a withdrawn row is ``refuted`` and has no clinical status. The
    clinical status is ``active`` while the episode is open; at discharge ``resolved``
    when the goals were met, otherwise ``inactive`` (a patient referred on or who did
    not return is not known to be better). ``recordedDate`` is when it was confirmed.
    """
    episode = diagnosis.episode
    resource: Resource = {
        "resourceType": "Condition",
        "id": check_id(condition_id, "condition_id"),
    }
    row_identifier = identifier(base_url, "assessments/working-diagnosis", diagnosis.pk)
    if row_identifier:
        resource["identifier"] = row_identifier
    if diagnosis.withdrawn_at:
        verification = "refuted"
    else:
        if episode.status != host.EPISODE_DISCHARGED:
            clinical = "active"
        elif episode.discharge_reason == host.EPISODE_GOALS_MET:
            clinical = "resolved"
        else:
            clinical = "inactive"
        resource["clinicalStatus"] = _status(CONDITION_CLINICAL, clinical)
        verification = diagnosis.verification
    resource["verificationStatus"] = _status(CONDITION_VERIFICATION, verification)
    resource["code"] = {"text": diagnosis.label}
    resource["subject"] = reference(patient_reference, "patient_reference")
    if encounter_reference is not None:
        resource["encounter"] = reference(encounter_reference, "encounter_reference")
    if episode.onset_date:
        resource["onsetDateTime"] = as_date(episode.onset_date)
    resource["recordedDate"] = as_date_time(diagnosis.confirmed_at, "confirmed_at")
    if asserter_reference is not None:
        resource["asserter"] = reference(asserter_reference, "asserter_reference")
    notes = []
    if diagnosis.was_suggested:
        notes.append("Suggested by decision support; confirmed by the clinician.")
    if diagnosis.withdrawn_at:
        notes.append(f"Withdrawn from the working diagnosis on {as_date(diagnosis.withdrawn_at)}.")
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource


def condition_references(patient) -> dict[int, list[str]]:
    """The Conditions each of the patient's episodes is treated for (its working diagnosis,
    withdrawn sources left out), by episode id, as references into the patient's Bundle:
    what a Procedure gives as its reason and a CarePlan addresses. One query."""
    by_episode: dict[int, list[str]] = {}
    rows = WorkingDiagnosis.objects.filter(episode__patient=patient, withdrawn_at__isnull=True)
    for episode_id, pk in rows.values_list("episode_id", "pk"):
        by_episode.setdefault(episode_id, []).append(reference_to("Condition", pk))
    return by_episode
