"""The assessments app's parts of the patient record and of the visit page."""

from clinic.records import RecordSection, record_sections, visit_sections
from clinic.services import can_write_visit

from . import selectors
from .definitions import templates
from .panel import findings_from_answers, panel_context


def _visit_assessment(request, visit) -> dict:
    assessments = {a.template_code: a for a in selectors.visit_assessments(visit)}
    entries = []
    for template in templates:
        if template.version != templates.latest(template.code).version:
            continue
        assessment = assessments.get(template.code)
        entries.append({"template": template, "assessment": assessment})
    context = {"entries": entries, "can_write": can_write_visit(visit, request.user)}
    saved = assessments.get("buttock_pain")
    if saved is not None:
        template = templates.get(saved.template_code, saved.template_version)
        context["panel"] = panel_context(
            findings_from_answers(template, saved.answers), visit.episode
        )
        context["signed_suggestions"] = saved.signed_suggestions
        context["signed_panel"] = {"result": saved.signed_suggestions}
    return context


def _summary(request, patient) -> dict:
    return {"episodes": selectors.patient_summary(patient)}


def register_sections() -> None:
    visit_sections.register(
        RecordSection(
            key="assessment",
            title="Assessment",
            template="assessments/visit_section.html",
            order=10,
            permission="clinic.view_clinical_record",
            context=_visit_assessment,
        )
    )
    record_sections.register(
        RecordSection(
            key="clinical_summary",
            title="Working diagnosis and red flags",
            template="assessments/record_section.html",
            order=15,
            permission="clinic.view_clinical_record",
            context=_summary,
        )
    )
