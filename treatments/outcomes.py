"""Baseline → latest per measure for an episode, with the verdict against the measure's
important change (measures.verdict)."""

from dataclasses import dataclass

from assessments import measures
from assessments.models import Measurement
from clinic.models import EpisodeOfCare


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


def episode_outcomes(episode: EpisodeOfCare) -> list[MeasureOutcome]:
    """One query: the episode's scores in time order, grouped per measure."""
    by_code: dict[str, list[Measurement]] = {}
    for row in Measurement.objects.filter(episode=episode).order_by("scored_at", "id"):
        by_code.setdefault(row.measure_code, []).append(row)
    outcomes = []
    for measure in measures.registry:
        points = by_code.get(measure.code)
        if not points:
            continue
        latest = points[-1].value
        if measure.is_change_rating:
            baseline = change = percent = None
        else:
            baseline = points[0].value
            change = latest - baseline
            percent = (change / baseline * 100) if baseline else None
        outcomes.append(
            MeasureOutcome(
                code=measure.code,
                title=measure.title,
                unit=measure.unit,
                baseline=baseline,
                latest=latest,
                change=change,
                percent_change=percent,
                verdict=measures.verdict(measure.code, baseline, latest)
                if (measure.is_change_rating or len(points) > 1)
                else "baseline only",
                points=points,
            )
        )
    return outcomes
