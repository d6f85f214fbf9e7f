"""The reasoning panel beside the assessment form: what it shows, from what is entered."""

from collections.abc import Mapping

from django.http import QueryDict

from . import selectors
from .definitions import Template
from .forms import AssessmentForm
from .host import EpisodeOfCare
from .models import Assessment
from .reasoning import findings_from_answers as _ruleset_findings
from .reasoning import rulesets


def findings_from_form(form: AssessmentForm) -> dict[str, object]:
    """The findings among the valid fields of a (possibly half-filled) form."""
    form.is_valid()
    return findings_from_answers(form.template, form.answers())


def findings_from_answers(template: Template, answers: Mapping[str, object]) -> dict[str, object]:
    """What the template's rule set reads ({} for a template without one)."""
    if template.code not in rulesets:
        return {}
    return _ruleset_findings(template, answers)


def form_from_draft(template: Template, draft: Mapping[str, list[str]]) -> AssessmentForm:
    data = QueryDict(mutable=True)
    for name, values in draft.items():
        data.setlist(name, values)
    return AssessmentForm(data, template=template)


def panel_context(
    findings: Mapping[str, object], episode: EpisodeOfCare, template_code: str
) -> dict | None:
    """The panel for a template's findings; None for a template without a rule set."""
    ruleset = rulesets.for_template(template_code)
    if ruleset is None:
        return None
    try:
        result = ruleset.suggest(findings)
    except ValueError:
        result = None
    return {
        "result": result,
        "ruleset": ruleset,
        "episode": episode,
        "diagnosis": selectors.working_diagnosis(episode),
        "open_flags": selectors.open_red_flags(episode),
        "sources": selectors.episode_sources(episode) | ruleset.sources,
    }


def signed_panel(assessment: Assessment) -> dict:
    """The panel as it was shown when the visit was signed."""
    return {
        "result": assessment.signed_suggestions,
        "ruleset": rulesets.for_template(assessment.template_code),
    }
