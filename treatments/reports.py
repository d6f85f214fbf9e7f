"""The clinic's outcome report: episodes grouped by main diagnosis, intervention kind or
physio, with each measure's baseline → latest, the share reaching important improvement,
the median visits to discharge and the adverse events. Computed in the database.

It reads small per-episode rows kept for it, not every score and intervention:

- ``assessments.EpisodeMeasureSummary``: per (episode, measure) the baseline (first score
  in (scored_at, id) order), the latest and the number of scores (``assessments.summaries``
  keeps them as scores are saved);
- ``treatments.EpisodeInterventionKind``: per episode the kinds of intervention it has
  had, removed ones not counted (``treatments.summaries``);
- the main diagnosis the clinician marked (not withdrawn; an episode has one at most)
  and the episode's physio as they are.

Three queries whatever the number of episodes (plus one for the physios' names when
grouped by physio). Each joins the rows to the group's membership, ``(episode_id, key)``,
and groups by key; the "All episodes" row is a second branch of the same statement
grouped over the rows alone, so an episode in two groups counts once there:

1. Measures: over the summaries with a follow-up score (``scores_count > 1``): n, mean
   baseline, mean latest, mean change, and how many reach important improvement.
2. Episodes: per episode its visit count when it is discharged (one index-only pass over
   the visits, materialised once): episodes per group and the median visits to discharge
   (PostgreSQL's ``percentile_cont(0.5)``; on SQLite a ``MEDIAN`` aggregate registered
   on the connection, as Django registers ``STDDEV_POP`` there).
3. Adverse events of interventions not removed (for an intervention kind: those after
   that kind).

The filters (ReportFilters.episodes(), compiled by the ORM) become an ``episode_id IN
(...)`` test, left out when there is none. On PostgreSQL the queries run in one
transaction with JIT compilation off: each takes a fraction of a second, and compiling
them would take longer than it saves (README, Performance).

Important improvement follows ``measures.verdict``: for a measure where lower is
better, baseline − latest ≥ the important change, or ≥ its percentage of the baseline
(NPRS 2 points or 30 %, ODI 10 points or 30 %); where higher is better, latest −
baseline ≥ the important change (LEFS 9, PSFS 2). Scores are floats in the database,
so the comparisons allow ``EPSILON`` (scores are stored to two decimals at most).
"""

import statistics
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import FloatField, OuterRef, QuerySet, Subquery

from assessments import host, measures
from assessments.host import EpisodeOfCare
from assessments.models import EpisodeMeasureSummary, WorkingDiagnosis
from assessments.reasoning import rulesets

from .kinds import kinds
from .models import AdverseEvent, DeliveredIntervention, EpisodeInterventionKind

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
            "diagnosis": "Main diagnosis",
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

    @property
    def is_filtered(self) -> bool:
        return any(
            (
                self.opened_from,
                self.opened_to,
                self.physio_id,
                self.diagnosis,
                self.intervention,
                self.status,
            )
        )

    def episodes(self) -> QuerySet[EpisodeOfCare]:
        """The episodes the report covers."""
        episodes = host.episodes()
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
    """The episodes whose main diagnosis is `source_code` (differentials do not count)."""
    return WorkingDiagnosis.objects.filter(
        source_code=source_code, is_main=True, withdrawn_at__isnull=True
    ).values("episode_id")


def _intervention_episodes(kind: str) -> QuerySet:
    return EpisodeInterventionKind.objects.filter(kind=kind).values("episode_id")


@dataclass(frozen=True)
class Group:
    key: str
    label: str


def groups_for(group_by: GroupBy, filters: ReportFilters) -> list[Group]:
    """The groups a table may show, in order, "All episodes" last. For physios: one query."""
    if group_by is GroupBy.DIAGNOSIS:
        groups = [Group(code, label) for code, label in rulesets.sources().items()]
    elif group_by is GroupBy.INTERVENTION:
        groups = [Group(code, label) for code, label in kinds.choices()]
    else:
        physios = (
            get_user_model()
            .objects.filter(pk__in=filters.episodes().values("physio_id"))
            .order_by("first_name", "last_name", "username")
        )
        groups = [Group(str(user.pk), user.get_full_name() or user.username) for user in physios]
    return [*groups, Group(ALL, "All episodes")]


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


def _median(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {column})"
    return f"MEDIAN({column})"


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


# --- The SQL ---------------------------------------------------------------------------


def _improvement_sql(code: str, *, baseline: str = "s.baseline", latest: str = "s.latest") -> str:
    """Latest against baseline, as measures.verdict judges it (constants from the
    measure registry, never user input)."""
    measure = measures.registry.get(code)
    threshold = float(measure.important_change) - EPSILON
    if measure.higher_is_better:
        return f"{latest} >= {baseline} + {threshold!r}"
    improved = f"{latest} <= {baseline} - {threshold!r}"
    if measure.important_change_percent is not None:
        share = 1 - float(measure.important_change_percent) / 100
        # change > 0 and change * 100 >= percent * baseline, with baseline > 0
        improved += (
            f" OR ({baseline} > 0 AND {latest} < {baseline} - {EPSILON!r}"
            f" AND {latest} <= {baseline} * {share!r} + {EPSILON!r})"
        )
    return f"({improved})"


def _membership_sql(group_by: GroupBy) -> str:
    """``(episode_id, key)``: the episodes of each group."""
    if group_by is GroupBy.DIAGNOSIS:
        return (
            f"SELECT episode_id, source_code AS key FROM {WorkingDiagnosis._meta.db_table} "
            "WHERE withdrawn_at IS NULL AND is_main"
        )
    if group_by is GroupBy.INTERVENTION:
        return f"SELECT episode_id, kind AS key FROM {EpisodeInterventionKind._meta.db_table}"
    return (
        f"SELECT id AS episode_id, physio_id AS key FROM {host.get_episode_model()._meta.db_table}"
    )


def _covered(filters: ReportFilters, column: str) -> tuple[str, list]:
    """`` AND column IN (the filtered episodes)``, or nothing without filters."""
    if not filters.is_filtered:
        return "", []
    # Without the model's ordering, which a subquery does not need (nor a sort).
    sql, params = filters.episodes().order_by().values("pk").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def _measures_sql(group_by: GroupBy, filters: ReportFilters) -> tuple[str, list]:
    covered, params = _covered(filters, "s.episode_id")
    codes = ", ".join(["%s"] * len(REPORT_MEASURES))
    improved = " OR ".join(
        f"(s.measure_code = '{code}' AND {_improvement_sql(code)})" for code in REPORT_MEASURES
    )
    columns = f"""
        COUNT(*), AVG(s.baseline), AVG(s.latest), AVG(s.latest - s.baseline),
        COUNT(*) FILTER (WHERE {improved})
    """
    summaries = EpisodeMeasureSummary._meta.db_table
    followed = f"s.scores_count > 1 AND s.measure_code IN ({codes}){covered}"
    sql = f"""
        SELECT m.key, s.measure_code, {columns}
        FROM ({_membership_sql(group_by)}) m JOIN {summaries} s ON s.episode_id = m.episode_id
        WHERE {followed}
        GROUP BY m.key, s.measure_code
        UNION ALL
        SELECT NULL, s.measure_code, {columns} FROM {summaries} s WHERE {followed}
        GROUP BY s.measure_code
    """
    return sql, [*REPORT_MEASURES, *params, *REPORT_MEASURES, *params]


def _episodes_sql(group_by: GroupBy, filters: ReportFilters) -> tuple[str, list]:
    covered, params = _covered(filters, "e.id")
    visit = host.get_visit_model()._meta.db_table
    columns = f"COUNT(*), COUNT(ep.visits), {_median('ep.visits')}"
    sql = f"""
        WITH ep AS MATERIALIZED (
            SELECT e.id AS episode_id, v.visits
            FROM {host.get_episode_model()._meta.db_table} e
            LEFT JOIN (SELECT episode_id, COUNT(*) AS visits FROM {visit} GROUP BY episode_id) v
                ON v.episode_id = e.id AND e.status = %s
            WHERE 1 = 1{covered}
        )
        SELECT m.key, {columns}
        FROM ({_membership_sql(group_by)}) m JOIN ep ON ep.episode_id = m.episode_id
        GROUP BY m.key
        UNION ALL
        SELECT NULL, {columns} FROM ep
    """
    return sql, [host.EPISODE_DISCHARGED, *params]


def _adverse_sql(group_by: GroupBy, filters: ReportFilters) -> tuple[str, list]:
    covered, params = _covered(filters, "v.episode_id")
    events = f"""
        SELECT v.episode_id, i.kind
        FROM {AdverseEvent._meta.db_table} ae
        JOIN {DeliveredIntervention._meta.db_table} i ON i.id = ae.intervention_id
        JOIN {host.get_visit_model()._meta.db_table} v ON v.id = i.visit_id
        WHERE i.removed_at IS NULL{covered}
    """
    if group_by is GroupBy.INTERVENTION:
        # Those after the kind: an event's intervention, not removed, makes its episode
        # one of the kind's.
        by_group = "SELECT kind, COUNT(*) FROM events GROUP BY kind"
    else:
        by_group = f"""
            SELECT m.key, COUNT(*)
            FROM ({_membership_sql(group_by)}) m JOIN events ON events.episode_id = m.episode_id
            GROUP BY m.key
        """
    sql = f"""
        WITH events AS MATERIALIZED ({events})
        {by_group}
        UNION ALL
        SELECT NULL, COUNT(*) FROM events
    """
    return sql, params


def _fetch(cursor, query: tuple[str, list]) -> list[tuple]:
    cursor.execute(*query)
    return cursor.fetchall()


def _key(value) -> str:
    return ALL if value is None else str(value)


def _numbers(group_by: GroupBy, filters: ReportFilters) -> dict[str, dict[str, Any]]:
    """Per group key: the episode, visit and adverse-event numbers and each measure's."""
    _register_sqlite_median()
    numbers: dict[str, dict[str, Any]] = {}

    def of(key) -> dict[str, Any]:
        return numbers.setdefault(_key(key), {"measures": {}})

    # No savepoint inside a transaction already open: SET LOCAL lasts until its end.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        for key, episodes, discharged, median in _fetch(cursor, _episodes_sql(group_by, filters)):
            of(key).update(episodes=episodes, discharged=discharged, median_visits=median)
        for key, count in _fetch(cursor, _adverse_sql(group_by, filters)):
            of(key)["adverse"] = count
        for key, code, n, baseline, latest, change, improved in _fetch(
            cursor, _measures_sql(group_by, filters)
        ):
            of(key)["measures"][code] = MeasureSummary(
                code=code, n=n, baseline=baseline, latest=latest, change=change, improved=improved
            )
    return numbers


def outcome_report(*, group_by: GroupBy, filters: ReportFilters) -> Report:
    """The report table: three queries (four by physio; on PostgreSQL one more, turning
    JIT off for the transaction)."""
    groups = groups_for(group_by, filters)
    numbers = _numbers(group_by, filters)
    rows = []
    for group in groups:
        found = numbers.get(group.key, {})
        count = found.get("episodes", 0)
        if not count and group.key != ALL:
            continue
        rows.append(
            ReportRow(
                key=group.key,
                label=group.label,
                episodes=count,
                discharged=found.get("discharged", 0),
                median_visits=found.get("median_visits"),
                adverse_events=found.get("adverse", 0),
                measures={
                    code: found.get("measures", {}).get(code)
                    or MeasureSummary(code, 0, None, None, None, 0)
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


MEASURE_COLUMNS = ("n", "mean baseline", "mean latest", "mean change", "important improvement %")


def report_header(report: Report) -> list[str]:
    header = [report.group_by.label, "Episodes"]
    for code in REPORT_MEASURES:
        header += [f"{code.upper()} {name}" for name in MEASURE_COLUMNS]
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


@dataclass(frozen=True)
class MeasureCells:
    """One measure's cells of a row, shown on the page as a group of columns under its name."""

    code: str
    title: str
    n: str
    baseline: str
    latest: str
    change: str
    improved: str


@dataclass(frozen=True)
class GroupedCells:
    label: str
    episodes: str
    measures: list[MeasureCells]
    trailing: list[str]


def report_cell_groups(cells: list[str]) -> GroupedCells:
    """The cells of report_header() or report_cells() (what the CSV has) grouped by measure."""
    width = len(MEASURE_COLUMNS)
    return GroupedCells(
        label=cells[0],
        episodes=cells[1],
        measures=[
            MeasureCells(
                code,
                measures.registry.get(code).title,
                *cells[2 + width * index : 2 + width * (index + 1)],
            )
            for index, code in enumerate(REPORT_MEASURES)
        ],
        trailing=cells[2 + width * len(REPORT_MEASURES) :],
    )


# --- The episodes behind a group -------------------------------------------------------


def _score(code: str, *, last: bool) -> Subquery:
    return Subquery(
        EpisodeMeasureSummary.objects.filter(episode_id=OuterRef("pk"), measure_code=code).values(
            "latest" if last else "baseline"
        )[:1],
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
        return rulesets.sources().get(key)
    if group_by is GroupBy.INTERVENTION:
        return dict(kinds.choices()).get(key)
    user = get_user_model().objects.filter(pk=int(key) if key.isdigit() else 0).first()
    return (user.get_full_name() or user.username) if user else None
