"""Education: a built-in kind of section 5 of the clinical spec."""

from ..safety import SORENESS_CONSENT
from .schema import Choice, InterventionKind, Param, ParamType

EDUCATION = InterventionKind(
    code="education",
    label="Education",
    description="Advice and explanation given to the patient.",
    params=(
        Param(
            "topic",
            "Topics",
            ParamType.MULTI_CHOICE,
            choices=(
                Choice("condition_and_prognosis", "The condition and its prognosis"),
                Choice("pain_science", "How pain works"),
                Choice("load_management", "Activity and load management"),
                Choice("sitting", "Sitting and posture"),
                Choice("home_exercise", "Home exercise"),
                Choice("return_to_activity", "Return to sport or work"),
                Choice("safety_netting", "When to seek help (safety netting)"),
                Choice("other", "Other"),
            ),
        ),
        Param("notes", "Notes", ParamType.TEXT),
    ),
    defaults={},
    consent_terms=SORENESS_CONSENT,
)
