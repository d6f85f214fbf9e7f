"""Assessment templates as data: the registry and the validation of answers.

The dataclasses live in ``assessments.schema`` and are re-exported here; template
files (``buttock_pain.py``) import only ``schema``. The built-in templates are
registered by ``AssessmentsConfig.ready()``, never on import, so a test finds the same
registry as a running clinic. A new template is a new definition file registered with
``templates.register()`` from an app's ``AppConfig.ready()``, not new views.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime

from assessments import measures
from assessments.buttock_pain import BUTTOCK_PAIN_V1, BUTTOCK_PAIN_V2
from assessments.dates import BEFORE_1900, EARLIEST
from assessments.follow_up import FOLLOW_UP_MEASURES_V1
from assessments.registry import AlreadyRegistered, NotRegistered, Registry
from assessments.schema import (
    LIST_TYPES,
    RED_FLAG_OPTIONS,
    TEST_OPTIONS,
    YES_NO_OPTIONS,
    Choice,
    Item,
    ItemType,
    Section,
    Template,
)

__all__ = [
    "BUILTIN_TEMPLATES",
    "LIST_TYPES",
    "RED_FLAG_OPTIONS",
    "TEST_OPTIONS",
    "YES_NO_OPTIONS",
    "AlreadyRegistered",
    "AnswerError",
    "Choice",
    "Item",
    "ItemType",
    "NotRegistered",
    "Section",
    "Template",
    "TemplateRegistry",
    "register_builtin_templates",
    "templates",
    "validate_answers",
]


class AnswerError(ValueError):
    """An invalid answer; ``item_code`` is the template item to show it on, and
    ``measure_item_code`` the item inside a measure when the error is there."""

    def __init__(
        self, message: str, *, item_code: str, measure_item_code: str | None = None
    ) -> None:
        super().__init__(message)
        self.item_code = item_code
        self.measure_item_code = measure_item_code


class TemplateRegistry(Registry[Template]):
    """Templates by (code, version): ``get(code)`` is the latest version, ``get(code,
    version)`` the one an old assessment was recorded with."""

    what = "template"

    def key_of(self, entry: Template) -> str:
        return self._key(entry.code, entry.version)

    def sort_key(self, entry: Template) -> tuple[str, int]:
        return (entry.code, entry.version)

    def check(self, entry: Template) -> None:
        for item in entry.items():
            if item.measure is not None and item.measure not in measures.registry:
                raise ValueError(
                    f"{entry}: item {item.code!r} uses unknown measure {item.measure!r}"
                )

    def unregister(self, code: str, version: int) -> None:  # type: ignore[override]
        super().unregister(self._key(code, version))

    def get(self, code: str, version: int | None = None) -> Template:  # type: ignore[override]
        """The given version of a template, or its latest when version is None."""
        if version is None:
            versions = self.versions(code)
            if not versions:
                raise NotRegistered(f"No template named {code!r} is registered.")
            version = versions[-1]
        return super().get(self._key(code, version))

    def latest(self, code: str) -> Template:
        return self.get(code)

    def versions(self, code: str) -> list[int]:
        return [template.version for template in self if template.code == code]

    def is_registered(self, code: str, version: int | None = None) -> bool:
        if version is None:
            return bool(self.versions(code))
        return self._key(code, version) in self

    @contextmanager
    def temporarily(self, entry: Template) -> Iterator[Template]:
        """Register a template for the length of a block (tests): nothing leaks."""
        self.register(entry)
        try:
            yield entry
        finally:
            self.unregister(entry.code, entry.version)

    @staticmethod
    def _key(code: str, version: int) -> str:
        return f"{code} v{version}"  # as a template prints: "buttock_pain v2"


# Filled by ``AssessmentsConfig.ready()`` with the built-in templates.
templates = TemplateRegistry()

BUILTIN_TEMPLATES: tuple[Template, ...] = (
    BUTTOCK_PAIN_V1,
    BUTTOCK_PAIN_V2,
    FOLLOW_UP_MEASURES_V1,
)


def register_builtin_templates(registry: TemplateRegistry) -> None:
    """Called once by ``AssessmentsConfig.ready()``, after the built-in measures."""
    for template in BUILTIN_TEMPLATES:
        registry.register(template)


# Validation. One small function per item type, looked up by type, keeps
# validate_answers cheap enough for reasoning.suggest() to call every time.

_Validator = Callable[[Item, object, date | None], object]
_YES_NO = {"yes": "yes", "no": "no", True: "yes", False: "no"}
_SKIP = object()


def _not_allowed(item: Item, value: object) -> AnswerError:
    allowed = ", ".join(choice.code for choice in item.options)
    return AnswerError(
        f"{item.code}: {value!r} is not an allowed value (allowed: {allowed})",
        item_code=item.code,
    )


def _one_of(item: Item, value: object, today: date | None) -> object:
    if isinstance(value, str) and value in item.values:
        return value
    raise _not_allowed(item, value)


def _yes_no(item: Item, value: object, today: date | None) -> object:
    # The spec: Python True/False mean the same as "yes"/"no".
    if isinstance(value, bool | str) and value in _YES_NO:
        return _YES_NO[value]  # type: ignore[index]
    raise _not_allowed(item, value)


def _red_flag(item: Item, value: object, today: date | None) -> object:
    if isinstance(value, bool):
        return _YES_NO[value]
    return _one_of(item, value, today)


def _list(item: Item, value: object, today: date | None) -> object:
    if not isinstance(value, list | tuple | set | frozenset):
        raise AnswerError(
            f"{item.code}: expected a list of values, got {value!r}", item_code=item.code
        )
    for element in value:
        if not (isinstance(element, str) and element in item.values):
            raise _not_allowed(item, element)
    # Stored de-duplicated in the template's order, so equal answers compare equal.
    return sorted(set(value), key=item.order.__getitem__)


def _integer(item: Item, value: object, today: date | None) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(
            f"{item.code}: expected a whole number, got {value!r}", item_code=item.code
        )
    if (item.min_value is not None and value < item.min_value) or (
        item.max_value is not None and value > item.max_value
    ):
        raise AnswerError(
            f"{item.code}: {value} is outside {item.min_value} to {item.max_value}",
            item_code=item.code,
        )
    return value


def _date(item: Item, value: object, today: date | None) -> object:
    if isinstance(value, datetime):
        raise AnswerError(f"{item.code}: expected a date, not a date and time", item_code=item.code)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise AnswerError(
                f"{item.code}: {value!r} is not an ISO date (YYYY-MM-DD)",
                item_code=item.code,
            ) from None
    if not isinstance(value, date):
        raise AnswerError(f"{item.code}: expected a date, got {value!r}", item_code=item.code)
    if value < EARLIEST:
        raise AnswerError(f"{item.code}: {BEFORE_1900}", item_code=item.code)
    if item.not_in_future and value > (today or date.today()):
        raise AnswerError(f"{item.code}: {value} is in the future", item_code=item.code)
    return value.isoformat()


def _text(item: Item, value: object, today: date | None) -> object:
    if isinstance(value, str):
        return value
    raise AnswerError(f"{item.code}: expected text, got {value!r}", item_code=item.code)


def _measure(item: Item, value: object, today: date | None) -> object:
    if not isinstance(value, Mapping):
        raise AnswerError(
            f"{item.code}: expected the {item.measure} answers as a mapping",
            item_code=item.code,
        )
    if not value:
        return _SKIP
    try:
        return measures.validate(item.measure or item.code, value)
    except measures.MeasureError as error:
        raise AnswerError(
            f"{item.code}: {error}", item_code=item.code, measure_item_code=error.item_code
        ) from error


_VALIDATORS: dict[ItemType, _Validator] = {
    ItemType.CHOICE: _one_of,
    ItemType.MULTI_CHOICE: _list,
    ItemType.BODY_CHART: _list,
    ItemType.YES_NO: _yes_no,
    ItemType.TEST: _one_of,
    ItemType.RED_FLAG: _red_flag,
    ItemType.INTEGER: _integer,
    ItemType.DATE: _date,
    ItemType.TEXT: _text,
    ItemType.MEASURE: _measure,
}


def validate_answers(
    template: Template,
    answers: Mapping[str, object],
    *,
    today: date | None = None,
    require_complete: bool = False,
) -> dict[str, object]:
    """Normalised answers in template order, or an AnswerError naming the item.

    An item left out, answered None or (for a measure) an empty mapping is unknown and
    left out of the result. ``require_complete`` also demands every required item.
    ``today`` defaults to the current date, for the not-in-the-future check.
    """
    index = template.index
    normalised: dict[str, object] = {}
    for code, value in answers.items():
        item = index.get(code) if isinstance(code, str) else None
        if item is None:
            raise AnswerError(f"{code}: not an item of {template}", item_code=str(code))
        if value is None:
            continue
        result = _VALIDATORS[item.type](item, value, today)
        if result is not _SKIP:
            normalised[code] = result
    if require_complete:
        for item in template.items():
            if item.required and item.code not in normalised:
                raise AnswerError(f"{item.code}: an answer is required", item_code=item.code)
    if len(normalised) > 1:
        normalised = {code: normalised[code] for code in index if code in normalised}
    return normalised
