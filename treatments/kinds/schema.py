"""The schema engine of intervention kinds: typed parameters, their validation and
messages, and ``InterventionKind`` itself.

Pure Python, with no ORM and no request, so the forms, the services that record a
delivered intervention and the FHIR export all read the same definitions.
``InterventionKind.validate()`` returns the parameters normalised for a JSON column:
choices as codes, yes/no as ``"yes"``/``"no"``, integers as ``int``, decimals as
``float`` (JSON has no decimal type), text stripped, and blank values (``None``, ``""``,
``[]``) left out. Every error is a ``ParamError`` (a ``ValueError``) naming the field and
what it allows.
"""

import copy
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from assessments.text import LINE_BREAKS

from ..safety import ConsentTerms

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

# Preconditions are checked by the services that record an intervention (the DB layer);
# a kind may only name ones that layer knows how to check.
CONSENT = "consent"
CONTRAINDICATION_SCREEN = "contraindication_screen"
RED_FLAGS_CLEAR = "red_flags_clear"
KNOWN_PRECONDITIONS = frozenset({CONSENT, CONTRAINDICATION_SCREEN, RED_FLAGS_CLEAR})


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
