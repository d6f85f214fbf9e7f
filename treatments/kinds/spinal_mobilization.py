"""Spinal mobilization: a built-in kind of section 5 of the clinical spec."""

from ..safety import SPINAL_MOBILIZATION_CONSENT
from .common import LEVEL, MAITLAND_GRADES, RESPONSE, SPINAL_SIDE
from .schema import CONSENT, RED_FLAGS_CLEAR, Choice, InterventionKind, Param, ParamType

SPINAL_MOBILIZATION = InterventionKind(
    code="spinal_mobilization",
    label="Spinal mobilization",
    description="Passive oscillatory mobilization of a lumbar segment or the SIJ (Maitland).",
    preconditions=frozenset({CONSENT, RED_FLAGS_CLEAR}),
    params=(
        LEVEL,
        SPINAL_SIDE,
        Param(
            "technique",
            "Technique",
            ParamType.CHOICE,
            choices=(
                Choice("central_pa", "Central PA"),
                Choice("unilateral_pa", "Unilateral PA"),
                Choice("rotation", "Rotation"),
                Choice("other", "Other"),
            ),
        ),
        Param(
            "grade",
            "Maitland grade",
            ParamType.CHOICE,
            choices=MAITLAND_GRADES,
            help_text="; ".join(f"{g.label}: {g.help_text.lower()}" for g in MAITLAND_GRADES),
        ),
        # Either may be recorded ("3 × 30 s" or "2 minutes"); bounds are plausibility.
        Param(
            "repetitions",
            "Repetitions",
            ParamType.INTEGER,
            min_value=1,
            max_value=20,
            help_text="Bouts of oscillation",
        ),
        Param("minutes", "Duration", ParamType.INTEGER, min_value=1, max_value=30, unit="min"),
        RESPONSE,
    ),
    # Clinic default: central PA, 3 bouts; the grade is the clinician's choice.
    defaults={"technique": "central_pa", "repetitions": 3},
    consent_terms=SPINAL_MOBILIZATION_CONSENT,
)
