"""Soft tissue therapy: a built-in kind of section 5 of the clinical spec."""

from ..safety import SORENESS_CONSENT
from .common import MUSCLES
from .schema import Choice, InterventionKind, Param, ParamType

SOFT_TISSUE_THERAPY = InterventionKind(
    code="soft_tissue_therapy",
    label="Soft tissue therapy",
    description="Massage, soft tissue release or trigger point pressure to a tender area.",
    params=(
        Param(
            "technique",
            "Technique",
            ParamType.CHOICE,
            choices=(
                Choice("massage", "Massage"),
                Choice("soft_tissue_release", "Soft tissue release"),
                Choice("trigger_point_pressure", "Trigger point pressure"),
            ),
        ),
        Param("region", "Muscle or region", ParamType.CHOICE, choices=MUSCLES),
        Param("minutes", "Duration", ParamType.INTEGER, min_value=1, max_value=60, unit="min"),
    ),
    # Clinic default.
    defaults={"minutes": 10},
    consent_terms=SORENESS_CONSENT,
)
