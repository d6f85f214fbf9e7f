"""Clinical reasoning: an engine (``engine``) and the rule sets registered per template
in ``rulesets``; the buttock-pain one (``buttock_pain``) is registered by
``AssessmentsConfig.ready()``. Another body region brings its template and its rule set
and registers both from its app's ``ready()``.

``suggest(findings)`` reads buttock-pain findings (the stable API in the README);
``suggest(findings, template="...")`` those of any template with a rule set.
"""

from assessments.buttock_pain import BUTTOCK_PAIN_V1

from .buttock_pain import RULE_SET as BUTTOCK_PAIN_RULE_SET
from .engine import (
    CLINIC_GUIDANCE,
    DISCLAIMER,
    Effect,
    Findings,
    RedFlagGroup,
    Result,
    Rule,
    RuleSet,
    RuleSetRegistry,
    Suggestion,
    findings_from_answers,
    rulesets,
)

__all__ = [
    "BUTTOCK_PAIN_RULE_SET",
    "CLINIC_GUIDANCE",
    "DISCLAIMER",
    "Effect",
    "Findings",
    "RedFlagGroup",
    "Result",
    "Rule",
    "RuleSet",
    "RuleSetRegistry",
    "Suggestion",
    "findings_from_answers",
    "register_builtin_rulesets",
    "rulesets",
    "suggest",
]


def suggest(findings: Findings, template: str = BUTTOCK_PAIN_V1.code) -> Result:
    """Red flags and candidate sources for the findings of `template` (buttock pain
    unless told). Raises ValueError naming the item for an unknown item or value, and
    NotRegistered (a LookupError) for a template without a rule set."""
    return rulesets.get(template).suggest(findings)


def register_builtin_rulesets(registry: RuleSetRegistry) -> None:
    """Called once by ``AssessmentsConfig.ready()``, after the built-in templates."""
    registry.register(BUTTOCK_PAIN_RULE_SET)
