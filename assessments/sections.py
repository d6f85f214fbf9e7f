"""The assessments app's parts of the patient record and of the visit page."""

from django.urls import reverse
from django.utils.http import urlencode

from . import host, selectors
from .definitions import templates
from .host import (
    RecordSection,
    StepProgress,
    VisitStep,
    record_sections,
    visit_sections,
    visit_steps,
)
from .models import Assessment, AssessmentStatus
from .panel import findings_from_answers, panel_context, signed_panel
from .reasoning import rulesets
from .schema import ItemType, Template


def _visit_assessment(request, visit) -> dict:
    assessments = {a.template_code: a for a in selectors.visit_assessments(visit)}
    entries = []
    for template in templates:
        if template.version != templates.latest(template.code).version:
            continue
        assessment = assessments.get(template.code)
        entries.append({"template": template, "assessment": assessment})
    context = {
        "entries": entries,
        "can_write": host.services().can_write_visit(visit, request.user),
    }
    # The reasoning panel of the first assessment whose template has a rule set.
    saved = next((a for code, a in assessments.items() if code in rulesets), None)
    if saved is not None:
        template = templates.get(saved.template_code, saved.template_version)
        context["panel"] = panel_context(
            findings_from_answers(template, saved.answers), visit.episode, saved.template_code
        )
        context["signed_suggestions"] = saved.signed_suggestions
        context["signed_panel"] = signed_panel(saved)
    return context


def _measures_only(template: Template) -> bool:
    return all(item.type == ItemType.MEASURE for item in template.items())


def _template_for(visit) -> Template:
    """The template a visit is assessed with: the full one at the first visit, the
    measures re-taken at a later one (where such a template is installed)."""
    latest = [t for t in templates if t.version == templates.latest(t.code).version]
    wanted = [t for t in latest if _measures_only(t) == (not visit.is_initial)]
    return (wanted or latest)[0]


def _saved_assessments(visit) -> list[str]:
    return list(
        Assessment.objects.filter(
            visit=visit, status__in=[AssessmentStatus.SAVED, AssessmentStatus.SIGNED]
        ).values_list("template_code", flat=True)
    )


def _assessment_step(visit) -> StepProgress:
    saved = _saved_assessments(visit)
    template = _template_for(visit)
    started = saved or visit.assessments.exists()
    return StepProgress(
        done=bool(saved),
        missing="Draft not saved yet" if started else "Not started",
        url=reverse(
            "assessments:assessment_edit", args=[visit.pk, saved[0] if saved else template.code]
        ),
    )


def _diagnosis_step(visit) -> StepProgress:
    # Confirmed beside the reasoning panel, which the visit page shows once the full
    # assessment is saved; otherwise on the diagnosis page of its own.
    beside_panel = any(
        not _measures_only(templates.latest(code)) for code in _saved_assessments(visit)
    )
    visit_url = visit.get_absolute_url()
    url = (
        f"{visit_url}#visit-section-assessment"
        if beside_panel
        else reverse("assessments:working_diagnosis_confirm", args=[visit.episode_id])
        + f"?{urlencode({'next': visit_url})}"
    )
    return StepProgress(
        done=selectors.working_diagnosis_confirmed(visit.episode_id),
        missing="None confirmed yet",
        url=url,
    )


def _summary(request, patient) -> dict:
    return {"episodes": selectors.patient_summary(patient)}


def register_sections() -> None:
    visit_steps.register(
        VisitStep(key="assessment", title="Assessment", order=10, progress=_assessment_step)
    )
    visit_steps.register(
        VisitStep(key="diagnosis", title="Diagnosis", order=20, progress=_diagnosis_step)
    )
    visit_sections.register(
        RecordSection(
            key="assessment",
            title="Assessment",
            template="assessments/visit_section.html",
            order=10,
            permission="assessments.read_assessment",
            context=_visit_assessment,
        )
    )
    record_sections.register(
        RecordSection(
            key="clinical_summary",
            title="Working diagnosis and red flags",
            template="assessments/record_section.html",
            order=15,
            permission="assessments.read_assessment",
            context=_summary,
        )
    )
