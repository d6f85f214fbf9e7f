"""The clinic's outcome report: episodes grouped by working diagnosis, intervention kind or
physio, with each measure's baseline → latest, the share reaching important improvement,
the median visits to discharge and the adverse events. Computed in the database.

How (three queries per table whatever the number of episodes, plus one for the physios):

1. Measures. One row per (episode, measure) comes from a window pass over the
   measurements in (episode, measure, scored_at, id) order, which an index gives
   without sorting: ``FIRST_VALUE(value)`` is the baseline, the row whose
   ``ROW_NUMBER()`` equals the partition's ``COUNT(*)`` is the latest, and a count above
   one means the episode has a follow-up score. Django wraps the window query in a
   subquery and the aggregates (mean baseline, mean latest, mean change, count reaching
   important improvement) are computed over it, one ``FILTER (WHERE ...)`` per group.
   Only episodes with a follow-up score count for a measure (``n``).
2. Episodes and visits. The same kind of window pass over the visits gives each
   episode's visit count; the median over discharged episodes is PostgreSQL's
   ``percentile_cont(0.5)`` and, on SQLite, a ``MEDIAN`` aggregate registered on the
   connection (as Django registers ``STDDEV_POP`` there), so it stays one query.
3. Adverse events, counted per group (for an intervention kind: those after that kind).

A group is a membership test on the episode: ``episode_id IN (SELECT ...)``, a
non-correlated subquery that the database hashes once, so each row costs a lookup.
Groups overlap (an episode may have two diagnoses and several intervention kinds); the
"All episodes" row counts each episode once.

Important improvement follows ``measures.verdict``: for a measure where lower is
better, baseline − latest ≥ the important change, or ≥ its percentage of the baseline
(NPRS 2 points or 30 %, ODI 10 points or 30 %); where higher is better, latest −
baseline ≥ the important change (LEFS 9, PSFS 2). Scores are floats in the database,
so the comparisons allow ``EPSILON`` (scores are stored to two decimals at most).
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import FirstValue, RowNumber

from assessments import measures
from assessments.models import Measurement, WorkingDiagnosis
from assessments.reasoning import SOURCES
from clinic.models import EpisodeOfCare, EpisodeStatus, Visit

from .kinds import kinds
from .models import AdverseEvent, DeliveredIntervention

REPORT_MEASURES = ("nprs", "odi", "lefs", "psfs")
EPSILON = 1e-6
ALL = "all"


class GroupBy(StrEnum):
    DIAGNOSIS = "diagnosis"
    INTERVENTION = "intervention"
    PHYSIO = "physio"

    @property
    def label(self) -> str:
        return {
            "diagnosis": "Working diagnosis",
            "intervention": "Intervention",
            "physio": "Physio",
        }[self.value]


@dataclass(frozen=True)
class ReportFilters:
    opened_from: date | None = None
    opened_to: date | None = None
    physio_id: int | None = None
    diagnosis: str = ""
    intervention: str = ""
    status: str = ""

    def episodes(self) -> QuerySet[EpisodeOfCare]:
        """The episodes the report covers."""
        episodes = EpisodeOfCare.objects.all()
        if self.opened_from:
            episodes = episodes.filter(opened_on__gte=self.opened_from)
        if self.opened_to:
            episodes = episodes.filter(opened_on__lte=self.opened_to)
        if self.physio_id:
            episodes = episodes.filter(physio_id=self.physio_id)
        if self.status:
            episodes = episodes.filter(status=self.status)
        if self.diagnosis:
            episodes = episodes.filter(pk__in=_diagnosis_episodes(self.diagnosis))
        if self.intervention:
            episodes = episodes.filter(pk__in=_intervention_episodes(self.intervention))
        return episodes


def _diagnosis_episodes(source_code: str) -> QuerySet:
    return WorkingDiagnosis.objects.filter(
        source_code=source_code, withdrawn_at__isnull=True
    ).values("episode_id")


def _intervention_episodes(kind: str) -> QuerySet:
    return DeliveredIntervention.objects.filter(kind=kind, removed_at__isnull=True).values(
        "visit__episode_id"
    )


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    # Episode ids in the group (None: every episode of the report).
    members: QuerySet | None
    # The adverse events that count for the group, beyond being in its episodes.
    adverse_condition: Q = field(default_factory=Q)

    def test(self, episode_field: str) -> Q:
        return Q() if self.members is None else Q(**{f"{episode_field}__in": self.members})


def groups_for(group_by: GroupBy, filters: ReportFilters) -> list[Group]:
    """The groups a table may show, in order, "All episodes" last. For physios: one query."""
    if group_by is GroupBy.DIAGNOSIS:
        groups = [Group(code, label, _diagnosis_episodes(code)) for code, label in SOURCES.items()]
    elif group_by is GroupBy.INTERVENTION:
        groups = [
            Group(code, label, _intervention_episodes(code), Q(intervention__kind=code))
            for code, label in kinds.choices()
        ]
    else:
        physios = (
            get_user_model()
            .objects.filter(pk__in=filters.episodes().values("physio_id"))
            .order_by("first_name", "last_name", "username")
        )
        groups = [
            Group(
                str(user.pk),
                user.get_full_name() or user.username,
                EpisodeOfCare.objects.filter(physio_id=user.pk).values("pk"),
            )
            for user in physios
        ]
    return [*groups, Group(ALL, "All episodes", None)]


class Median(Aggregate):
    """The median: percentile_cont on PostgreSQL, the MEDIAN aggregate registered on the
    SQLite connection by ``_register_sqlite_median``."""

    function = "MEDIAN"
    name = "Median"
    output_field = FloatField()
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra_context):
        ordered_set = self.copy()
        ordered_set.template = "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        return ordered_set.as_sql(compiler, connection, **extra_context)


class _SQLiteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def _register_sqlite_median() -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.create_aggregate("MEDIAN", 1, _SQLiteMedian)


@dataclass(frozen=True)
class MeasureSummary:
    code: str
    n: int
    baseline: float | None
    latest: float | None
    change: float | None
    improved: int

    @property
    def share_improved(self) -> float | None:
        """Percent of the episodes with a follow-up score that reached important improvement."""
        return self.improved / self.n * 100 if self.n else None


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    episodes: int
    discharged: int
    median_visits: float | None
    adverse_events: int
    measures: dict[str, MeasureSummary]

    @property
    def is_total(self) -> bool:
        return self.key == ALL


@dataclass(frozen=True)
class Report:
    group_by: GroupBy
    filters: ReportFilters
    rows: list[ReportRow]

    @property
    def groups(self) -> list[ReportRow]:
        return [row for row in self.rows if not row.is_total]

    @property
    def total(self) -> ReportRow | None:
        return next((row for row in self.rows if row.is_total), None)


def _improvement(measure: measures.Measure) -> Q:
    """Latest (``value``) against ``baseline``, as measures.verdict judges it."""
    threshold = float(measure.important_change)
    if measure.higher_is_better:
        return Q(value__gte=F("baseline") + (threshold - EPSILON))
    improved = Q(value__lte=F("baseline") - (threshold - EPSILON))
    if measure.important_change_percent is not None:
        share = 1 - float(measure.important_change_percent) / 100
        # change > 0 and change * 100 >= percent * baseline, with baseline > 0
        improved |= (
            Q(baseline__gt=0)
            & Q(value__lt=F("baseline") - EPSILON)
            & Q(value__lte=F("baseline") * share + EPSILON)
        )
    return improved


def _members(groups: Iterable[Group], episode_field: str) -> dict[str, ExpressionWrapper]:
    return {
        f"in_{index}": ExpressionWrapper(group.test(episode_field), output_field=BooleanField())
        for index, group in enumerate(groups)
        if group.members is not None
    }


def _in(index: int, group: Group) -> Q:
    return Q() if group.members is None else Q(**{f"in_{index}": True})


def _measure_aggregates(groups: list[Group], episodes: QuerySet) -> dict[str, Any]:
    window = {
        "partition_by": [F("episode_id"), F("measure_code")],
        "order_by": [F("scored_at").asc(), F("id").asc()],
    }
    rows = (
        Measurement.objects.filter(measure_code__in=REPORT_MEASURES, episode_id__in=episodes)
        .annotate(
            baseline=Window(FirstValue("value"), **window),
            position=Window(RowNumber(), **window),
            scores=Window(Count("id"), partition_by=window["partition_by"]),
            **_members(groups, "episode_id"),
        )
        .filter(position=F("scores"))  # the latest score of each (episode, measure)
    )
    aggregates: dict[str, Any] = {}
    for index, group in enumerate(groups):
        for code in REPORT_MEASURES:
            followed = _in(index, group) & Q(measure_code=code, scores__gt=1)
            prefix = f"g{index}_{code}"
            aggregates |= {
                f"{prefix}_n": Count("id", filter=followed),
                f"{prefix}_baseline": Avg("baseline", filter=followed),
                f"{prefix}_latest": Avg("value", filter=followed),
                f"{prefix}_change": Avg(F("value") - F("baseline"), filter=followed),
                f"{prefix}_improved": Count(
                    "id", filter=followed & _improvement(measures.registry.get(code))
                ),
            }
    return rows.aggregate(**aggregates) if aggregates else {}


def _episode_aggregates(groups: list[Group], episodes: QuerySet) -> dict[str, Any]:
    _register_sqlite_median()
    rows = (
        Visit.objects.filter(episode_id__in=episodes)
        .annotate(
            # Any one row per episode will do: no ordering, so no sort beyond the episode.
            position=Window(RowNumber(), partition_by=[F("episode_id")]),
            visits=Window(Count("id"), partition_by=[F("episode_id")]),
            discharged=ExpressionWrapper(
                Q(episode__status=EpisodeStatus.DISCHARGED), output_field=BooleanField()
            ),
            **_members(groups, "episode_id"),
        )
        .filter(position=1)  # one row per episode that has visits
    )
    aggregates: dict[str, Any] = {}
    for index, group in enumerate(groups):
        member = _in(index, group)
        discharged = member & Q(discharged=True)
        aggregates |= {
            f"g{index}_with_visits": Count("id", filter=member),
            f"g{index}_discharged": Count("id", filter=discharged),
            f"g{index}_median_visits": Median("visits", filter=discharged),
        }
    return rows.aggregate(**aggregates)


def _episode_counts(groups: list[Group], episodes: QuerySet) -> dict[str, Any]:
    """Episodes per group, visits or not (a third of the episode query's work, but an
    episode opened today has no visit yet and still counts)."""
    return episodes.aggregate(
        **{
            f"g{index}_episodes": Count("id", filter=group.test("pk"))
            for index, group in enumerate(groups)
        }
    )


def _adverse_aggregates(groups: list[Group], episodes: QuerySet) -> dict[str, Any]:
    events = AdverseEvent.objects.filter(
        intervention__removed_at__isnull=True, intervention__visit__episode_id__in=episodes
    )
    return events.aggregate(
        **{
            f"g{index}_adverse": Count(
                "id",
                filter=group.test("intervention__visit__episode_id") & group.adverse_condition,
            )
            for index, group in enumerate(groups)
        }
    )


def outcome_report(*, group_by: GroupBy, filters: ReportFilters) -> Report:
    """The report table: a fixed number of queries (five; six by physio)."""
    groups = groups_for(group_by, filters)
    episodes = filters.episodes().values("pk")
    numbers = (
        _episode_counts(groups, episodes)
        | _measure_aggregates(groups, episodes)
        | _episode_aggregates(groups, episodes)
        | _adverse_aggregates(groups, episodes)
    )
    rows = []
    for index, group in enumerate(groups):
        prefix = f"g{index}"
        count = numbers[f"{prefix}_episodes"]
        if not count and group.key != ALL:
            continue
        rows.append(
            ReportRow(
                key=group.key,
                label=group.label,
                episodes=count,
                discharged=numbers[f"{prefix}_discharged"],
                median_visits=numbers[f"{prefix}_median_visits"],
                adverse_events=numbers[f"{prefix}_adverse"],
                measures={
                    code: MeasureSummary(
                        code=code,
                        n=numbers[f"{prefix}_{code}_n"],
                        baseline=numbers[f"{prefix}_{code}_baseline"],
                        latest=numbers[f"{prefix}_{code}_latest"],
                        change=numbers[f"{prefix}_{code}_change"],
                        improved=numbers[f"{prefix}_{code}_improved"],
                    )
                    for code in REPORT_MEASURES
                },
            )
        )
    return Report(group_by=group_by, filters=filters, rows=rows)


# --- What the page and the CSV show: the same cells -------------------------------------


def _number(value: float | None, places: int = 1) -> str:
    if value is None:
        return ""
    text = f"{value:.{places}f}"
    return "0" if text in ("-0", "-0.0") else text.removesuffix(".0") if places == 1 else text


def report_header(report: Report) -> list[str]:
    header = [report.group_by.label, "Episodes"]
    for code in REPORT_MEASURES:
        name = code.upper()
        header += [
            f"{name} n",
            f"{name} mean baseline",
            f"{name} mean latest",
            f"{name} mean change",
            f"{name} important improvement %",
        ]
    return [*header, "Median visits to discharge", "Adverse events"]


def report_cells(row: ReportRow) -> list[str]:
    cells = [row.label, str(row.episodes)]
    for code in REPORT_MEASURES:
        summary = row.measures[code]
        cells += [
            str(summary.n),
            _number(summary.baseline),
            _number(summary.latest),
            _number(summary.change),
            _number(summary.share_improved, 0),
        ]
    return [*cells, _number(row.median_visits), str(row.adverse_events)]


# --- The episodes behind a group -------------------------------------------------------


def _score(code: str, *, last: bool) -> Subquery:
    order = ("-scored_at", "-id") if last else ("scored_at", "id")
    return Subquery(
        Measurement.objects.filter(episode_id=OuterRef("pk"), measure_code=code)
        .order_by(*order)
        .values("value")[:1],
        output_field=FloatField(),
    )


def group_episodes(*, group_by: GroupBy, key: str, filters: ReportFilters) -> QuerySet:
    """The filtered episodes in one group, with patient, physio, current diagnoses and
    baseline → latest NPRS (for a page of them: three queries and a count)."""
    from django.db.models import Prefetch

    episodes = filters.episodes()
    if key != ALL:
        if group_by is GroupBy.DIAGNOSIS:
            episodes = episodes.filter(pk__in=_diagnosis_episodes(key))
        elif group_by is GroupBy.INTERVENTION:
            episodes = episodes.filter(pk__in=_intervention_episodes(key))
        else:
            episodes = episodes.filter(physio_id=int(key) if key.isdigit() else 0)
    return (
        episodes.select_related("patient", "physio")
        .prefetch_related(
            Prefetch(
                "working_diagnoses",
                WorkingDiagnosis.objects.filter(withdrawn_at__isnull=True),
                to_attr="current_diagnoses",
            )
        )
        .annotate(
            nprs_baseline=_score("nprs", last=False),
            nprs_latest=_score("nprs", last=True),
        )
        .order_by("-opened_on", "-id")
    )


def group_label(*, group_by: GroupBy, key: str) -> str | None:
    if key == ALL:
        return "All episodes"
    if group_by is GroupBy.DIAGNOSIS:
        return SOURCES.get(key)
    if group_by is GroupBy.INTERVENTION:
        return dict(kinds.choices()).get(key)
    user = get_user_model().objects.filter(pk=int(key) if key.isdigit() else 0).first()
    return (user.get_full_name() or user.username) if user else None
