"""FHIR R4 export: validated against fhir.resources' R4B models (no database).

fhir.resources checks types, cardinalities and patterns but not FHIR invariants, so the
invariants that matter here (unique link ids, groups with items, display items without
children, answers that match the questionnaire) are checked by hand below.
"""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from assessments import fhir, measures
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.definitions import AnswerError, validate_answers
from assessments.schema import Choice, Item, ItemType, Section, Template

AUTHORED = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
LOINC = "http://loinc.org"
VERIFIED_LOINC = {"72514-3", "97908-8", "97909-6"}

SMALL = Template(
    code="knee_check",
    version=3,
    title="Knee check",
    sections=(
        Section(
            "history",
            "History",
            (
                Item(
                    "knee_side",
                    "Side",
                    ItemType.CHOICE,
                    (Choice("left", "Left"), Choice("right", "Right")),
                ),
                Item("swelling", "Swelling", ItemType.YES_NO, help_text="Visible or palpable."),
                Item(
                    "stairs_count", "Stairs managed", ItemType.INTEGER, min_value=0, required=True
                ),
                Item("injured_on", "Date of injury", ItemType.DATE),
                Item(
                    "sites",
                    "Painful sites",
                    ItemType.BODY_CHART,
                    (Choice("medial", "Medial"), Choice("lateral", "Lateral")),
                ),
            ),
        ),
        Section(
            "exam",
            "Examination",
            (
                Item("test_lachman", "Lachman test", ItemType.TEST),
                Item("rf_hot_joint", "Hot swollen joint", ItemType.RED_FLAG),
                Item("notes", "Notes", ItemType.TEXT),
                Item("grc", "Change", ItemType.MEASURE, measure="grc"),
            ),
        ),
    ),
)


# Worked example 1 of the spec (section 7): a 34-year-old runner with constant right
# ischial tuberosity pain, cannot sit 20 minutes, worse lunging; no low back pain;
# ischial tuberosity tender; Puranen-Orava and modified bent-knee stretch positive;
# slump negative; no red flag.
EXAMPLE_1 = {
    "onset_type": "gradual",
    "mechanism": "running",
    "pain_side": "right",
    "pain_regions": ["ischial_tuberosity"],
    "pain_quality": "precise_localized",
    "pain_constancy": "constant",
    "aggravating": ["sitting", "lunging_squatting"],
    "sitting_tolerance_minutes": 15,
    "low_back_pain": "no",
    "groin_pain": "no",
    "leg_pain": "none",
    "tender_ischial_tuberosity": "yes",
    "test_puranen_orava": "positive",
    "test_modified_bent_knee_stretch": "positive",
    "test_slump": "negative",
    **{item.code: "no" for item in BUTTOCK_PAIN_V1.items() if item.type is ItemType.RED_FLAG},
}
NPRS = {"nprs": 6}
ODI_MISSING_SEX_LIFE = {
    "odi_1": 2,
    "odi_2": 0,
    "odi_3": 2,
    "odi_4": 1,
    "odi_5": 4,
    "odi_6": 2,
    "odi_7": 2,
    "odi_9": 2,
    "odi_10": 1,
}  # 16/45 -> 35.6 %


def walk(items: list[dict]) -> Iterator[dict]:
    for item in items:
        yield item
        yield from walk(item.get("item", []))
        for answer in item.get("answer", []):
            yield from walk(answer.get("item", []))


def link_ids(resource: dict) -> list[str]:
    return [item["linkId"] for item in walk(resource.get("item", []))]


def questionnaire_items(resource: dict) -> dict[str, dict]:
    return {item["linkId"]: item for item in walk(resource["item"])}


def check_questionnaire_invariants(data: dict) -> None:
    ids = link_ids(data)
    assert len(ids) == len(set(ids)), "que-2: link ids must be unique"
    for item in walk(data["item"]):
        if item["type"] == "group":
            assert item.get("item"), f"{item['linkId']}: a group needs items (que-1)"
        if item["type"] == "display":
            assert "item" not in item and "required" not in item, item["linkId"]
        assert ("answerOption" in item) == (item["type"] == "choice"), item["linkId"]


def example_1_response(**overrides) -> dict:
    answers = validate_answers(
        BUTTOCK_PAIN_V1, {**EXAMPLE_1, "nprs": NPRS, "odi": ODI_MISSING_SEX_LIFE}
    )
    kwargs = {
        "response_id": "resp-1",
        "patient_reference": "Patient/42",
        "encounter_reference": "Encounter/7",
        "author_reference": "Practitioner/3",
        "authored": AUTHORED,
        **overrides,
    }
    return fhir.questionnaire_response(BUTTOCK_PAIN_V1, answers, **kwargs)


def observation(code: str, answers: dict, **kwargs) -> dict:
    kwargs.setdefault("observation_id", f"obs-{code}")
    kwargs.setdefault("patient_reference", "Patient/42")
    kwargs.setdefault("effective", AUTHORED)
    return fhir.measure_observation(measures.score(code, answers), **kwargs)


# Questionnaire.


@pytest.fixture(scope="module")
def buttock_questionnaire() -> dict:
    return fhir.questionnaire(BUTTOCK_PAIN_V1)


def test_buttock_pain_questionnaire_validates_and_serializes(buttock_questionnaire):
    model = Questionnaire.model_validate(buttock_questionnaire)
    assert model.status == "active"
    assert json.loads(json.dumps(buttock_questionnaire)) == buttock_questionnaire
    check_questionnaire_invariants(buttock_questionnaire)


def test_questionnaire_header(buttock_questionnaire):
    q = buttock_questionnaire
    assert q["resourceType"] == "Questionnaire"
    # FHIR ids allow no underscore.
    assert q["id"] == "buttock-pain-v1"
    assert q["url"] == "urn:clinic-records/Questionnaire/buttock_pain"
    assert q["version"] == "1"
    assert q["name"] == "ButtockPain"
    assert q["title"] == "Buttock pain"
    assert q["subjectType"] == ["Patient"]


def test_base_url_is_used_for_url_and_code_systems():
    q = fhir.questionnaire(BUTTOCK_PAIN_V1, base_url="https://clinic.example")
    assert q["url"] == "https://clinic.example/Questionnaire/buttock_pain"
    side = questionnaire_items(q)["pain_side"]
    systems = {option["valueCoding"]["system"] for option in side["answerOption"]}
    assert systems == {"https://clinic.example/CodeSystem/buttock_pain-pain_side"}


def test_one_group_per_section_in_order(buttock_questionnaire):
    groups = buttock_questionnaire["item"]
    assert [(g["linkId"], g["text"], g["type"]) for g in groups] == [
        (s.code, s.title, "group") for s in BUTTOCK_PAIN_V1.sections
    ]
    for group, section in zip(groups, BUTTOCK_PAIN_V1.sections, strict=True):
        assert [i["linkId"] for i in group["item"]] == [i.code for i in section.items]


def test_every_template_item_code_is_a_link_id_exactly_once(buttock_questionnaire):
    ids = link_ids(buttock_questionnaire)
    for item in BUTTOCK_PAIN_V1.items():
        assert ids.count(item.code) == 1, item.code


def test_items_text_type_and_required(buttock_questionnaire):
    items = questionnaire_items(buttock_questionnaire)
    for template_item in BUTTOCK_PAIN_V1.items():
        item = items[template_item.code]
        if template_item.type is not ItemType.MEASURE:
            assert item["text"] == template_item.label
        assert item.get("required", False) == template_item.required, template_item.code
        assert item.get("repeats", False) == (
            template_item.type in (ItemType.MULTI_CHOICE, ItemType.BODY_CHART)
        )
    assert items["onset_date"]["type"] == "date"
    assert items["history_notes"]["type"] == "text"
    assert items["pain_regions"]["type"] == "choice"
    assert items["nprs"]["type"] == "group"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("onset_type", ["sudden", "gradual"]),
        ("low_back_pain", ["yes", "no"]),
        ("test_fair", ["positive", "negative", "not_tested"]),
        ("rf_trauma", ["yes", "no", "not_asked"]),
        ("repeated_movements_centralization", ["yes", "no", "not_tested"]),
    ],
)
def test_choice_items_carry_the_spec_codes(buttock_questionnaire, code, expected):
    item = questionnaire_items(buttock_questionnaire)[code]
    assert item["type"] == "choice"
    codings = [option["valueCoding"] for option in item["answerOption"]]
    assert [c["code"] for c in codings] == expected
    assert {c["system"] for c in codings} == {f"urn:clinic-records/CodeSystem/buttock_pain-{code}"}
    labels = {c.code: c.label for c in BUTTOCK_PAIN_V1.item(code).options}
    assert all(c["display"] == labels[c["code"]] for c in codings)


def test_integer_item_has_min_and_max_extensions(buttock_questionnaire):
    item = questionnaire_items(buttock_questionnaire)["sitting_tolerance_minutes"]
    assert item["type"] == "integer"
    assert item["extension"] == [
        {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
        {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 600},
    ]


def test_help_text_is_a_nested_help_display_item(buttock_questionnaire):
    item = questionnaire_items(buttock_questionnaire)["test_fair"]
    (help_item,) = item["item"]
    assert help_item["linkId"] == "test_fair-help"
    assert help_item["type"] == "display"
    assert help_item["text"] == BUTTOCK_PAIN_V1.item("test_fair").help_text
    control = help_item["extension"][0]
    assert control["url"].endswith("questionnaire-itemControl")
    assert control["valueCodeableConcept"]["coding"][0]["code"] == "help"
    assert "item" not in questionnaire_items(buttock_questionnaire)["onset_type"]


def test_measure_groups_hold_the_measure_items(buttock_questionnaire):
    items = questionnaire_items(buttock_questionnaire)
    for code in ("nprs", "odi", "lefs", "psfs", "grc"):
        measure = measures.registry.get(code)
        group = items[code]
        assert group["type"] == "group"
        assert group["text"] == measure.title
        questions = [i for i in group["item"] if i["type"] != "display"]
        assert [i["linkId"] for i in questions] == [f"{code}.{m.code}" for m in measure.items]
        for question, measure_item in zip(questions, measure.items, strict=True):
            if measure_item.kind is measures.MeasureItemKind.TEXT:
                assert question["type"] == "text"
                assert "extension" not in question
            else:
                assert question["type"] == "integer"
                bounds = {
                    e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in question["extension"]
                }
                assert bounds == {
                    "minValue": measure_item.min_value,
                    "maxValue": measure_item.max_value,
                }
    grc = items["grc.grc"]
    assert grc["extension"][0]["valueInteger"] == -7
    assert items["psfs.psfs_1_activity"]["type"] == "text"


def test_required_measure_items_only_where_all_are_needed(buttock_questionnaire):
    items = questionnaire_items(buttock_questionnaire)
    assert items["lefs.lefs_20"]["required"] is True
    assert items["nprs.nprs"]["required"] is True
    assert "required" not in items["odi.odi_1"]  # 8 of 10 suffice
    assert "required" not in items["psfs.psfs_1"]  # 1 of 5 suffices
    assert "required" not in items["grc"]  # the template makes GRC optional


def test_only_verified_loinc_codes_where_the_spec_has_them(buttock_questionnaire):
    coded = {
        item["linkId"]: item["code"]
        for item in walk(buttock_questionnaire["item"])
        if "code" in item
    }
    assert coded == {
        "nprs.nprs": [
            {
                "system": LOINC,
                "code": "72514-3",
                "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            }
        ],
        "odi": [{"system": LOINC, "code": "97908-8", "display": "Oswestry Disability Index panel"}],
    }


def test_no_odi_or_lefs_question_text(buttock_questionnaire):
    items = questionnaire_items(buttock_questionnaire)
    for number, title in enumerate(measures.ODI_SECTIONS, start=1):
        assert items[f"odi.odi_{number}"]["text"] == f"Section {number}: {title}"
    for number in range(1, 21):
        assert items[f"lefs.lefs_{number}"]["text"] == f"Item {number}"


def test_small_template_questionnaire_validates():
    q = fhir.questionnaire(SMALL)
    Questionnaire.model_validate(q)
    check_questionnaire_invariants(q)
    assert q["id"] == "knee-check-v3"
    assert q["name"] == "KneeCheck"
    assert q["version"] == "3"
    items = questionnaire_items(q)
    assert [i for i in link_ids(q) if i in SMALL.index] == list(SMALL.index)
    assert items["stairs_count"]["required"] is True
    assert items["stairs_count"]["extension"] == [
        {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0}
    ]
    assert items["sites"]["repeats"] is True
    assert items["swelling"]["item"][0]["linkId"] == "swelling-help"
    assert items["grc"]["type"] == "group"


# QuestionnaireResponse.


def test_example_1_response_validates():
    data = example_1_response()
    model = QuestionnaireResponse.model_validate(data)
    assert model.status == "completed"
    assert json.loads(json.dumps(data)) == data
    assert data["id"] == "resp-1"
    assert data["questionnaire"] == "urn:clinic-records/Questionnaire/buttock_pain|1"
    assert data["subject"] == {"reference": "Patient/42"}
    assert data["encounter"] == {"reference": "Encounter/7"}
    assert data["author"] == {"reference": "Practitioner/3"}
    assert data["authored"] == "2025-03-04T09:30:00+00:00"


def test_every_answered_link_id_is_in_the_questionnaire_with_a_matching_answer():
    q_items = questionnaire_items(fhir.questionnaire(BUTTOCK_PAIN_V1))
    response = example_1_response()
    ids = link_ids(response)
    assert len(ids) == len(set(ids))
    for item in walk(response["item"]):
        question = q_items[item["linkId"]]
        assert item["text"] == question["text"]
        if "answer" not in item:
            assert question["type"] == "group"
            continue
        if len(item["answer"]) > 1:
            assert question.get("repeats")
        for answer in item["answer"]:
            (kind,) = answer
            expected = {
                "choice": "valueCoding",
                "integer": "valueInteger",
                "date": "valueDate",
                "text": "valueString",
            }[question["type"]]
            assert kind == expected, item["linkId"]
            if kind == "valueCoding":
                options = [o["valueCoding"] for o in question["answerOption"]]
                assert answer["valueCoding"] in options


def test_response_structure_mirrors_the_questionnaire():
    response = example_1_response()
    # Every section has an answer in example 1, so every section group is there.
    assert [g["linkId"] for g in response["item"]] == [
        "history",
        "pain_location",
        "red_flags",
        "examination",
        "palpation_muscles",
        "outcome_measures",
    ]
    items = {item["linkId"]: item for item in walk(response["item"])}
    assert items["aggravating"]["answer"] == [
        {
            "valueCoding": {
                "system": "urn:clinic-records/CodeSystem/buttock_pain-aggravating",
                "code": "sitting",
                "display": "Sitting",
            }
        },
        {
            "valueCoding": {
                "system": "urn:clinic-records/CodeSystem/buttock_pain-aggravating",
                "code": "lunging_squatting",
                "display": "Lunging or squatting",
            }
        },
    ]
    assert items["low_back_pain"]["answer"][0]["valueCoding"]["code"] == "no"
    assert items["test_slump"]["answer"][0]["valueCoding"]["code"] == "negative"
    assert items["sitting_tolerance_minutes"]["answer"] == [{"valueInteger": 15}]
    # Unanswered items and help display items are not in the response.
    assert "onset_date" not in items
    assert "test_fair" not in items
    assert not any(link_id.endswith("-help") for link_id in items)


def test_measure_answers_nest_under_their_group():
    items = {item["linkId"]: item for item in walk(example_1_response()["item"])}
    assert items["nprs"]["text"] == "Numeric Pain Rating Scale"
    assert items["nprs"]["item"] == [
        {
            "linkId": "nprs.nprs",
            "text": measures.NPRS.items[0].label,
            "answer": [{"valueInteger": 6}],
        }
    ]
    odi_ids = [child["linkId"] for child in items["odi"]["item"]]
    assert odi_ids == [f"odi.odi_{n}" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10)]
    assert "odi.odi_8" not in items
    assert items["odi.odi_5"]["answer"] == [{"valueInteger": 4}]
    for code in ("lefs", "psfs", "grc"):
        assert code not in items


def test_answer_codes_round_trip_to_the_findings():
    findings = validate_answers(BUTTOCK_PAIN_V1, EXAMPLE_1)
    response = fhir.questionnaire_response(
        BUTTOCK_PAIN_V1, findings, response_id="r", patient_reference="Patient/1", authored=AUTHORED
    )
    back: dict[str, object] = {}
    for item in walk(response["item"]):
        if "answer" not in item:
            continue
        codes = [
            answer["valueCoding"]["code"] for answer in item["answer"] if "valueCoding" in answer
        ]
        if BUTTOCK_PAIN_V1.item(item["linkId"]).type in (
            ItemType.MULTI_CHOICE,
            ItemType.BODY_CHART,
        ):
            back[item["linkId"]] = codes
        elif codes:
            back[item["linkId"]] = codes[0]
        else:
            back[item["linkId"]] = item["answer"][0]["valueInteger"]
    assert validate_answers(BUTTOCK_PAIN_V1, back) == findings


def test_empty_answers_give_a_valid_response_without_items():
    data = fhir.questionnaire_response(
        BUTTOCK_PAIN_V1,
        {},
        response_id="empty",
        patient_reference="Patient/42",
        authored=AUTHORED,
        status="in-progress",
    )
    QuestionnaireResponse.model_validate(data)
    assert "item" not in data
    assert data["status"] == "in-progress"
    assert "encounter" not in data and "author" not in data


def test_sections_without_answers_are_left_out():
    data = fhir.questionnaire_response(
        BUTTOCK_PAIN_V1,
        {"pain_side": "left", "grc": {"grc": 3}},
        response_id="r-2",
        patient_reference="Patient/42",
        authored=AUTHORED,
    )
    QuestionnaireResponse.model_validate(data)
    assert [g["linkId"] for g in data["item"]] == ["pain_location", "outcome_measures"]
    assert data["item"][1]["item"][0]["item"][0] == {
        "linkId": "grc.grc",
        "text": measures.GRC.items[0].label,
        "answer": [{"valueInteger": 3}],
    }


def test_small_template_response_with_dates_text_and_raw_answers():
    data = fhir.questionnaire_response(
        SMALL,
        # Raw answers: True for yes, a date object, a set for the body chart.
        {
            "swelling": True,
            "injured_on": date(2025, 1, 2),
            "sites": {"lateral", "medial"},
            "notes": "Locks on stairs",
            "rf_hot_joint": "not_asked",
            "stairs_count": 0,
        },
        response_id="knee.1",
        patient_reference="Patient/1",
        authored=datetime(2025, 3, 4, 10, 0, tzinfo=timezone(timedelta(hours=2))),
    )
    QuestionnaireResponse.model_validate(data)
    items = {item["linkId"]: item for item in walk(data["item"])}
    assert data["questionnaire"] == "urn:clinic-records/Questionnaire/knee_check|3"
    assert data["authored"] == "2025-03-04T10:00:00+02:00"
    assert items["swelling"]["answer"][0]["valueCoding"]["code"] == "yes"
    assert items["injured_on"]["answer"] == [{"valueDate": "2025-01-02"}]
    assert [a["valueCoding"]["code"] for a in items["sites"]["answer"]] == ["medial", "lateral"]
    assert items["notes"]["answer"] == [{"valueString": "Locks on stairs"}]
    assert items["stairs_count"]["answer"] == [{"valueInteger": 0}]
    assert items["rf_hot_joint"]["answer"][0]["valueCoding"]["code"] == "not_asked"


def test_blank_text_is_left_out_as_fhir_strings_cannot_be_empty():
    data = fhir.questionnaire_response(
        BUTTOCK_PAIN_V1,
        {"history_notes": "  ", "psfs": {"psfs_1": 4, "psfs_1_activity": ""}},
        response_id="r",
        patient_reference="Patient/1",
        authored=AUTHORED,
    )
    QuestionnaireResponse.model_validate(data)
    assert link_ids(data) == ["outcome_measures", "psfs", "psfs.psfs_1"]


def test_psfs_activity_names_are_strings():
    data = fhir.questionnaire_response(
        BUTTOCK_PAIN_V1,
        {"psfs": {"psfs_1_activity": "Sitting at work", "psfs_1": 3}},
        response_id="r",
        patient_reference="Patient/1",
        authored=AUTHORED,
    )
    QuestionnaireResponse.model_validate(data)
    psfs = data["item"][0]["item"][0]["item"]
    assert psfs[0] == {
        "linkId": "psfs.psfs_1_activity",
        "text": "Activity 1",
        "answer": [{"valueString": "Sitting at work"}],
    }


def test_invalid_answers_and_arguments_are_errors():
    with pytest.raises(AnswerError, match="pain_side"):
        fhir.questionnaire_response(
            BUTTOCK_PAIN_V1,
            {"pain_side": "up"},
            response_id="r",
            patient_reference="Patient/1",
            authored=AUTHORED,
        )
    with pytest.raises(ValueError, match="timezone"):
        example_1_response(authored=datetime(2025, 3, 4, 9, 30))
    with pytest.raises(ValueError, match="FHIR id"):
        example_1_response(response_id="resp_1")
    with pytest.raises(ValueError, match="status"):
        example_1_response(status="amended")
    with pytest.raises(ValueError, match="patient_reference"):
        example_1_response(patient_reference="")


# Observation.

MEASURE_ANSWERS = {
    "nprs": NPRS,
    "odi": ODI_MISSING_SEX_LIFE,
    "lefs": {f"lefs_{n}": 3 for n in range(1, 21)},
    "psfs": {"psfs_1": 4, "psfs_1_activity": "Sitting", "psfs_2": 7},
    "grc": {"grc": -2},
}


@pytest.mark.parametrize("code", list(MEASURE_ANSWERS))
def test_measure_observations_validate(code):
    data = observation(
        code,
        MEASURE_ANSWERS[code],
        encounter_reference="Encounter/7",
        derived_from="QuestionnaireResponse/resp-1",
    )
    model = Observation.model_validate(data)
    assert model.status == "final"
    assert json.loads(json.dumps(data)) == data
    assert data["category"] == [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "survey",
                    "display": "Survey",
                }
            ]
        }
    ]
    assert data["subject"] == {"reference": "Patient/42"}
    assert data["encounter"] == {"reference": "Encounter/7"}
    assert data["effectiveDateTime"] == "2025-03-04T09:30:00+00:00"
    assert data["derivedFrom"] == [{"reference": "QuestionnaireResponse/resp-1"}]
    assert data["valueQuantity"]["value"] == measures.score(code, MEASURE_ANSWERS[code]).value


def test_nprs_observation_has_the_verified_loinc_code_and_points():
    data = observation("nprs", NPRS)
    assert data["code"]["coding"] == [
        {
            "system": LOINC,
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ]
    assert data["valueQuantity"] == {
        "value": 6,
        "unit": "{score}",
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }
    assert "interpretation" not in data and "note" not in data and "derivedFrom" not in data


def test_odi_observation_has_percent_fairbank_band_and_missing_note():
    data = observation("odi", ODI_MISSING_SEX_LIFE)
    assert data["code"] == {
        "coding": [{"system": LOINC, "code": "97909-6"}],
        "text": "Oswestry Disability Index score",
    }
    assert data["valueQuantity"] == {
        "value": 35.6,
        "unit": "%",
        "system": "http://unitsofmeasure.org",
        "code": "%",
    }
    assert data["interpretation"] == [{"text": "moderate disability (Fairbank)"}]
    assert data["note"] == [{"text": "9 of 10 items answered (scoring version 1)"}]


@pytest.mark.parametrize("code", ["lefs", "psfs", "grc"])
def test_measures_without_a_verified_code_are_text_only(code):
    data = observation(code, MEASURE_ANSWERS[code])
    assert data["code"] == {"text": measures.registry.get(code).title}
    assert data["valueQuantity"]["code"] == "{score}"


@pytest.mark.parametrize("code", list(MEASURE_ANSWERS))
def test_no_unverified_loinc_coding_anywhere(code):
    data = observation(code, MEASURE_ANSWERS[code])
    codings = [c for c in data["code"].get("coding", []) if c["system"] == LOINC]
    assert {c["code"] for c in codings} <= VERIFIED_LOINC
    if code in ("lefs", "psfs", "grc"):
        assert codings == []


def test_derived_from_accepts_several_references():
    data = observation(
        "nprs", NPRS, derived_from=["QuestionnaireResponse/a", "QuestionnaireResponse/b"]
    )
    Observation.model_validate(data)
    assert [ref["reference"] for ref in data["derivedFrom"]] == [
        "QuestionnaireResponse/a",
        "QuestionnaireResponse/b",
    ]


def test_observation_argument_errors():
    with pytest.raises(ValueError, match="timezone"):
        observation("nprs", NPRS, effective=datetime(2025, 3, 4))
    with pytest.raises(ValueError, match="FHIR id"):
        observation("nprs", NPRS, observation_id="obs_1")
    with pytest.raises(measures.NotRegistered):
        fhir.measure_observation(
            measures.Score("nope", 1, "points", "1", 0, {}),
            observation_id="o",
            patient_reference="Patient/1",
            effective=AUTHORED,
        )


def test_version_2_with_its_chart_per_side_exports_and_validates():
    from assessments.buttock_pain import BUTTOCK_PAIN_V2

    questionnaire = fhir.questionnaire(BUTTOCK_PAIN_V2)
    Questionnaire.model_validate(questionnaire)
    check_questionnaire_invariants(questionnaire)
    chart = questionnaire_items(questionnaire)["pain_regions"]
    codes = [option["valueCoding"]["code"] for option in chart["answerOption"]]
    assert "deep_gluteal_piriformis_right" in codes and "deep_gluteal_piriformis" not in codes
    findings = validate_answers(
        BUTTOCK_PAIN_V2, {"pain_regions": ["deep_gluteal_piriformis_right", "groin_left"]}
    )
    response = fhir.questionnaire_response(
        BUTTOCK_PAIN_V2, findings, response_id="r", patient_reference="Patient/1", authored=AUTHORED
    )
    QuestionnaireResponse.model_validate(response)
    answered = {
        answer["valueCoding"]["code"]
        for item in walk(response["item"])
        if item["linkId"] == "pain_regions"
        for answer in item["answer"]
    }
    assert answered == {"deep_gluteal_piriformis_right", "groin_left"}
