"""FHIR R4 export of assessment templates and answers.

Pure functions: templates and answers in, plain dicts out (ready
for ``json.dumps``); no ORM, no request, and no import of ``fhir.resources`` (a test
dependency only: the tests validate the output against its R4B models).

The mapping is section 6 of the clinical spec (``buttock-pain.md``):

- a template is a ``Questionnaire``: one group per section, one item per template item,
  a measure item a group of the measure's items;
- an assessment is a ``QuestionnaireResponse`` with the answered items only
  (a measure score is an Observation: ``assessments.fhir.observations``).

Codes: only the spec's VERIFIED codes are used. LOINC 72514-3 (NPRS) and 97908-8 (ODI
panel) on the Questionnaire; LEFS, PSFS and GRC have no verified code and carry text
only. Everything else is coded in the clinic's own code systems,
``{base_url}/CodeSystem/{template}-{item}``, whose codes are exactly the spec's value
codes, so that answers round-trip. Yes/no items are ``choice``
items with the spec's ``yes``/``no`` codes rather than ``boolean``: the reasoning API
takes ``"yes"``/``"no"``, red flags and a few choice items (centralization) add
``not_asked``/``not_tested`` to the same two codes, and one answer shape for all of them
keeps the export and the import symmetrical.

Link ids: a section's and an item's link id is its code; an item inside a measure is
``{measure item code}.{measure's item code}`` (``odi.odi_1``, ``nprs.nprs``), because
NPRS and GRC name their single item like the measure itself and FHIR wants link ids
unique within a Questionnaire.

ODI and LEFS: only the measure registry's labels are exported (ODI section titles,
"Item N" for LEFS), never their copyrighted question text.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from assessments import definitions, measures
from assessments.schema import LIST_TYPES, Item, ItemType, Section, Template

from .base import DEFAULT_BASE_URL, LOINC, as_date_time, check_id, reference
from .observations import NPRS_CODING

__all__ = [
    "item_code_system",
    "measure_item_link_id",
    "questionnaire",
    "questionnaire_canonical",
    "questionnaire_id",
    "questionnaire_response",
    "questionnaire_url",
]

MIN_VALUE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_CONTROL_EXTENSION = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"

# Section 6 of the spec, VERIFIED codes only (NPRS's is the Observation's too).
_ODI_PANEL_CODING = {
    "system": LOINC,
    "code": "97908-8",
    "display": "Oswestry Disability Index panel",
}

# Questionnaire.item.code, by measure: on the group for a panel, on the question for a
# single rating.
_MEASURE_GROUP_CODES: dict[str, dict[str, str]] = {"odi": _ODI_PANEL_CODING}
_MEASURE_ITEM_CODES: dict[tuple[str, str], dict[str, str]] = {("nprs", "nprs"): NPRS_CODING}

_QUESTIONNAIRE_TYPES = {
    ItemType.CHOICE: "choice",
    ItemType.MULTI_CHOICE: "choice",
    ItemType.BODY_CHART: "choice",
    ItemType.YES_NO: "choice",
    ItemType.TEST: "choice",
    ItemType.RED_FLAG: "choice",
    ItemType.INTEGER: "integer",
    ItemType.DATE: "date",
    ItemType.TEXT: "text",
    ItemType.MEASURE: "group",
}


# Names and addresses.


def questionnaire_id(template: Template) -> str:
    """The resource id, ``buttock-pain-v1``: FHIR ids allow no underscore, so the
    template code's underscores become hyphens."""
    return f"{template.code.replace('_', '-')}-v{template.version}"


def questionnaire_url(template: Template, base_url: str = DEFAULT_BASE_URL) -> str:
    return f"{base_url}/Questionnaire/{template.code}"


def questionnaire_canonical(template: Template, base_url: str = DEFAULT_BASE_URL) -> str:
    """The versioned canonical a QuestionnaireResponse points at."""
    return f"{questionnaire_url(template, base_url)}|{template.version}"


def item_code_system(template: Template, item: Item, base_url: str = DEFAULT_BASE_URL) -> str:
    """The code system of one item's values; its codes are the spec's value codes."""
    return f"{base_url}/CodeSystem/{template.code}-{item.code}"


def measure_item_link_id(item: Item, measure_item: measures.MeasureItem) -> str:
    return f"{item.code}.{measure_item.code}"


def _camel_case(code: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in code.split("_"))


def _measure_for(item: Item) -> measures.Measure:
    return measures.registry.get(item.measure or item.code)


# Questionnaire.


def _range_extensions(minimum: int | None, maximum: int | None) -> list[dict[str, Any]]:
    extensions = []
    if minimum is not None:
        extensions.append({"url": MIN_VALUE_EXTENSION, "valueInteger": minimum})
    if maximum is not None:
        extensions.append({"url": MAX_VALUE_EXTENSION, "valueInteger": maximum})
    return extensions


def _help_item(code: str, help_text: str) -> dict[str, Any]:
    """Help text as a nested display item that renderers show as help (itemControl)."""
    return {
        "extension": [
            {
                "url": ITEM_CONTROL_EXTENSION,
                "valueCodeableConcept": {
                    "coding": [
                        {"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help-Button"}
                    ]
                },
            }
        ],
        "linkId": f"{code}-help",
        "text": help_text,
        "type": "display",
    }


def _measure_questionnaire_item(item: Item) -> dict[str, Any]:
    measure = _measure_for(item)
    # Every scored item is required within the group when the measure needs them all
    # (NPRS, LEFS, GRC); ODI (8 of 10) and PSFS (1 of 5) cannot say so item by item.
    all_needed = measure.min_answered is None
    children: list[dict[str, Any]] = []
    for measure_item in measure.items:
        child: dict[str, Any] = {}
        if measure_item.kind is measures.MeasureItemKind.INTEGER:
            extensions = _range_extensions(measure_item.min_value, measure_item.max_value)
            if extensions:
                child["extension"] = extensions
        child["linkId"] = measure_item_link_id(item, measure_item)
        coding = _MEASURE_ITEM_CODES.get((measure.code, measure_item.code))
        if coding:
            child["code"] = [dict(coding)]
        child["text"] = measure_item.label
        if measure_item.kind is measures.MeasureItemKind.INTEGER:
            child["type"] = "integer"
            if all_needed:
                child["required"] = True
        else:
            child["type"] = "text"
        children.append(child)
    group: dict[str, Any] = {"linkId": item.code}
    coding = _MEASURE_GROUP_CODES.get(measure.code)
    if coding:
        group["code"] = [dict(coding)]
    group["text"] = measure.title
    group["type"] = "group"
    if item.required:
        group["required"] = True
    if item.help_text:
        children.insert(0, _help_item(item.code, item.help_text))
    group["item"] = children
    return group


def _questionnaire_item(template: Template, item: Item, base_url: str) -> dict[str, Any]:
    if item.type is ItemType.MEASURE:
        return _measure_questionnaire_item(item)
    result: dict[str, Any] = {}
    if item.type is ItemType.INTEGER:
        extensions = _range_extensions(item.min_value, item.max_value)
        if extensions:
            result["extension"] = extensions
    result["linkId"] = item.code
    result["text"] = item.label
    result["type"] = _QUESTIONNAIRE_TYPES[item.type]
    if item.required:
        result["required"] = True
    if item.type in LIST_TYPES:
        result["repeats"] = True
    if item.options:
        system = item_code_system(template, item, base_url)
        result["answerOption"] = [
            {"valueCoding": {"system": system, "code": choice.code, "display": choice.label}}
            for choice in item.options
        ]
    if item.help_text:
        result["item"] = [_help_item(item.code, item.help_text)]
    return result


def questionnaire(template: Template, *, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    """The template as a FHIR R4 Questionnaire."""
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(template),
        "url": questionnaire_url(template, base_url),
        "version": str(template.version),
        "name": _camel_case(template.code),
        "title": template.title,
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            {
                "linkId": section.code,
                "text": section.title,
                "type": "group",
                "item": [_questionnaire_item(template, item, base_url) for item in section.items],
            }
            for section in template.sections
        ],
    }


# QuestionnaireResponse.


def _coding_answers(
    template: Template, item: Item, codes: Iterable[str], base_url: str
) -> list[dict[str, Any]]:
    system = item_code_system(template, item, base_url)
    labels = {choice.code: choice.label for choice in item.options}
    return [
        {"valueCoding": {"system": system, "code": code, "display": labels[code]}} for code in codes
    ]


def _measure_response_item(item: Item, value: Mapping[str, object]) -> dict[str, Any] | None:
    measure = _measure_for(item)
    children = []
    for measure_item in measure.items:
        answer = value.get(measure_item.code)
        if answer is None:
            continue
        if measure_item.kind is measures.MeasureItemKind.INTEGER:
            answer_value: dict[str, Any] = {"valueInteger": answer}
        elif isinstance(answer, str) and answer.strip():
            answer_value = {"valueString": answer}
        else:
            continue  # FHIR strings cannot be empty: a blank activity name is unanswered
        children.append(
            {
                "linkId": measure_item_link_id(item, measure_item),
                "text": measure_item.label,
                "answer": [answer_value],
            }
        )
    if not children:
        return None
    return {"linkId": item.code, "text": measure.title, "item": children}


def _response_item(
    template: Template, item: Item, value: object, base_url: str
) -> dict[str, Any] | None:
    if item.type is ItemType.MEASURE:
        assert isinstance(value, Mapping)
        return _measure_response_item(item, value)
    answers: list[dict[str, Any]]
    if item.type in LIST_TYPES:
        assert isinstance(value, list)
        answers = _coding_answers(template, item, value, base_url)
    elif item.options:
        assert isinstance(value, str)
        answers = _coding_answers(template, item, [value], base_url)
    elif item.type is ItemType.INTEGER:
        answers = [{"valueInteger": value}]
    elif item.type is ItemType.DATE:
        answers = [{"valueDate": value}]
    else:
        assert isinstance(value, str)
        answers = [{"valueString": value}] if value.strip() else []
    if not answers:
        return None
    return {"linkId": item.code, "text": item.label, "answer": answers}


def _response_section(
    template: Template, section: Section, answers: Mapping[str, object], base_url: str
) -> dict[str, Any] | None:
    items = []
    for item in section.items:
        if item.code not in answers:
            continue
        response_item = _response_item(template, item, answers[item.code], base_url)
        if response_item is not None:
            items.append(response_item)
    if not items:
        return None
    return {"linkId": section.code, "text": section.title, "item": items}


def questionnaire_response(
    template: Template,
    answers: Mapping[str, object],
    *,
    response_id: str,
    patient_reference: str,
    encounter_reference: str | None = None,
    author_reference: str | None = None,
    authored: datetime,
    status: Literal["completed", "in-progress"] = "completed",
    base_url: str = DEFAULT_BASE_URL,
) -> dict[str, Any]:
    """An assessment as a FHIR R4 QuestionnaireResponse, answered items only.

    ``answers`` is the mapping ``definitions.validate_answers`` returns; it is passed
    through ``validate_answers`` again (which leaves normalised answers unchanged), so
    raw answers work too and an invalid one is an ``AnswerError`` naming the item.
    References are strings such as ``"Patient/123"``; ``authored`` must be aware.
    """
    if status not in ("completed", "in-progress"):
        raise ValueError(f"status must be 'completed' or 'in-progress', got {status!r}")
    normalised = definitions.validate_answers(template, answers)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": check_id(response_id, "response_id"),
        "questionnaire": questionnaire_canonical(template, base_url),
        "status": status,
        "subject": reference(patient_reference, "patient_reference"),
    }
    if encounter_reference is not None:
        resource["encounter"] = reference(encounter_reference, "encounter_reference")
    resource["authored"] = as_date_time(authored, "authored")
    if author_reference is not None:
        resource["author"] = reference(author_reference, "author_reference")
    items = [
        section_item
        for section in template.sections
        if (section_item := _response_section(template, section, normalised, base_url))
    ]
    if items:
        resource["item"] = items
    return resource
