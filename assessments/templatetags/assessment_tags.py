from django import template

from assessments import measures
from assessments.body_chart import VIEWS, shape_value
from assessments.buttock_pain import MIDLINE_REGIONS, PAIN_REGIONS
from assessments.forms import LicensedText, licensed_text, measure_field_name
from assessments.reasoning import CLINIC_GUIDANCE, RuleSet, rulesets

register = template.Library()

# The filters below that take `ruleset` read the panel's (`panel.ruleset`): rule codes,
# items and interventions are a rule set's own.


@register.filter
def source_label(code: str) -> str:
    return rulesets.source_label(code)


@register.filter
def intervention_label(code: str, ruleset: RuleSet | None) -> str:
    return ruleset.interventions.get(code, code) if ruleset else code


@register.filter
def rule_origin(code: str, ruleset: RuleSet | None) -> str:
    return ruleset.rule_origins.get(code, "") if ruleset else ""


@register.filter
def is_cited(code: str, ruleset: RuleSet | None) -> bool:
    """An addition to the clinic's guidance with a published source (A rules)."""
    return rule_origin(code, ruleset) not in ("", CLINIC_GUIDANCE)


@register.filter
def item_label(code: str, ruleset: RuleSet | None) -> str:
    index = ruleset.template.index if ruleset else {}
    return index[code].label if code in index else code


@register.inclusion_tag("assessments/measure_scale.html")
def measure_scale(form, item_code: str) -> dict:
    """A measure answered on a scale (ODI, LEFS): a radio group per question, with our
    own words for each answer, or the clinic's licensed question and answer text."""
    item = form.template.item(item_code)
    measure = measures.registry.get(item.measure)
    texts = licensed_text()
    shared = texts.get(measure.code, LicensedText()).answers
    rows = []
    for measure_item in measure.scored_items:
        field = form[measure_field_name(item.code, measure_item.code)]
        text = texts.get(measure_item.code, LicensedText())
        words = text.answers or shared
        options = []
        for radio in field:
            value = radio.data["value"]
            if value == "":
                options.append({"radio": radio, "number": "–", "words": "Not answered"})
                continue
            number = int(value) - measure_item.min_value
            options.append(
                {"radio": radio, "number": value, "words": (words or measure.scale)[number]}
            )
        rows.append(
            {"field": field, "question": text.question, "options": options, "licensed": bool(words)}
        )
    return {"item": item, "measure": measure, "rows": rows, "licensed": bool(shared)}


@register.inclusion_tag("assessments/body_chart.html")
def body_chart(field) -> dict:
    """The front and back views over the checkbox list they tick, kept in step by
    assessment_form.js; the list (one row per region, a column per side) is the control
    for keyboard and screen-reader users."""
    boxes = {str(box.data["value"]): box for box in field}
    views = [
        {
            "view": view,
            "shapes": [
                {"shape": shape, "value": value, "title": boxes[value].choice_label}
                for shape in view.shapes
                if (value := shape_value(shape, boxes)) is not None
            ],
        }
        for view in VIEWS
    ]
    by_side = any(value.endswith(("_left", "_right")) for value in boxes)
    rows = []
    for region in PAIN_REGIONS:
        cells = {key: boxes.get(value) for key, value in _cells(region.code, by_side).items()}
        if any(cells.values()):
            rows.append({"label": region.label, "cells": cells})
    return {"field": field, "views": views, "rows": rows, "by_side": by_side}


def _cells(region: str, by_side: bool) -> dict[str, str]:
    if not by_side or region in MIDLINE_REGIONS:
        return {"any": region}
    return {"left": f"{region}_left", "right": f"{region}_right"}


@register.filter
def side_x(view, side: str) -> int:
    return view.side_x(side)


@register.simple_tag
def red_flag_blocks(ruleset: RuleSet | None = None) -> str:
    """The interventions an uncleared red flag blocks, in words ("Spinal mobilization, ..."):
    those of the panel's rule set, or of any (on the record, beside an alert)."""
    return (ruleset or rulesets).red_flag_blocks_in_words()


@register.inclusion_tag("assessments/diagnosis_choices.html")
def diagnosis_choices(sources, checked, main: str = "", suggested=()) -> dict:
    """Each pain source (`sources`: code to label, or a field's choices) with "confirm" (a
    checkbox) and "main diagnosis" (one radio among them): the clinician marks the main
    one; the other ticked sources are differentials."""
    labels = dict(sources)
    checked = set(checked or ())
    # The suggested sources first, most likely first, as the panel ranks them; then the rest.
    rank = {code: place for place, code in enumerate(suggested or ())}
    codes = sorted(labels, key=lambda code: rank.get(code, len(rank)))
    return {
        "rows": [
            {
                "code": code,
                "label": labels[code],
                "checked": code in checked,
                "main": code == main,
                "suggested": code in rank,
            }
            for code in codes
        ]
    }


@register.simple_tag
def main_source(diagnoses) -> str:
    """The code of the main diagnosis among an episode's current ones ("" when none)."""
    return next((row.source_code for row in diagnoses if row.is_main), "")


@register.filter
def source_codes(rows) -> list[str]:
    """The codes of working-diagnosis rows, or of the suggestions of a reasoning result."""
    return [getattr(row, "source_code", None) or row.code for row in rows or ()]
