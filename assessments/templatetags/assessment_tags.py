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


@register.simple_tag
def red_flag_blocks() -> str:
    """The interventions an uncleared red flag blocks, in words ("Spinal mobilization, ...")."""
    return reasoning.red_flag_blocks_in_words()
