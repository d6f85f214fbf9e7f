"""The registry of intervention kinds, and the lookups the rest of the app makes by code."""

from collections.abc import Iterable, Mapping
from typing import Any

from assessments.registry import Registry

from .schema import InterventionKind, _in_sentence


class KindRegistry(Registry[InterventionKind]):
    """Intervention kinds by code, in registration order."""

    what = "kind of intervention"  # "A kind of intervention named ... is registered."

    def register(self, entry: InterventionKind) -> InterventionKind:
        if not isinstance(entry, InterventionKind):
            raise TypeError(f"register() takes an InterventionKind, not {type(entry)}")
        return super().register(entry)

    def codes(self) -> list[str]:
        return self.keys()

    def choices(self) -> list[tuple[str, str]]:
        """(code, label) pairs for a form or model field."""
        return [(kind.code, kind.label) for kind in self]

    def needing(self, precondition: str) -> list[InterventionKind]:
        """The kinds with that precondition, e.g. those an uncleared red flag blocks."""
        return [kind for kind in self if precondition in kind.preconditions]


# Filled by ``TreatmentsConfig.ready()`` with the built-in kinds (``builtin.py``).
kinds = KindRegistry()


def labels_in_words(some: Iterable[InterventionKind]) -> str:
    """The kinds as a sentence starts with them: "Spinal mobilization, spinal
    manipulation and dry needling"."""
    labels = [kind.label for kind in some]
    labels = labels[:1] + [_in_sentence(label) for label in labels[1:]]
    return f"{', '.join(labels[:-1])} and {labels[-1]}" if len(labels) > 1 else "".join(labels)


def validate_params(
    kind_code: str, params: Mapping[str, object], *, registry: KindRegistry | None = None
) -> dict[str, Any]:
    """The params of a kind, normalised; a ParamError names the first invalid one."""
    return (registry or kinds).get(kind_code).validate(params)


def defaults(kind_code: str, *, registry: KindRegistry | None = None) -> dict[str, Any]:
    """Sensible pre-fill values for a new record of a kind (a fresh copy)."""
    return (registry or kinds).get(kind_code).default_params()
