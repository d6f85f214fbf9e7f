"""Spinal manipulation: a built-in kind of section 5 of the clinical spec."""

from ..safety import SPINAL_MANIPULATION_CONSENT
from .common import GRADE_V, LEVEL, RESPONSE, SPINAL_SIDE
from .schema import CONSENT, RED_FLAGS_CLEAR, Choice, InterventionKind, Param, ParamType

SPINAL_MANIPULATION = InterventionKind(
    code="spinal_manipulation",
    label="Spinal manipulation",
    description="High-velocity, low-amplitude thrust to a lumbar segment or the SIJ.",
    preconditions=frozenset({CONSENT, RED_FLAGS_CLEAR}),
    params=(
        LEVEL,
        SPINAL_SIDE,
        Param(
            "technique",
            "Technique",
            ParamType.CHOICE,
            choices=(
                Choice("rotation", "Side-lying rotation (lumbar roll)"),
                Choice("supine_lumbopelvic", "Supine lumbopelvic thrust"),
                Choice("other", "Other"),
            ),
        ),
        Param(
            "grade",
            "Maitland grade",
            ParamType.CHOICE,
            choices=(GRADE_V,),
            required=True,
            help_text="V: high-velocity thrust",
        ),
        RESPONSE,
    ),
    # Grade V is what manipulation is (spec section 5).
    defaults={"grade": "V"},
    consent_terms=SPINAL_MANIPULATION_CONSENT,
)
