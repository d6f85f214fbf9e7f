"""The nine built-in kinds of section 5 of the clinical spec, in the order the pages list
them; their codes are a contract.

Anatomy (level, side, muscle, region, site) and observations (response, twitch, adverse
events) are never pre-filled, so no kind requires them either (the defaults of every kind
must validate); the recording form asks for them.
"""

from .core_stability import CORE_STABILITY
from .dry_needling import DRY_NEEDLING
from .education import EDUCATION
from .electrotherapy import ELECTROTHERAPY
from .exercise_programme import EXERCISE_PROGRAMME
from .registry import KindRegistry
from .schema import InterventionKind
from .soft_tissue_therapy import SOFT_TISSUE_THERAPY
from .spinal_manipulation import SPINAL_MANIPULATION
from .spinal_mobilization import SPINAL_MOBILIZATION
from .stretching import STRETCHING

BUILTIN_KINDS: tuple[InterventionKind, ...] = (
    SPINAL_MOBILIZATION,
    SPINAL_MANIPULATION,
    DRY_NEEDLING,
    SOFT_TISSUE_THERAPY,
    ELECTROTHERAPY,
    STRETCHING,
    CORE_STABILITY,
    EXERCISE_PROGRAMME,
    EDUCATION,
)


def register_builtin_kinds(registry: KindRegistry) -> None:
    """Called once by ``TreatmentsConfig.ready()``."""
    for kind in BUILTIN_KINDS:
        registry.register(kind)
