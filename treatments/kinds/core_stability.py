"""Core stability: a built-in kind of section 5 of the clinical spec."""

from ..safety import SORENESS_CONSENT
from .common import EXERCISES
from .schema import InterventionKind

CORE_STABILITY = InterventionKind(
    code="core_stability",
    label="Core stability",
    description="Lumbopelvic control exercises, described per CERT (BJSM 2016).",
    params=(EXERCISES,),
    # The exercises are the clinician's choice; a new row is pre-filled from
    # EXERCISE_ROW_DEFAULTS.
    defaults={},
    consent_terms=SORENESS_CONSENT,
)
