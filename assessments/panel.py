"""The reasoning panel beside the assessment form: what it shows, from what is entered."""

from collections.abc import Mapping

from django.http import QueryDict

from . import reasoning, selectors
from .definitions import Template
from .forms import AssessmentForm
from .host import EpisodeOfCare

RULE_ORIGINS = {rule.code: rule.origin for rule in reasoning.RULES}


def findings_from_form(form: AssessmentForm) -> dict[str, object]:
    """The findings among the valid fields of a (possibly half-filled) form."""
    form.is_valid()
    return findings_from_answers(form.template, form.answers())


def findings_from_answers(template: Template, answers: Mapping[str, object]) -> dict[str, object]:
    return reasoning.findings_from_answers(template, answers)


def form_from_draft(template: Template, draft: Mapping[str, list[str]]) -> AssessmentForm:
    data = QueryDict(mutable=True)
    for name, values in draft.items():
        data.setlist(name, values)
    return AssessmentForm(data, template=template)


def panel_context(findings: Mapping[str, object], episode: EpisodeOfCare) -> dict:
    try:
        result = reasoning.suggest(findings)
    except ValueError:
        result = None
    return {
        "result": result,
        "rule_origins": RULE_ORIGINS,
        "episode": episode,
        "diagnosis": selectors.working_diagnosis(episode),
        "open_flags": selectors.open_red_flags(episode),
        "all_sources": reasoning.SOURCES,
        "interventions": reasoning.INTERVENTIONS,
    }
