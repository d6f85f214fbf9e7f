from django import template

from assessments import reasoning
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.panel import RULE_ORIGINS

register = template.Library()


@register.filter
def source_label(code: str) -> str:
    return reasoning.SOURCES.get(code, code)


@register.filter
def intervention_label(code: str) -> str:
    return reasoning.INTERVENTIONS.get(code, code)


@register.filter
def rule_origin(code: str) -> str:
    return RULE_ORIGINS.get(code, "")


@register.filter
def is_cited(code: str) -> bool:
    """An addition to the clinic's guidance with a published source (A rules)."""
    return RULE_ORIGINS.get(code, reasoning.CLINIC_GUIDANCE) != reasoning.CLINIC_GUIDANCE


@register.filter
def item_label(code: str) -> str:
    index = BUTTOCK_PAIN_V1.index
    return index[code].label if code in index else code


@register.inclusion_tag("assessments/diagnosis_choices.html")
def diagnosis_choices(checked, main: str = "", suggested=()) -> dict:
    """Each pain source with "confirm" (a checkbox) and "main diagnosis" (one radio among
    them): the clinician marks the main one; the other ticked sources are differentials."""
    checked = set(checked or ())
    suggested = set(suggested or ())
    return {
        "rows": [
            {
                "code": code,
                "label": label,
                "checked": code in checked,
                "main": code == main,
                "suggested": code in suggested,
            }
            for code, label in reasoning.SOURCES.items()
        ]
    }


@register.simple_tag
def main_source(diagnoses) -> str:
    """The code of the main diagnosis among an episode's current ones ("" when none)."""
    return next((row.source_code for row in diagnoses if row.is_main), "")


@register.filter
def source_codes(rows) -> list[str]:
    """The codes of working-diagnosis rows, or of the suggestions of a reasoning result."""
    return [getattr(row, "source_code", None) or row.code for row in rows or ()]
