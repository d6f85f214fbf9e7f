"""Answers as a physio reads them: each section's items with their answers in words."""

from collections.abc import Mapping
from dataclasses import dataclass

from . import measures
from .definitions import Item, ItemType, Template


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    value: str
    flagged: bool = False


@dataclass(frozen=True)
class SectionRows:
    code: str
    title: str
    rows: list[Row]


def _words(item: Item, value: object) -> str:
    labels = {choice.code: choice.label for choice in item.options}
    if isinstance(value, list):
        return ", ".join(labels.get(code, code) for code in value)
    if item.type == ItemType.MEASURE and isinstance(value, Mapping):
        return _measure_words(item.measure or item.code, value)
    return labels.get(value, str(value)) if isinstance(value, str) else str(value)


def _measure_words(code: str, answers: Mapping[str, object]) -> str:
    try:
        score = measures.score(code, answers)
    except ValueError as error:
        return f"not scored ({error})"
    text = f"{score.value:g} {score.unit}"
    if code == "odi":
        text += f" ({measures.odi_band(score.value)})"
    if score.missing_items:
        text += f", {score.missing_items} item(s) not answered"
    return text


def answer_sections(template: Template, answers: Mapping[str, object]) -> list[SectionRows]:
    """Only the answered items, in template order; sections with none are left out."""
    sections = []
    for section in template.sections:
        rows = [
            Row(
                code=item.code,
                label=item.label,
                value=_words(item, answers[item.code]),
                flagged=item.type == ItemType.RED_FLAG and answers[item.code] == "yes",
            )
            for item in section.items
            if item.code in answers
        ]
        if rows:
            sections.append(SectionRows(section.code, section.title, rows))
    return sections
