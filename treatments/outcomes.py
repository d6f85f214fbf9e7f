"""The patient's progress: each measure across an episode's visits, baseline → latest,
the verdict against the measure's important change (``measures.verdict``), and the
treatment plan's goals against the latest scores.

Reads only, each in a fixed number of queries whatever the number of visits:
``episode_outcomes`` one, ``patient_progress`` three, ``visit_progress`` two.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from assessments import measures
from assessments.host import EpisodeOfCare, Patient, Visit
from assessments.models import Measurement

from .models import Goal

BASELINE_ONLY = "baseline only"


@dataclass(frozen=True)
class MeasureOutcome:
    code: str
    title: str
    unit: str
    baseline: float | None
    latest: float
    change: float | None
    percent_change: float | None
    verdict: str
    points: list[Measurement]
    higher_is_better: bool = False
    min_value: float = 0
    max_value: float = 10
    is_change_rating: bool = False
    # Goal targets on this measure, drawn on the chart.
    targets: tuple[float, ...] = ()

    @property
    def direction(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"


@dataclass(frozen=True)
class GoalStatus:
    goal: Goal
    latest: float | None
    met: bool | None  # None: the goal has no measurable target, or no score yet

    @property
    def label(self) -> str:
        if self.met is None:
            return "no score yet" if self.goal.measure_code else "not measured"
        return "met" if self.met else "not yet"


@dataclass(frozen=True)
class EpisodeProgress:
    episode: EpisodeOfCare
    outcomes: list[MeasureOutcome]
    goals: list[GoalStatus] = field(default_factory=list)
    visit_count: int = 0


def _outcomes(rows: Iterable[Measurement], goals: Iterable[Goal] = ()) -> list[MeasureOutcome]:
    """Group time-ordered rows by measure, in the registry's order."""
    by_code: dict[str, list[Measurement]] = {}
    for row in rows:
        by_code.setdefault(row.measure_code, []).append(row)
    targets: dict[str, list[float]] = {}
    for goal in goals:
        if goal.measure_code and goal.target_value is not None:
            targets.setdefault(goal.measure_code, []).append(goal.target_value)
    outcomes = []
    for measure in measures.registry:
        points = by_code.get(measure.code)
        if not points:
            continue
        latest = points[-1].value
        if measure.is_change_rating:
            # GRC rates the change itself: judged on its own, never against a baseline.
            baseline = change = percent = None
            verdict = measures.verdict(measure.code, None, latest)
        else:
            baseline = points[0].value
            change = latest - baseline
            percent = (change / baseline * 100) if baseline else None
            verdict = (
                measures.verdict(measure.code, baseline, latest)
                if len(points) > 1
                else BASELINE_ONLY
            )
        outcomes.append(
            MeasureOutcome(
                code=measure.code,
                title=measure.title,
                unit=measure.unit,
                baseline=baseline,
                latest=latest,
                change=change,
                percent_change=percent,
                verdict=verdict,
                points=points,
                higher_is_better=measure.higher_is_better,
                min_value=measure.min_value,
                max_value=measure.max_value,
                is_change_rating=measure.is_change_rating,
                targets=tuple(targets.get(measure.code, ())),
            )
        )
    return outcomes


def _goal_statuses(goals: Iterable[Goal], outcomes: list[MeasureOutcome]) -> list[GoalStatus]:
    latest = {outcome.code: outcome.latest for outcome in outcomes}
    statuses = []
    for goal in goals:
        value = latest.get(goal.measure_code) if goal.measure_code else None
        statuses.append(GoalStatus(goal=goal, latest=value, met=goal.met_by(value)))
    return statuses


def _measurements():
    return Measurement.objects.only(
        "id", "episode_id", "visit_id", "measure_code", "value", "unit", "scored_at"
    ).order_by("scored_at", "id")


def episode_outcomes(episode: EpisodeOfCare) -> list[MeasureOutcome]:
    """One query: the episode's scores in time order, grouped per measure."""
    return _outcomes(_measurements().filter(episode=episode))


def patient_progress(patient: Patient) -> list[EpisodeProgress]:
    """Every episode of the patient with its measures and goals: three queries."""
    episodes = list(patient.episodes.all())
    rows: dict[int, list[Measurement]] = {}
    for row in _measurements().filter(patient=patient):
        rows.setdefault(row.episode_id, []).append(row)
    goals: dict[int, list[Goal]] = {}
    for goal in Goal.objects.filter(plan__episode__patient=patient).select_related("plan"):
        goals.setdefault(goal.plan.episode_id, []).append(goal)
    progress = []
    for episode in episodes:
        episode_goals = goals.get(episode.pk, [])
        outcomes = _outcomes(rows.get(episode.pk, []), episode_goals)
        progress.append(
            EpisodeProgress(
                episode=episode,
                outcomes=outcomes,
                goals=_goal_statuses(episode_goals, outcomes),
                visit_count=len({row.visit_id for row in rows.get(episode.pk, [])}),
            )
        )
    return progress


def visit_progress(visit: Visit) -> EpisodeProgress:
    """The episode's progress as it stood at this visit (scores up to and including it):
    two queries."""
    rows = list(_measurements().filter(episode_id=visit.episode_id, scored_at__lte=visit.starts_at))
    goals = list(Goal.objects.filter(plan__episode_id=visit.episode_id))
    outcomes = _outcomes(rows, goals)
    return EpisodeProgress(
        episode=visit.episode,
        outcomes=outcomes,
        goals=_goal_statuses(goals, outcomes),
        visit_count=len({row.visit_id for row in rows}),
    )
