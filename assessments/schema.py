"""The building blocks of an assessment template: choices, items, sections, templates.

Pure data with no imports from the rest of the app, so that template definition files
(``buttock_pain.py``, ...) can import these classes while ``definitions.py`` imports the
definition files to fill the default registry: no import cycle either way round.
Import them from ``assessments.definitions``, which re-exports them.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class ItemType(StrEnum):
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    YES_NO = "yes_no"
    TEST = "test"
    RED_FLAG = "red_flag"
    INTEGER = "integer"
    DATE = "date"
    TEXT = "text"
    BODY_CHART = "body_chart"
    MEASURE = "measure"


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


YES_NO_OPTIONS = (Choice("yes", "Yes"), Choice("no", "No"))
TEST_OPTIONS = (
    Choice("positive", "Positive"),
    Choice("negative", "Negative"),
    Choice("not_tested", "Not tested"),
)
RED_FLAG_OPTIONS = (
    Choice("yes", "Yes"),
    Choice("no", "No"),
    Choice("not_asked", "Not asked"),
)
_FIXED_OPTIONS = {
    ItemType.YES_NO: YES_NO_OPTIONS,
    ItemType.TEST: TEST_OPTIONS,
    ItemType.RED_FLAG: RED_FLAG_OPTIONS,
}
_WITH_CHOICES = {ItemType.CHOICE, ItemType.MULTI_CHOICE, ItemType.BODY_CHART}
LIST_TYPES = frozenset({ItemType.MULTI_CHOICE, ItemType.BODY_CHART})


def _check_code(code: object, what: str) -> None:
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(f"{what} code {code!r} must be lower_snake_case")


@dataclass(frozen=True)
class Item:
    """One question of a template.

    ``required`` is a hint for forms and for ``validate_answers(require_complete=True)``;
    an item left out is otherwise unknown, never an error. ``not_in_future`` applies to
    date items only. ``group`` is a red-flag item's referral group (``cauda_equina``):
    the template's rule set says what a yes in that group means.
    """

    code: str
    label: str
    type: ItemType
    choices: tuple[Choice, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    help_text: str = ""
    required: bool = False
    measure: str | None = None
    not_in_future: bool = False
    group: str = ""
    # Precomputed for the fast validation path (suggest() validates on every call).
    values: frozenset[str] = field(init=False, repr=False, compare=False)
    order: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_code(self.code, "Item")
        item_type = ItemType(self.type)
        object.__setattr__(self, "type", item_type)
        object.__setattr__(self, "choices", tuple(self.choices))
        if item_type in _WITH_CHOICES and not self.choices:
            raise ValueError(f"{self.code}: a {item_type} item needs choices")
        if item_type not in _WITH_CHOICES and self.choices:
            raise ValueError(f"{self.code}: a {item_type} item takes no choices")
        codes = [choice.code for choice in self.options]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.code}: duplicate choice codes")
        if (item_type is ItemType.MEASURE) != (self.measure is not None):
            raise ValueError(f"{self.code}: `measure` is set exactly on measure items")
        if item_type is not ItemType.INTEGER and (
            self.min_value is not None or self.max_value is not None
        ):
            raise ValueError(f"{self.code}: only integer items take a range")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError(f"{self.code}: min_value is above max_value")
        if self.not_in_future and item_type is not ItemType.DATE:
            raise ValueError(f"{self.code}: not_in_future applies to date items only")
        if self.group and item_type is not ItemType.RED_FLAG:
            raise ValueError(f"{self.code}: only red-flag items belong to a group")
        if self.group:
            _check_code(self.group, "Red-flag group")
        object.__setattr__(self, "values", frozenset(codes))
        object.__setattr__(self, "order", {code: i for i, code in enumerate(codes)})

    @property
    def options(self) -> tuple[Choice, ...]:
        """The allowed values with labels, including the fixed ones of yes/no, tests
        and red flags."""
        return self.choices or _FIXED_OPTIONS.get(self.type, ())


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    items: tuple[Item, ...]

    def __post_init__(self) -> None:
        _check_code(self.code, "Section")
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True)
class Template:
    code: str
    version: int
    title: str
    sections: tuple[Section, ...]
    index: dict[str, Item] = field(init=False, repr=False, compare=False)
    # The red-flag items by group, in template order: {"cauda_equina": ("rf_...", ...)}.
    red_flag_groups: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_code(self.code, "Template")
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise ValueError(f"{self.code}: version must be an integer")
        if self.version < 1:
            raise ValueError(f"{self.code}: version must be 1 or more")
        object.__setattr__(self, "sections", tuple(self.sections))
        index: dict[str, Item] = {}
        for section in self.sections:
            for item in section.items:
                if item.code in index:
                    raise ValueError(f"{self.code}: duplicate item code {item.code!r}")
                index[item.code] = item
        object.__setattr__(self, "index", index)
        groups: dict[str, list[str]] = {}
        for item in index.values():
            if item.group:
                groups.setdefault(item.group, []).append(item.code)
        object.__setattr__(
            self, "red_flag_groups", {group: tuple(codes) for group, codes in groups.items()}
        )

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def items(self) -> Iterator[Item]:
        """Every item, in section order."""
        return iter(self.index.values())

    def item(self, code: str) -> Item:
        try:
            return self.index[code]
        except KeyError:
            raise KeyError(f"{code!r} is not an item of {self}") from None
