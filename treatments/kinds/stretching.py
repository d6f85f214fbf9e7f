"""Stretching: a built-in kind of section 5 of the clinical spec."""

from ..safety import SORENESS_CONSENT
from .schema import Choice, InterventionKind, Param, ParamType

STRETCHING = InterventionKind(
    code="stretching",
    label="Stretching",
    description="Static stretches, taught in clinic and given for home.",
    params=(
        Param(
            "muscle",
            "Muscle",
            ParamType.CHOICE,
            choices=(
                Choice("piriformis", "Piriformis"),
                Choice("gluteus_medius", "Gluteus medius"),
                Choice("hip_flexors", "Hip flexors"),
                Choice("hamstrings", "Hamstrings"),
                Choice("other", "Other"),
            ),
        ),
        Param("hold_seconds", "Hold", ParamType.INTEGER, min_value=5, max_value=120, unit="s"),
        Param("repetitions", "Repetitions", ParamType.INTEGER, min_value=1, max_value=20),
        Param("per_day", "Times per day", ParamType.INTEGER, min_value=1, max_value=10),
    ),
    # Clinic default: 30 s hold × 3, twice a day.
    defaults={"hold_seconds": 30, "repetitions": 3, "per_day": 2},
    consent_terms=SORENESS_CONSENT,
)
