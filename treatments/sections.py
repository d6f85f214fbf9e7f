"""The treatments app's parts of the visit page and of the patient record."""

from django.urls import reverse
from django.utils.http import urlencode

from assessments import host
from assessments.host import (
    RecordSection,
    StepProgress,
    SummarySource,
    VisitStep,
    record_sections,
    visit_sections,
    visit_steps,
    visit_summaries,
)

from . import selectors, services
from .forms import VisitNoteForm
from .kinds import kinds
from .models import VisitNote
from .outcomes import patient_progress, visit_progress


def _visit_treatment(request, visit) -> dict:
    suggested = selectors.suggested_kinds(visit.episode)
    interventions = selectors.visit_interventions(visit)
    given = {intervention.kind for intervention in interventions}
    repeatable = selectors.last_visit_interventions(visit) if not visit.is_signed else []
    for previous in repeatable:
        previous.given_again = previous.kind in given
    return {
        "interventions": interventions,
        "repeatable": repeatable,
        "suggested": [kinds.get(code) for code in suggested],
        "other_kinds": [kind for kind in kinds if kind.code not in suggested],
        "safety": selectors.safety_status(visit.episode),
        "plan": selectors.episode_plan(visit.episode),
        "can_write": host.services().can_write_visit(visit, request.user),
    }


def _visit_note(request, visit) -> dict:
    note = VisitNote.objects.filter(visit=visit).select_related("updated_by").first()
    form = None
    if host.services().can_write_visit(visit, request.user):
        revision = note.revision if note else services.NOT_YET_SAVED
        initial = {"revision": revision}
        if note is None:
            # The plan goes on from the last visit's note until the physio changes it.
            initial["plan"] = selectors.last_note_plan(visit)
        form = VisitNoteForm(instance=note, initial=initial)
    return {"note": note, "form": form}


def _plans(request, patient) -> dict:
    return {"episodes": selectors.patient_plans(patient)}


def _patient_progress(request, patient) -> dict:
    return {"episodes": patient_progress(patient)}


def _visit_progress(request, visit) -> dict:
    return {"progress": visit_progress(visit)}


def _note_lines(visit_ids) -> dict[int, str]:
    """The SOAP note's gist for the patient record's list of visits: what the patient
    said, then the plan."""
    return {
        visit_id: " ".join(part for part in (subjective.strip(), plan.strip()) if part)
        for visit_id, subjective, plan in VisitNote.objects.filter(
            visit_id__in=visit_ids
        ).values_list("visit_id", "subjective", "plan")
    }


def _interventions_step(visit) -> StepProgress:
    return StepProgress(
        done=selectors.interventions_given(visit),
        missing="None recorded yet",
        url=f"{visit.get_absolute_url()}#visit-section-treatment",
    )


def _note_step(visit) -> StepProgress:
    return StepProgress(
        done=selectors.note_written(visit),
        missing="Not written yet",
        url=f"{visit.get_absolute_url()}#visit-section-note",
    )


def _plan_step(visit) -> StepProgress:
    # Back to the step bar once the plan is saved.
    next_page = f"{visit.get_absolute_url()}#visit-steps"
    return StepProgress(
        done=selectors.plan_saved(visit.episode_id),
        missing="No plan yet",
        url=f"{reverse('treatments:plan_edit', args=[visit.episode_id])}?{urlencode({'next': next_page})}",
    )


def register_sections() -> None:
    visit_summaries.register(SummarySource(key="soap_note", lines=_note_lines))
    visit_steps.register(
        VisitStep(key="treatment", title="Interventions", order=30, progress=_interventions_step)
    )
    visit_steps.register(VisitStep(key="note", title="SOAP note", order=40, progress=_note_step))
    visit_steps.register(VisitStep(key="plan", title="Plan", order=50, progress=_plan_step))
    record_sections.register(
        RecordSection(
            key="progress",
            title="Progress across visits",
            template="treatments/outcomes/record_section.html",
            order=20,
            permission="treatments.read_treatment",
            context=_patient_progress,
        )
    )
    visit_sections.register(
        RecordSection(
            key="progress",
            title="Progress so far",
            template="treatments/outcomes/visit_section.html",
            order=12,
            permission="treatments.read_treatment",
            context=_visit_progress,
        )
    )
    visit_sections.register(
        RecordSection(
            key="note",
            title="Visit note (SOAP)",
            template="treatments/visit_note_section.html",
            # After the treatment given, as in the visit's steps (interventions, then SOAP).
            order=25,
            permission="treatments.read_treatment",
            context=_visit_note,
            replaces_notes=True,
        )
    )
    visit_sections.register(
        RecordSection(
            key="treatment",
            title="Treatment given",
            template="treatments/visit_section.html",
            order=20,
            permission="treatments.read_treatment",
            context=_visit_treatment,
        )
    )
    record_sections.register(
        RecordSection(
            key="treatment_plans",
            title="Treatment plans",
            template="treatments/record_section.html",
            order=30,
            permission="treatments.read_treatment",
            context=_plans,
        )
    )
