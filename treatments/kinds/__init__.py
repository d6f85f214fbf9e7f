"""Intervention kinds as data: their typed parameters, preconditions and defaults.

- ``schema``: the engine (``Param``, ``InterventionKind``, validation and its messages);
- ``registry``: ``kinds``, the registry every page and service reads, and lookups by code;
- ``common``: parameters several kinds share; one module per built-in kind, listed in
  ``builtin`` and registered by ``TreatmentsConfig.ready()``.

A new kind is an ``InterventionKind`` registered with ``kinds.register()`` from an app's
``AppConfig.ready()``, with no change here.
"""

from assessments.registry import AlreadyRegistered, NotRegistered

from .builtin import BUILTIN_KINDS, register_builtin_kinds
from .registry import KindRegistry, defaults, kinds, labels_in_words, validate_params
from .schema import (
    CONSENT,
    CONTRAINDICATION_SCREEN,
    EXERCISE_FIELDS,
    EXERCISE_ROW_DEFAULTS,
    KNOWN_PRECONDITIONS,
    RED_FLAGS_CLEAR,
    Choice,
    InterventionKind,
    Param,
    ParamError,
    ParamType,
)

__all__ = [
    "BUILTIN_KINDS",
    "CONSENT",
    "CONTRAINDICATION_SCREEN",
    "EXERCISE_FIELDS",
    "EXERCISE_ROW_DEFAULTS",
    "KNOWN_PRECONDITIONS",
    "RED_FLAGS_CLEAR",
    "AlreadyRegistered",
    "Choice",
    "InterventionKind",
    "KindRegistry",
    "NotRegistered",
    "Param",
    "ParamError",
    "ParamType",
    "defaults",
    "kinds",
    "labels_in_words",
    "register_builtin_kinds",
    "validate_params",
]
