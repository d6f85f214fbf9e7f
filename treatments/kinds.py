"""Intervention kinds as data: their typed parameters, preconditions and defaults.

Pure Python, with no ORM and no request, so the forms, the services that record a
delivered intervention and the FHIR export all read the same definitions. The nine
built-in kinds and their parameters are those of section 5 of the clinical spec
(``buttock-pain.md``); their codes are a contract.

A new kind is an ``InterventionKind`` registered with ``kinds.register()`` (from an
app's ``AppConfig.ready()``), with no change here. ``validate_params()`` returns the
parameters normalised for a JSON column: choices as codes, yes/no as ``"yes"``/``"no"``,
integers as ``int``, decimals as ``float`` (JSON has no decimal type), text stripped,
and blank values (``None``, ``""``, ``[]``) left out. Every error is a ``ParamError``
(a ``ValueError``) naming the field and what it allows.
"""

import copy
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from clinic.text import LINE_BREAKS

from .safety import (
    DRY_NEEDLING_CONSENT,
    ELECTROTHERAPY_CONSENT,
    SORENESS_CONSENT,
    SPINAL_MANIPULATION_CONSENT,
    SPINAL_MOBILIZATION_CONSENT,
    ConsentTerms,
)

__all__ = [
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
    "validate_params",
]

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

# Preconditions are checked by the services that record an intervention (the DB layer);
# a kind may only name ones that layer knows how to check.
CONSENT = "consent"
CONTRAINDICATION_SCREEN = "contraindication_screen"
RED_FLAGS_CLEAR = "red_flags_clear"
KNOWN_PRECONDITIONS = frozenset({CONSENT, CONTRAINDICATION_SCREEN, RED_FLAGS_CLEAR})


class AlreadyRegistered(ValueError):
    pass


class NotRegistered(LookupError):
    pass


class ParamError(ValueError):
    """An invalid parameter. ``param_code`` is the parameter to show it on; for an
    exercise row, ``row`` (1-based) and ``field`` say where in the list."""

    def __init__(
        self, message: str, *, param_code: str, row: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.param_code = param_code
        self.row = row
        self.field = field


class ParamType(StrEnum):
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    INTEGER = "integer"
    DECIMAL = "decimal"
    YES_NO = "yes_no"
    TEXT = "text"
    EXERCISES = "exercises"


_WITH_CHOICES = frozenset({ParamType.CHOICE, ParamType.MULTI_CHOICE})
_NUMERIC = frozenset({ParamType.INTEGER, ParamType.DECIMAL})


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    help_text: str = ""


def _check_code(code: object, what: str) -> None:
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(f"{what} code {code!r} must be lower_snake_case")


def _as_decimal(value: object) -> Decimal | None:
    """A finite Decimal from an int, float, Decimal or numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        # str() gives the shortest repr, so 0.1 is Decimal("0.1"), not its binary value.
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
    if not isinstance(value, int | str | Decimal):
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


_PROPER_NOUNS = frozenset({"Maitland"})


def _in_sentence(label: str) -> str:
    """The label as it reads inside a sentence: "Side" → "side"; keeps "TENS" and
    proper nouns such as "Maitland"."""
    first = label.split(" ", 1)[0]
    if first in _PROPER_NOUNS or not first[1:].islower():
        return label
    return label[0].lower() + label[1:]


def _with_article(label: str) -> str:
    text = _in_sentence(label)
    return f"{'an' if text[0].lower() in 'aeiou' else 'a'} {text}"


def _one_of(labels: Iterable[str]) -> str:
    labels = list(labels)
    if len(labels) == 1:
        return labels[0]
    return f"{', '.join(labels[:-1])} or {labels[-1]}"


@dataclass(frozen=True)
class Param:
    """One parameter of an intervention kind.

    ``min_value``/``max_value`` bound integer and decimal parameters (give decimal bounds
    as strings, ``"0.16"``, so they are exact). ``applies_when`` restricts a parameter to
    some values of a choice parameter of the same kind, e.g. ``("modality",
    ("ultrasound",))``: given otherwise it is an error, and a form may hide it.
    """

    code: str
    label: str
    type: ParamType
    choices: tuple[Choice, ...] = ()
    min_value: int | Decimal | str | None = None
    max_value: int | Decimal | str | None = None
    unit: str = ""
    required: bool = False
    help_text: str = ""
    applies_when: tuple[str, tuple[str, ...]] | None = None
    values: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_code(self.code, "Param")
        param_type = ParamType(self.type)
        object.__setattr__(self, "type", param_type)
        object.__setattr__(self, "choices", tuple(self.choices))
        if (param_type in _WITH_CHOICES) != bool(self.choices):
            raise ValueError(f"{self.code}: choices are given exactly for choice params")
        codes = [choice.code for choice in self.choices]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.code}: duplicate choice codes")
        object.__setattr__(self, "values", frozenset(codes))
        if param_type not in _NUMERIC and (
            self.min_value is not None or self.max_value is not None
        ):
            raise ValueError(f"{self.code}: only integer and decimal params take a range")
        for name in ("min_value", "max_value"):
            bound = getattr(self, name)
            if bound is None:
                continue
            if param_type is ParamType.INTEGER:
                if isinstance(bound, bool) or not isinstance(bound, int):
                    raise ValueError(f"{self.code}: {name} of an integer param is an int")
            else:
                number = _as_decimal(bound)
                if number is None or isinstance(bound, float):
                    raise ValueError(f"{self.code}: give {name} as an int or a string")
                object.__setattr__(self, name, number)
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError(f"{self.code}: min_value is above max_value")
        if self.applies_when is not None:
            controller, allowed = self.applies_when
            object.__setattr__(self, "applies_when", (controller, tuple(allowed)))

    @property
    def display_name(self) -> str:
        """The label with its unit, as messages and form labels show it."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def row_params(self) -> tuple["Param", ...]:
        """The fields of each row of an exercises param (empty for other types)."""
        return EXERCISE_FIELDS if self.type is ParamType.EXERCISES else ()

    def choice_label(self, code: str) -> str:
        for choice in self.choices:
            if choice.code == code:
                return choice.label
        raise KeyError(f"{code!r} is not a choice of {self.code}")

    def _range_message(self) -> str:
        name = self.display_name
        low, high = self.min_value, self.max_value
        if low is not None and high is not None:
            return f"{name} must be between {low} and {high}."
        if low is not None:
            return f"{name} must be at least {low}."
        return f"{name} must be at most {high}."

    def _error(self, message: str) -> ParamError:
        return ParamError(message, param_code=self.code)

    def clean(self, value: object) -> Any:
        """The value normalised, or a ParamError. Blank values are the caller's concern."""
        match self.type:
            case ParamType.CHOICE:
                code = value.strip() if isinstance(value, str) else None
                if code not in self.values:
                    options = _one_of(choice.label for choice in self.choices)
                    raise self._error(f"Choose {_with_article(self.label)}: {options}.")
                return code
            case ParamType.MULTI_CHOICE:
                options = _one_of(choice.label for choice in self.choices)
                message = f"{self.label}: choose one or more of {options}."
                if isinstance(value, str | bytes) or not isinstance(
                    value, list | tuple | set | frozenset
                ):
                    raise self._error(message)
                if not all(isinstance(code, str) for code in value):
                    raise self._error(message)
                chosen = {code.strip() for code in value}
                if not chosen <= self.values:
                    raise self._error(message)
                return [choice.code for choice in self.choices if choice.code in chosen]
            case ParamType.YES_NO:
                if isinstance(value, str):
                    value = value.strip()
                if value is True or value == "yes":
                    return "yes"
                if value is False or value == "no":
                    return "no"
                raise self._error(f"{self.label}: answer yes or no.")
            case ParamType.INTEGER:
                if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
                    value = int(value)
                if isinstance(value, bool) or not isinstance(value, int):
                    raise self._error(f"{self.display_name} must be a whole number.")
                self._check_range(value)
                return value
            case ParamType.DECIMAL:
                number = _as_decimal(value)
                if number is None:
                    raise self._error(f"{self.display_name} must be a number.")
                self._check_range(number)
                result = float(number)
                if not math.isfinite(result):  # beyond float range, when unbounded
                    raise self._error(f"{self.display_name} must be a number.")
                return result
            case ParamType.TEXT:
                if not isinstance(value, str):
                    raise self._error(f"{self.label} must be text.")
                value = value.strip()
                # Every text parameter is a one-line input (a name, a site, a load).
                if any(mark in value for mark in LINE_BREAKS):
                    raise self._error(f"{self.label}: keep it to one line.")
                return value
            case ParamType.EXERCISES:
                return _clean_exercises(self, value)
        raise AssertionError(self.type)  # pragma: no cover

    def _check_range(self, number: int | Decimal) -> None:
        if (self.min_value is not None and number < self.min_value) or (
            self.max_value is not None and number > self.max_value
        ):
            raise self._error(self._range_message())


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | set | frozenset) and not value


def _clean_fields(
    params: tuple[Param, ...], values: Mapping[str, object], unknown: Callable[[str], str]
) -> dict[str, Any]:
    """Validate a mapping against a list of params: unknown keys, then each param in
    order (required, value, applies_when). Errors are ParamErrors of the params."""
    index = {param.code: param for param in params}
    for key in values:
        if key not in index:
            raise ParamError(unknown(key), param_code=str(key))
    cleaned: dict[str, Any] = {}
    for param in params:
        value = values.get(param.code)
        if _is_blank(value):
            if param.required:
                raise param._error(f"{param.display_name} is required.")
            continue
        cleaned[param.code] = param.clean(value)
    for param in params:
        if param.code in cleaned and param.applies_when is not None:
            controller_code, allowed = param.applies_when
            if cleaned.get(controller_code) not in allowed:
                controller = index[controller_code]
                when = _one_of(controller.choice_label(code) for code in allowed)
                raise param._error(
                    f"{param.display_name} applies only when "
                    f"{_in_sentence(controller.label)} is {when}."
                )
    return cleaned


def _clean_exercises(param: Param, value: object) -> list[dict[str, Any]]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple):
        raise param._error(f"{param.label} must be a list of exercises.")
    rows = []
    for number, row in enumerate(value, start=1):
        if not isinstance(row, Mapping):
            raise ParamError(
                f"Exercise {number}: give its fields (name, sets, reps, ...).",
                param_code=param.code,
                row=number,
            )
        try:
            rows.append(_clean_fields(EXERCISE_FIELDS, row, lambda key: f"unknown field {key!r}."))
        except ParamError as error:
            message = str(error)
            raise ParamError(
                f"Exercise {number}: {message[0].lower()}{message[1:]}",
                param_code=param.code,
                row=number,
                field=error.param_code,
            ) from None
    return rows


# Cross-field rules of a kind: given the cleaned params, raise a ParamError or return.
Check = Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True)
class InterventionKind:
    """An intervention a clinician can deliver and record.

    ``preconditions`` are codes from ``KNOWN_PRECONDITIONS`` that the recording service
    checks. ``defaults`` pre-fill a new record and must validate against ``params``
    (checked here, so a kind with bad defaults cannot be defined). ``checks`` are
    cross-field rules run after each param is valid.
    """

    code: str
    label: str
    params: tuple[Param, ...]
    preconditions: frozenset[str] = frozenset()
    description: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    # The risks a consent to this kind explains, and what to check first.
    consent_terms: ConsentTerms = ConsentTerms()
    index: Mapping[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_code(self.code, "Intervention kind")
        object.__setattr__(self, "params", tuple(self.params))
        object.__setattr__(self, "preconditions", frozenset(self.preconditions))
        object.__setattr__(self, "checks", tuple(self.checks))
        index = {param.code: param for param in self.params}
        if len(index) != len(self.params):
            raise ValueError(f"{self.code}: duplicate param codes")
        object.__setattr__(self, "index", MappingProxyType(index))
        unknown = self.preconditions - KNOWN_PRECONDITIONS
        if unknown:
            raise ValueError(f"{self.code}: unknown preconditions {sorted(unknown)}")
        for param in self.params:
            if param.applies_when is None:
                continue
            controller_code, allowed = param.applies_when
            controller = index.get(controller_code)
            if controller is None or controller.type is not ParamType.CHOICE:
                raise ValueError(
                    f"{self.code}.{param.code}: applies_when names no choice param "
                    f"{controller_code!r}"
                )
            if not set(allowed) <= controller.values:
                raise ValueError(f"{self.code}.{param.code}: applies_when names unknown values")
        try:
            cleaned = self.validate(self.defaults)
        except ParamError as error:
            raise ValueError(f"{self.code}: invalid defaults: {error}") from None
        object.__setattr__(self, "defaults", MappingProxyType(cleaned))

    def __str__(self) -> str:
        return self.label

    def param(self, code: str) -> Param:
        try:
            return self.index[code]
        except KeyError:
            raise KeyError(f"{code!r} is not a parameter of {self.code}") from None

    def validate(self, params: Mapping[str, object]) -> dict[str, Any]:
        if not isinstance(params, Mapping):
            raise TypeError(f"{self.code}: params must be a mapping, not {type(params)}")
        cleaned = _clean_fields(
            self.params, params, lambda key: f"Unknown parameter {key!r} for {self.label}."
        )
        for check in self.checks:
            check(cleaned)
        return cleaned

    def default_params(self) -> dict[str, Any]:
        """A fresh copy of the defaults, safe to change."""
        return copy.deepcopy(dict(self.defaults))


class KindRegistry:
    """Intervention kinds by code, in registration order, in the manner of
    ``django.contrib.admin.site``."""

    def __init__(self, initial: Iterable[InterventionKind] = ()) -> None:
        self._kinds: dict[str, InterventionKind] = {}
        for kind in initial:
            self.register(kind)

    def register(self, kind: InterventionKind) -> InterventionKind:
        if not isinstance(kind, InterventionKind):
            raise TypeError(f"register() takes an InterventionKind, not {type(kind)}")
        if kind.code in self._kinds:
            raise AlreadyRegistered(f"intervention kind {kind.code!r} is already registered")
        self._kinds[kind.code] = kind
        return kind

    def unregister(self, code: str) -> None:
        if code not in self._kinds:
            raise NotRegistered(f"intervention kind {code!r} is not registered")
        del self._kinds[code]

    def get(self, code: str) -> InterventionKind:
        try:
            return self._kinds[code]
        except (KeyError, TypeError):
            known = ", ".join(self._kinds) or "none"
            raise NotRegistered(
                f"unknown intervention kind {code!r} (registered: {known})"
            ) from None

    def __contains__(self, code: object) -> bool:
        return code in self._kinds

    def __iter__(self) -> Iterator[InterventionKind]:
        return iter(list(self._kinds.values()))

    def __len__(self) -> int:
        return len(self._kinds)

    def codes(self) -> list[str]:
        return list(self._kinds)

    def choices(self) -> list[tuple[str, str]]:
        """(code, label) pairs for a form or model field."""
        return [(kind.code, kind.label) for kind in self._kinds.values()]

    def needing(self, precondition: str) -> list[InterventionKind]:
        """The kinds with that precondition, e.g. those an uncleared red flag blocks."""
        return [kind for kind in self._kinds.values() if precondition in kind.preconditions]

    @contextmanager
    def temporarily(self, kind: InterventionKind) -> Iterator[InterventionKind]:
        """Register a kind for the duration of a block (for tests)."""
        self.register(kind)
        try:
            yield kind
        finally:
            self.unregister(kind.code)


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


# --- Shared choices -------------------------------------------------------------------
# Codes match the findings of section 2 of the spec where they overlap (lumbar levels,
# muscles), so a suggestion can pre-fill an intervention from what was found.

LEVEL = Param(
    "level",
    "Level",
    ParamType.CHOICE,
    choices=(
        Choice("l1_l2", "L1/2"),
        Choice("l2_l3", "L2/3"),
        Choice("l3_l4", "L3/4"),
        Choice("l4_l5", "L4/5"),
        Choice("l5_s1", "L5/S1"),
        Choice("sij", "Sacroiliac joint"),
    ),
)
SPINAL_SIDE = Param(
    "side",
    "Side",
    ParamType.CHOICE,
    choices=(
        Choice("left", "Left"),
        Choice("right", "Right"),
        Choice("central", "Central"),
        Choice("bilateral", "Bilateral"),
    ),
)
MUSCLE_SIDE = Param(
    "side",
    "Side",
    ParamType.CHOICE,
    choices=(Choice("left", "Left"), Choice("right", "Right"), Choice("bilateral", "Both")),
)
RESPONSE = Param(
    "response",
    "Response",
    ParamType.TEXT,
    help_text="Change in pain, range or symptoms after treatment, e.g. “pain 6/10 → 3/10”.",
)
_MUSCLES = (
    Choice("piriformis", "Piriformis"),
    Choice("gluteus_maximus", "Gluteus maximus"),
    Choice("gluteus_medius", "Gluteus medius"),
    Choice("gluteus_minimus", "Gluteus minimus"),
    Choice("tensor_fasciae_latae", "Tensor fasciae latae"),
    Choice("quadratus_lumborum", "Quadratus lumborum"),
    Choice("lumbar_paraspinals", "Lumbar paraspinals"),
    Choice("hip_flexors", "Hip flexors"),
    Choice("hamstrings", "Hamstrings"),
    Choice("other", "Other"),
)

# Maitland grades as worded in section 5 of the spec.
MAITLAND_GRADES = (
    Choice("I", "I", "Small amplitude early in range"),
    Choice("II", "II", "Large amplitude short of resistance"),
    Choice("III", "III", "Large amplitude to the limit of range"),
    Choice("IV", "IV", "Small amplitude at the limit of range"),
)
GRADE_V = Choice("V", "V", "High-velocity thrust")

# --- Exercise rows (CERT: Slade et al., BJSM 2016) ------------------------------------
# CERT asks for dosage (sets, reps, hold, load, frequency), supervised or home, and how
# each exercise is progressed. Ranges are plausibility bounds, not prescriptions.

EXERCISE_FIELDS: tuple[Param, ...] = (
    Param("name", "Name", ParamType.TEXT, required=True),
    # What the patient's handout says: the library's words, edited for the patient.
    Param(
        "instructions",
        "Instructions",
        ParamType.TEXT,
        help_text="In plain words, for the patient's handout.",
    ),
    Param("sets", "Sets", ParamType.INTEGER, min_value=1, max_value=20),
    Param("reps", "Reps", ParamType.INTEGER, min_value=1, max_value=100),
    Param("hold_seconds", "Hold", ParamType.INTEGER, min_value=0, max_value=600, unit="s"),
    Param("load", "Load", ParamType.TEXT, help_text="e.g. “bodyweight”, “5 kg”, “red band”"),
    Param(
        "frequency",
        "Frequency",
        ParamType.CHOICE,
        choices=(
            Choice("twice_daily", "Twice a day"),
            Choice("daily", "Daily"),
            Choice("five_per_week", "5×/week"),
            Choice("three_per_week", "3×/week"),
            Choice("twice_per_week", "2×/week"),
            Choice("weekly", "Weekly"),
        ),
    ),
    Param(
        "setting",
        "Setting",
        ParamType.CHOICE,
        choices=(Choice("home", "Home"), Choice("supervised", "Supervised")),
    ),
    Param(
        "progression",
        "Progression",
        ParamType.TEXT,
        help_text="When and how to progress or regress, e.g. “add 2 reps a week if pain ≤ 3/10”.",
    ),
)
# Pre-fill for a new exercise row (clinic default): the clinician names the exercise.
EXERCISE_ROW_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {"sets": 3, "reps": 10, "load": "bodyweight", "frequency": "daily", "setting": "home"}
)
EXERCISES = Param(
    "exercises",
    "Exercises",
    ParamType.EXERCISES,
    help_text="Each with sets, reps, hold, load, frequency, setting and progression (CERT).",
)


# --- Cross-field checks ---------------------------------------------------------------


def _depth_within_needle(params: Mapping[str, Any]) -> None:
    depth, length = params.get("depth_mm"), params.get("needle_length_mm")
    if depth is not None and length is not None and depth > length:
        raise ParamError(
            "Depth (mm) cannot be more than the needle length (mm).", param_code="depth_mm"
        )


def _adverse_event_consistent(params: Mapping[str, Any]) -> None:
    types = params.get("adverse_event_type", [])
    if "none" in types and len(types) > 1:
        raise ParamError(
            "Adverse event: “None” cannot be chosen with an event.",
            param_code="adverse_event_type",
        )
    has_event = bool(types) and types != ["none"]
    if "adverse_event_severity" in params and not has_event:
        raise ParamError(
            "Adverse event severity needs the type of adverse event.",
            param_code="adverse_event_severity",
        )


# --- The built-in kinds (spec section 5) ----------------------------------------------
# Anatomy (level, side, muscle, region, site) and observations (response, twitch,
# adverse events) are never pre-filled, so they cannot be required here either (the
# defaults of every kind must validate); the recording form asks for them.

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

# Needle sizes: dry-needling/acupuncture needles are sold from 13 mm (½ inch) to 100 mm
# (4 inch) long; the longest reach piriformis and gluteus minimus in larger patients.
# Diameters run from 0.16 mm (fine, superficial) to 0.35 mm (stiff, deep gluteals).
# Depth is bounded by the longest needle and checked against the one used.
DRY_NEEDLING = InterventionKind(
    code="dry_needling",
    label="Dry needling",
    description="Needling of myofascial trigger points or thickened muscle.",
    preconditions=frozenset({CONSENT, CONTRAINDICATION_SCREEN, RED_FLAGS_CLEAR}),
    params=(
        Param("muscle", "Muscle", ParamType.CHOICE, choices=_MUSCLES),
        MUSCLE_SIDE,
        Param("needles", "Number of needles", ParamType.INTEGER, min_value=1, max_value=20),
        Param(
            "needle_length_mm",
            "Needle length",
            ParamType.DECIMAL,
            min_value=13,
            max_value=100,
            unit="mm",
        ),
        Param(
            "needle_gauge_mm",
            "Needle gauge",
            ParamType.DECIMAL,
            min_value="0.16",
            max_value="0.35",
            unit="mm",
            help_text="Needle diameter",
        ),
        Param("depth_mm", "Depth", ParamType.DECIMAL, min_value=1, max_value=100, unit="mm"),
        Param(
            "technique",
            "Technique",
            ParamType.CHOICE,
            choices=(
                Choice("deep_pistoning", "Deep, fast in and out (pistoning)"),
                Choice("deep_static", "Deep, static"),
                Choice("superficial", "Superficial"),
                Choice("other", "Other"),
            ),
        ),
        Param("local_twitch_response", "Local twitch response", ParamType.YES_NO),
        RESPONSE,
        Param(
            "adverse_event_type",
            "Adverse event",
            ParamType.MULTI_CHOICE,
            choices=(
                Choice("none", "None"),
                Choice("bruising", "Bruising"),
                Choice("bleeding", "Bleeding"),
                Choice("post_needling_soreness", "Post-needling soreness"),
                Choice("vasovagal", "Feeling faint (vasovagal)"),
                Choice("nerve_irritation", "Nerve irritation"),
                Choice("other", "Other"),
            ),
        ),
        Param(
            "adverse_event_severity",
            "Adverse event severity",
            ParamType.CHOICE,
            choices=(
                Choice("mild", "Mild"),
                Choice("moderate", "Moderate"),
                Choice("severe", "Severe"),
            ),
        ),
    ),
    checks=(_depth_within_needle, _adverse_event_consistent),
    # Clinic default: a single needle, 0.30 mm, the common gauge for gluteal needling;
    # length depends on the muscle and the patient, so it is not pre-filled.
    defaults={"needles": 1, "needle_gauge_mm": "0.30"},
    consent_terms=DRY_NEEDLING_CONSENT,
)

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
        Param("region", "Muscle or region", ParamType.CHOICE, choices=_MUSCLES),
        Param("minutes", "Duration", ParamType.INTEGER, min_value=1, max_value=60, unit="min"),
    ),
    # Clinic default.
    defaults={"minutes": 10},
    consent_terms=SORENESS_CONSENT,
)

_ELECTRICAL = ("tens", "ifc", "other")
_ULTRASOUND = ("ultrasound", "other")
ELECTROTHERAPY = InterventionKind(
    code="electrotherapy",
    label="Electrotherapy",
    description="TENS, interferential or therapeutic ultrasound.",
    params=(
        Param(
            "modality",
            "Modality",
            ParamType.CHOICE,
            required=True,
            choices=(
                Choice("tens", "TENS"),
                Choice("ifc", "Interferential (IFC)"),
                Choice("ultrasound", "Ultrasound"),
                Choice("other", "Other"),
            ),
        ),
        Param("site", "Site", ParamType.TEXT, help_text="Where the electrodes or head were"),
        # Spec section 5 TENS reference: conventional 80–150 Hz, acupuncture-like 1–5 Hz;
        # 250 Hz covers the top of TENS units' range. For IFC, the beat frequency.
        Param(
            "frequency_hz",
            "Frequency",
            ParamType.INTEGER,
            min_value=1,
            max_value=250,
            unit="Hz",
            applies_when=("modality", _ELECTRICAL),
            help_text="TENS pulse rate or IFC beat frequency",
        ),
        # Therapeutic ultrasound heads run at 1 MHz (deep) or 3 MHz (superficial).
        Param(
            "ultrasound_frequency_mhz",
            "Ultrasound frequency",
            ParamType.CHOICE,
            choices=(Choice("1", "1 MHz"), Choice("3", "3 MHz")),
            applies_when=("modality", _ULTRASOUND),
        ),
        # Spec section 5: TENS pulse width 50–250 µs.
        Param(
            "pulse_width_us",
            "Pulse width",
            ParamType.INTEGER,
            min_value=50,
            max_value=250,
            unit="µs",
            applies_when=("modality", _ELECTRICAL),
        ),
        # 100 mA is above what TENS/IFC units deliver; a plausibility bound.
        Param(
            "intensity_ma",
            "Intensity",
            ParamType.DECIMAL,
            min_value=0,
            max_value=100,
            unit="mA",
            applies_when=("modality", _ELECTRICAL),
        ),
        Param(
            "intensity_level",
            "Intensity level",
            ParamType.CHOICE,
            choices=(Choice("sensory", "Sensory"), Choice("motor", "Motor")),
            applies_when=("modality", _ELECTRICAL),
        ),
        # Therapeutic ultrasound: 0.1–3.0 W/cm² spatial average intensity.
        Param(
            "intensity_w_cm2",
            "Ultrasound intensity",
            ParamType.DECIMAL,
            min_value="0.1",
            max_value="3.0",
            unit="W/cm²",
            applies_when=("modality", _ULTRASOUND),
        ),
        Param(
            "duty_cycle_percent",
            "Duty cycle",
            ParamType.INTEGER,
            min_value=1,
            max_value=100,
            unit="%",
            help_text="100% is continuous",
        ),
        Param("minutes", "Duration", ParamType.INTEGER, min_value=1, max_value=60, unit="min"),
    ),
    # Conventional TENS. 100 Hz (within 80–150 Hz) and 100 µs (short pulses, within
    # 50–250 µs): spec section 5 TENS reference. Sensory level, 20 minutes: clinic default.
    defaults={
        "modality": "tens",
        "frequency_hz": 100,
        "pulse_width_us": 100,
        "intensity_level": "sensory",
        "minutes": 20,
    },
    consent_terms=ELECTROTHERAPY_CONSENT,
)

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

EXERCISE_PROGRAMME = InterventionKind(
    code="exercise_programme",
    label="Exercise programme",
    description="Lumbopelvic rehabilitation programme, described per CERT (BJSM 2016).",
    params=(EXERCISES,),
    defaults={},
    consent_terms=SORENESS_CONSENT,
)

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

kinds = KindRegistry(BUILTIN_KINDS)
