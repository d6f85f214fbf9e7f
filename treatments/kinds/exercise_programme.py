"""Exercise programme: a built-in kind of section 5 of the clinical spec."""

from ..safety import SORENESS_CONSENT
from .common import EXERCISES
from .schema import InterventionKind

EXERCISE_PROGRAMME = InterventionKind(
    code="exercise_programme",
    label="Exercise programme",
    description="Lumbopelvic rehabilitation programme, described per CERT (BJSM 2016).",
    params=(EXERCISES,),
    defaults={},
    consent_terms=SORENESS_CONSENT,
)
