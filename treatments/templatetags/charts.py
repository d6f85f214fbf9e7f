"""Server-rendered SVG charts: no JavaScript, work offline and print.

Each chart has a <title> and <desc> and is drawn next to a table holding the same
numbers (the accessible equivalent), so the SVG itself is hidden from nothing and
needed by no one.
"""

from dataclasses import dataclass
from itertools import count

from django import template

register = template.Library()

_chart_ids = count(1)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _y(
    value: float, minimum: float, maximum: float, height: int, pad_top=10, pad_bottom=22
) -> float:
    inner_h = height - pad_top - pad_bottom
    return round(pad_top + inner_h * (1 - (value - minimum) / ((maximum - minimum) or 1)), 1)


def line_geometry(
    values: list[float],
    labels: list[str],
    *,
    minimum: float,
    maximum: float,
    width: int,
    height: int,
    pad_left: int = 34,
    pad_right: int = 12,
    pad_top: int = 10,
    pad_bottom: int = 22,
) -> tuple[list[Point], list[Tick]]:
    """Points spaced evenly by visit, on the measure's whole range (so a change looks as
    large as it is, not stretched to fill the box)."""
    span = (maximum - minimum) or 1
    inner_w = width - pad_left - pad_right
    step = inner_w / (len(values) - 1) if len(values) > 1 else 0

    def y_of(value: float) -> float:
        return _y(value, minimum, maximum, height, pad_top, pad_bottom)

    x0 = pad_left + (0 if len(values) > 1 else inner_w / 2)
    points = [
        Point(round(x0 + step * index, 1), y_of(value), value, label)
        for index, (value, label) in enumerate(zip(values, labels, strict=True))
    ]
    ticks = [Tick(y_of(v), _fmt(v)) for v in (minimum, minimum + span / 2, maximum)]
    return points, ticks


@register.inclusion_tag("treatments/outcomes/line_chart.html")
def progress_chart(outcome, width: int = 360, height: int = 150) -> dict:
    values = [row.value for row in outcome.points]
    labels = [f"{row.scored_at:%d %b}" for row in outcome.points]
    points, ticks = line_geometry(
        values,
        labels,
        minimum=outcome.min_value,
        maximum=outcome.max_value,
        width=width,
        height=height,
    )
    targets = [
        {"y": _y(target, outcome.min_value, outcome.max_value, height), "label": _fmt(target)}
        for target in outcome.targets
    ]
    described = ", ".join(f"{p.label}: {_fmt(p.value)}" for p in points)
    return {
        "chart_id": f"chart-{next(_chart_ids)}",
        "outcome": outcome,
        "width": width,
        "height": height,
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
        "ticks": ticks,
        "targets": targets,
        "left": 34,
        "right": width - 12,
        "baseline_y": height - 22,
        "description": f"{outcome.title} ({outcome.unit}, {outcome.direction}) by visit: {described}.",
    }


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    width: float
    y: float
    text: str


@register.inclusion_tag("treatments/outcomes/bar_chart.html")
def share_bars(title: str, items: list[tuple[str, float | None]], width: int = 420) -> dict:
    """Horizontal bars of percentages (0-100), one per group; a group with no value gets
    an empty bar and "no data"."""
    label_w, bar_h, gap = 170, 16, 6
    inner = width - label_w - 50
    bars = []
    for index, (label, value) in enumerate(items):
        bars.append(
            Bar(
                label=label if len(label) <= 26 else label[:25] + "…",
                value=value,
                width=round(inner * max(0.0, min(value, 100.0)) / 100, 1) if value else 0,
                y=index * (bar_h + gap),
                text="no data" if value is None else f"{value:.0f} %",
            )
        )
    described = "; ".join(
        f"{label}: {bar.text}" for (label, _), bar in zip(items, bars, strict=True)
    )
    return {
        "chart_id": f"bars-{next(_chart_ids)}",
        "title": title,
        "bars": bars,
        "width": width,
        "height": max(len(bars), 1) * (bar_h + gap),
        "label_w": label_w,
        "inner": inner,
        "value_x": label_w + inner + 6,
        "bar_h": bar_h,
        "description": described,
    }
