"""Outcome measures: their items, scoring, important change and a verdict over time.

Sources are those of section 4 of the clinical spec (``buttock-pain.md``).
Licensing: ODI is (c) Fairbank/Mapi and LEFS forms are APTA's, so this module ships
only the ODI section titles, "Item N" for LEFS and a description of each answer
scale in our own words, never their question or answer text (a clinic holding the
licence loads that from its own file: ``forms.licensed_text``).

Answers for a measure are a mapping of its item codes to values; ``None`` means not
answered. Every error is a ``MeasureError`` (a ``ValueError``) naming the item.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from assessments import registry as registries

IMPORTANT_IMPROVEMENT = "important improvement"
NO_IMPORTANT_CHANGE = "no important change"
WORSE = "worse"


class MeasureError(ValueError):
    def __init__(self, message: str, *, item_code: str) -> None:
        super().__init__(message)
        self.item_code = item_code


class NotRegistered(MeasureError, registries.NotRegistered):
    """An unknown measure code: a MeasureError naming it, as scoring reports any error."""


class LiveScore(StrEnum):
    """How the form's script totals the answers while they are typed: the arithmetic
    of the measure's ``score_fn``, named so the browser can repeat it."""

    PERCENT_OF_MAXIMUM = "percent_of_maximum"  # ODI
    SUM = "sum"  # LEFS
    MEAN = "mean"  # PSFS


class MeasureItemKind(StrEnum):
    INTEGER = "integer"
    # Free text kept with the answers but never scored (the PSFS activity names).
    TEXT = "text"


@dataclass(frozen=True)
class MeasureItem:
    code: str
    label: str
    min_value: int | None = None
    max_value: int | None = None
    kind: MeasureItemKind = MeasureItemKind.INTEGER

    @property
    def scored(self) -> bool:
        return self.kind is MeasureItemKind.INTEGER


Number = int | float
ScoreFn = Callable[[Mapping[str, int]], Number]


@dataclass(frozen=True)
class Measure:
    """A registered outcome measure.

    ``score_fn`` receives the answered scored items only. ``min_answered`` is how many
    scored items must be answered (None: all of them). ``is_change_rating`` marks a
    single rating of change (GRC), judged on its own rather than against a baseline.
    """

    code: str
    title: str
    items: tuple[MeasureItem, ...]
    min_value: Number
    max_value: Number
    unit: str
    higher_is_better: bool
    important_change: Number | None
    important_change_percent: Number | None
    scoring_version: str
    score_fn: ScoreFn
    min_answered: int | None = None
    is_change_rating: bool = False
    scale: tuple[str, ...] = ()
    scale_hint: str = ""
    bands: tuple[tuple[Number, str], ...] = ()
    live_score: LiveScore | None = None
    index: dict[str, MeasureItem] = field(init=False, repr=False, compare=False)
    scored_items: tuple[MeasureItem, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        index = {item.code: item for item in self.items}
        if len(index) != len(self.items):
            raise ValueError(f"{self.code}: duplicate item codes")
        object.__setattr__(self, "index", index)
        scored = tuple(item for item in self.items if item.scored)
        object.__setattr__(self, "scored_items", scored)
        for item in scored if self.scale else ():
            if item.max_value - item.min_value + 1 != len(self.scale):
                raise ValueError(f"{self.code}: the scale needs a word for each answer")


@dataclass(frozen=True)
class Score:
    measure_code: str
    value: Number
    unit: str
    scoring_version: str
    missing_items: int
    raw: dict[str, int | str]


class MeasureRegistry(registries.Registry[Measure]):
    what = "measure"

    def get(self, key: str) -> Measure:
        try:
            return super().get(key)
        except registries.NotRegistered as error:
            raise NotRegistered(str(error), item_code=str(key)) from None

    def unregister(self, key: str) -> None:
        try:
            super().unregister(key)
        except registries.NotRegistered as error:
            raise NotRegistered(str(error), item_code=str(key)) from None


# Filled by ``AssessmentsConfig.ready()`` with the built-in measures.
registry = MeasureRegistry()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_item(measure: Measure, item: MeasureItem, value: object) -> int | str:
    if item.kind is MeasureItemKind.TEXT:
        if not isinstance(value, str):
            raise MeasureError(
                f"{item.code}: expected text, got {type(value).__name__}",
                item_code=item.code,
            )
        return value
    if not _is_int(value):
        raise MeasureError(
            f"{item.code}: expected a whole number from {item.min_value} to "
            f"{item.max_value}, got {value!r}",
            item_code=item.code,
        )
    assert isinstance(value, int)
    if (item.min_value is not None and value < item.min_value) or (
        item.max_value is not None and value > item.max_value
    ):
        raise MeasureError(
            f"{item.code}: {value} is outside {item.min_value} to {item.max_value}",
            item_code=item.code,
        )
    return value


def _validate(measure: Measure, answers: Mapping[str, object]) -> dict[str, int | str]:
    if not isinstance(answers, Mapping):
        raise MeasureError(
            f"{measure.code}: answers must be a mapping of item code to value",
            item_code=measure.code,
        )
    normalised: dict[str, int | str] = {}
    for code, value in answers.items():
        item = measure.index.get(code) if isinstance(code, str) else None
        if item is None:
            raise MeasureError(f"{code}: not an item of {measure.code}", item_code=str(code))
        if value is not None:
            normalised[code] = _check_item(measure, item, value)
    scored = measure.scored_items
    missing = [item.code for item in scored if item.code not in normalised]
    needed = len(scored) if measure.min_answered is None else measure.min_answered
    if len(scored) - len(missing) < needed:
        raise MeasureError(
            f"{missing[0]}: {measure.code} needs at least {needed} of "
            f"{len(scored)} items answered; missing {', '.join(missing)}",
            item_code=missing[0],
        )
    return normalised


def validate(code: str, answers: Mapping[str, object]) -> dict[str, int | str]:
    """Normalised answers (unanswered items dropped), or MeasureError."""
    return _validate(registry.get(code), answers)


def score(code: str, answers: Mapping[str, object]) -> Score:
    measure = registry.get(code)
    raw = _validate(measure, answers)
    scored = {item.code: raw[item.code] for item in measure.scored_items if item.code in raw}
    return Score(
        measure_code=measure.code,
        value=measure.score_fn(scored),  # type: ignore[arg-type]
        unit=measure.unit,
        scoring_version=measure.scoring_version,
        missing_items=len(measure.scored_items) - len(scored),
        raw=raw,
    )


# Fairbank's bands are stated on whole percents (0-20, 21-40, ...); a decimal score
# such as 20.5 falls in the band above (each band is "up to and including" its top).
ODI_BANDS = (
    (20, "minimal disability"),
    (40, "moderate disability"),
    (60, "severe disability"),
    (80, "crippled"),
    (100, "bed-bound"),
)


def odi_band(percent: Number) -> str:
    """Fairbank's disability band for an ODI percentage."""
    if isinstance(percent, bool) or not isinstance(percent, int | float):
        raise MeasureError(f"odi: expected a percentage, got {percent!r}", item_code="odi")
    if not 0 <= percent <= 100:
        raise MeasureError(f"odi: {percent} is outside 0 to 100", item_code="odi")
    for top, label in ODI_BANDS:
        if percent <= top:
            return label
    raise AssertionError("unreachable")  # pragma: no cover


def _check_score(measure: Measure, value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MeasureError(
            f"{measure.code}: {what} score must be a number, got {value!r}",
            item_code=measure.code,
        )
    if not measure.min_value <= value <= measure.max_value:
        raise MeasureError(
            f"{measure.code}: {what} score {value} is outside "
            f"{measure.min_value} to {measure.max_value}",
            item_code=measure.code,
        )
    # Decimal via str so that 5.8 - 4 is exactly 1.8 at the threshold edges.
    return Decimal(str(value))


def verdict(code: str, baseline: Number | None, latest: Number) -> str:
    """Return "important improvement", "no important change" or "worse".

    A change counts when, in either direction, it reaches the absolute important change
    or the percentage of the baseline (when the measure has one and the baseline is
    above zero). A change rating (GRC) is judged on ``latest`` alone: >= +3 "somewhat
    better" is an improvement, <= -3 worse; ``baseline`` is ignored for it.
    """
    measure = registry.get(code)
    latest_value = _check_score(measure, latest, "latest")
    threshold = Decimal(str(measure.important_change))
    if measure.is_change_rating:
        if latest_value >= threshold:
            return IMPORTANT_IMPROVEMENT
        if latest_value <= -threshold:
            return WORSE
        return NO_IMPORTANT_CHANGE
    if baseline is None:
        raise MeasureError(f"{code}: a baseline score is needed", item_code=code)
    baseline_value = _check_score(measure, baseline, "baseline")
    better = latest_value - baseline_value
    if not measure.higher_is_better:
        better = -better
    percent = measure.important_change_percent

    def important(change: Decimal) -> bool:
        if change <= 0:
            return False
        if change >= threshold:
            return True
        return (
            percent is not None
            and baseline_value > 0
            and change * 100 >= Decimal(str(percent)) * baseline_value
        )

    if important(better):
        return IMPORTANT_IMPROVEMENT
    if important(-better):
        return WORSE
    return NO_IMPORTANT_CHANGE


def _single(code: str) -> ScoreFn:
    return lambda answers: answers[code]


def _odi_percent(answers: Mapping[str, int]) -> float:
    # Fairbank: each missing section lowers the denominator by 5 (16/45 -> 35.6%).
    return round(sum(answers.values()) / (5 * len(answers)) * 100, 1)


def _lefs_total(answers: Mapping[str, int]) -> int:
    return sum(answers.values())


def _psfs_mean(answers: Mapping[str, int]) -> float:
    # Abbott & Schmitt 2014: the mean of the activities rated.
    return round(sum(answers.values()) / len(answers), 2)


ODI_SECTIONS = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
)

NPRS = Measure(
    code="nprs",
    title="Numeric Pain Rating Scale",
    items=(MeasureItem("nprs", "Pain (0 = no pain, 10 = worst pain imaginable)", 0, 10),),
    min_value=0,
    max_value=10,
    unit="points",
    higher_is_better=False,
    important_change=2,  # Ostelo 2008; Childs 2005
    important_change_percent=30,
    scoring_version="1",
    score_fn=_single("nprs"),
)

ODI = Measure(
    code="odi",
    title="Oswestry Disability Index",
    items=tuple(
        MeasureItem(f"odi_{number}", f"Section {number}: {title}", 0, 5)
        for number, title in enumerate(ODI_SECTIONS, start=1)
    ),
    min_value=0,
    max_value=100,
    unit="%",
    higher_is_better=False,
    important_change=10,  # Ostelo 2008
    important_change_percent=30,
    scoring_version="1",
    score_fn=_odi_percent,
    min_answered=8,  # at most 2 sections missing
    # Each section's statements run from no problem (first) to the most limited (last).
    scale=("no problem", "slight", "moderate", "marked", "severe", "extreme"),
    scale_hint=(
        "Enter the statement the patient marked in each section of their form: "
        "0 for the first (no problem) to 5 for the last (the most limited). "
        "A section left blank stays not answered; at most 2 may be."
    ),
    bands=ODI_BANDS,
    live_score=LiveScore.PERCENT_OF_MAXIMUM,
)

LEFS = Measure(
    code="lefs",
    title="Lower Extremity Functional Scale",
    items=tuple(MeasureItem(f"lefs_{n}", f"Item {n}", 0, 4) for n in range(1, 21)),
    min_value=0,
    max_value=80,
    unit="points",
    higher_is_better=True,
    important_change=9,  # Binkley 1999
    important_change_percent=None,
    scoring_version="1",
    score_fn=_lefs_total,
    scale=(
        "unable, or extreme difficulty",
        "a lot of difficulty",
        "some difficulty",
        "a little difficulty",
        "no difficulty",
    ),
    scale_hint=(
        "Enter how hard the patient rated each activity on their form, from 0 (unable, "
        "or extreme difficulty) to 4 (no difficulty). All 20 are needed for a score."
    ),
    live_score=LiveScore.SUM,
)

PSFS = Measure(
    code="psfs",
    title="Patient-Specific Functional Scale",
    items=tuple(
        item
        for n in range(1, 6)
        for item in (
            MeasureItem(f"psfs_{n}_activity", f"Activity {n}", kind=MeasureItemKind.TEXT),
            MeasureItem(f"psfs_{n}", f"Activity {n}: ability (0-10)", 0, 10),
        )
    ),
    min_value=0,
    max_value=10,
    unit="points",
    higher_is_better=True,
    important_change=2,  # Abbott & Schmitt 2014, for the mean
    important_change_percent=None,
    scoring_version="1",
    score_fn=_psfs_mean,
    min_answered=1,
    live_score=LiveScore.MEAN,
)

GRC = Measure(
    code="grc",
    title="Global Rating of Change",
    items=(MeasureItem("grc", "Overall change since treatment began (-7 to +7)", -7, 7),),
    min_value=-7,
    max_value=7,
    unit="points",
    higher_is_better=True,
    important_change=3,  # >= +3 "somewhat better"
    important_change_percent=None,
    scoring_version="1",
    score_fn=_single("grc"),
    is_change_rating=True,
)

BUILTIN_MEASURES: tuple[Measure, ...] = (NPRS, ODI, LEFS, PSFS, GRC)


def register_builtin_measures(registry: MeasureRegistry) -> None:
    """Called once by ``AssessmentsConfig.ready()``, before the templates that use them."""
    for measure in BUILTIN_MEASURES:
        registry.register(measure)
