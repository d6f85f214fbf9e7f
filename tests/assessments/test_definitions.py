from datetime import date

import pytest

from assessments import definitions
from assessments.buttock_pain import BUTTOCK_PAIN_V1, BUTTOCK_PAIN_V2
from assessments.definitions import (
    AlreadyRegistered,
    AnswerError,
    Choice,
    Item,
    ItemType,
    NotRegistered,
    Section,
    Template,
    TemplateRegistry,
    validate_answers,
)

TODAY = date(2025, 6, 15)


def neck_pain(version: int = 1, title: str = "Neck pain") -> Template:
    return Template(
        code="neck_pain",
        version=version,
        title=title,
        sections=(
            Section(
                "history",
                "History",
                (
                    Item(
                        "neck_side",
                        "Side",
                        ItemType.CHOICE,
                        (Choice("left", "Left"), Choice("right", "Right")),
                    ),
                    Item("headache", "Headache", ItemType.YES_NO, required=True),
                ),
            ),
        ),
    )


@pytest.fixture
def registry() -> TemplateRegistry:
    return TemplateRegistry()


def test_register_and_get_a_second_template_in_a_fresh_registry(registry):
    template = registry.register(neck_pain())

    assert registry.get("neck_pain") is template
    assert registry.get("neck_pain", 1) is template
    assert list(registry) == [template]
    assert not definitions.templates.is_registered("neck_pain")


def test_registering_the_same_code_and_version_twice_fails_loudly(registry):
    registry.register(neck_pain())

    with pytest.raises(AlreadyRegistered, match="neck_pain v1"):
        registry.register(neck_pain(title="Another neck pain"))


def test_get_without_version_returns_the_latest(registry):
    registry.register(neck_pain(2))
    registry.register(neck_pain(1))

    assert registry.get("neck_pain").version == 2
    assert registry.latest("neck_pain").version == 2
    assert registry.get("neck_pain", 1).version == 1
    assert registry.versions("neck_pain") == [1, 2]
    assert [t.version for t in registry.all()] == [1, 2]


def test_unknown_template_or_version_fails_loudly(registry):
    registry.register(neck_pain())

    with pytest.raises(NotRegistered):
        registry.get("knee_pain")
    with pytest.raises(NotRegistered):
        registry.get("neck_pain", 3)
    with pytest.raises(NotRegistered):
        registry.unregister("neck_pain", 3)


def test_unregister_removes_the_version(registry):
    registry.register(neck_pain(1))
    registry.register(neck_pain(2))

    registry.unregister("neck_pain", 2)

    assert registry.versions("neck_pain") == [1]
    registry.unregister("neck_pain", 1)
    assert registry.versions("neck_pain") == []
    assert not registry.is_registered("neck_pain")


def test_temporarily_registers_only_inside_the_block(registry):
    with registry.temporarily(neck_pain()) as template:
        assert registry.get("neck_pain") is template
    assert not registry.is_registered("neck_pain")


def test_a_template_using_an_unknown_measure_is_refused(registry):
    template = Template(
        "knee_pain",
        1,
        "Knee pain",
        (
            Section(
                "measures", "Measures", (Item("koos", "KOOS", ItemType.MEASURE, measure="koos"),)
            ),
        ),
    )

    with pytest.raises(ValueError, match="koos"):
        registry.register(template)


def test_the_default_registry_holds_buttock_pain_v1_and_v2_as_the_latest():
    assert definitions.templates.get("buttock_pain", 1) is BUTTOCK_PAIN_V1
    assert definitions.templates.get("buttock_pain") is BUTTOCK_PAIN_V2
    assert BUTTOCK_PAIN_V1.version == 1


def test_version_2_records_the_body_chart_per_side_and_asks_the_rest_as_version_1():
    chart = BUTTOCK_PAIN_V2.item("pain_regions")
    codes = [choice.code for choice in chart.options]
    assert codes[:3] == ["lumbar", "sij_psis_left", "sij_psis_right"]
    assert codes[-3:] == ["leg_below_knee_left", "leg_below_knee_right", "perineal_saddle"]
    assert len(codes) == 22  # 10 regions a side, 2 midline (spec, section 5)
    assert "pain_side" not in BUTTOCK_PAIN_V2.index  # it follows from the chart
    others = set(BUTTOCK_PAIN_V1.index) - {"pain_side", "pain_regions"}
    assert all(BUTTOCK_PAIN_V2.item(code) == BUTTOCK_PAIN_V1.item(code) for code in others)


def test_the_builtin_templates_are_registered_by_the_app_and_only_once():
    assert definitions.templates.versions("buttock_pain") == [1, 2]

    fresh = TemplateRegistry()
    definitions.register_builtin_templates(fresh)
    assert fresh.versions("buttock_pain") == [1, 2]
    with pytest.raises(AlreadyRegistered, match="buttock_pain v1"):
        definitions.register_builtin_templates(fresh)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": ItemType.CHOICE}, "needs choices"),
        ({"type": ItemType.YES_NO, "choices": (Choice("a", "A"),)}, "takes no choices"),
        ({"type": ItemType.MEASURE}, "measure"),
        ({"type": ItemType.TEXT, "min_value": 1}, "range"),
        ({"type": ItemType.INTEGER, "min_value": 5, "max_value": 1}, "min_value"),
        ({"type": ItemType.TEXT, "not_in_future": True}, "date"),
    ],
)
def test_item_definitions_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Item("an_item", "An item", **kwargs)


def test_duplicate_item_codes_in_a_template_are_refused():
    item = Item("headache", "Headache", ItemType.YES_NO)

    with pytest.raises(ValueError, match="duplicate item code 'headache'"):
        Template("neck_pain", 1, "Neck", (Section("a", "A", (item,)), Section("b", "B", (item,))))


def test_template_items_and_item_lookup():
    template = neck_pain()

    assert [item.code for item in template.items()] == ["neck_side", "headache"]
    assert template.item("headache").type is ItemType.YES_NO
    with pytest.raises(KeyError, match="nope"):
        template.item("nope")


def test_fixed_options_of_tests_and_red_flags():
    assert [c.code for c in BUTTOCK_PAIN_V1.item("test_fair").options] == [
        "positive",
        "negative",
        "not_tested",
    ]
    assert [c.code for c in BUTTOCK_PAIN_V1.item("rf_trauma").options] == [
        "yes",
        "no",
        "not_asked",
    ]


# validate_answers


def validate(answers, **kwargs):
    return validate_answers(BUTTOCK_PAIN_V1, answers, today=TODAY, **kwargs)


def test_validate_normalises_and_orders_answers_by_the_template():
    answers = validate(
        {
            "test_fair": "positive",
            "low_back_pain": True,
            "groin_pain": False,
            "paraesthesia": "no",
            "onset_date": date(2025, 3, 1),
            "pain_regions": ("groin", "ischial_tuberosity", "groin"),
            "rf_trauma": False,
            "sitting_tolerance_minutes": 0,
            "history_notes": "ran a marathon",
        }
    )

    assert answers == {
        "onset_date": "2025-03-01",
        "sitting_tolerance_minutes": 0,
        "low_back_pain": "yes",
        "groin_pain": "no",
        "paraesthesia": "no",
        "history_notes": "ran a marathon",
        "pain_regions": ["ischial_tuberosity", "groin"],
        "rf_trauma": "no",
        "test_fair": "positive",
    }
    codes = [item.code for item in BUTTOCK_PAIN_V1.items()]
    assert list(answers) == sorted(answers, key=codes.index)


def test_missing_items_and_none_are_unknown_not_errors():
    assert validate({}) == {}
    assert validate({"onset_type": None, "odi": {}}) == {}


@pytest.mark.parametrize(
    ("answers", "item_code"),
    [
        ({"no_such_item": "yes"}, "no_such_item"),
        ({"onset_type": "slow"}, "onset_type"),
        ({"onset_type": 1}, "onset_type"),
        ({"pain_regions": ["ischial_tuberosity", "elbow"]}, "pain_regions"),
        ({"pain_regions": "ischial_tuberosity"}, "pain_regions"),
        ({"aggravating": [["sitting"]]}, "aggravating"),
        ({"low_back_pain": "maybe"}, "low_back_pain"),
        ({"low_back_pain": 1}, "low_back_pain"),
        ({"test_slump": "yes"}, "test_slump"),
        ({"rf_weight_loss": "unknown"}, "rf_weight_loss"),
        ({"sitting_tolerance_minutes": 601}, "sitting_tolerance_minutes"),
        ({"sitting_tolerance_minutes": -1}, "sitting_tolerance_minutes"),
        ({"sitting_tolerance_minutes": True}, "sitting_tolerance_minutes"),
        ({"sitting_tolerance_minutes": 20.0}, "sitting_tolerance_minutes"),
        ({"sitting_tolerance_minutes": "20"}, "sitting_tolerance_minutes"),
        ({"onset_date": "2025-06-16"}, "onset_date"),
        ({"onset_date": date(2030, 1, 1)}, "onset_date"),
        ({"onset_date": "yesterday"}, "onset_date"),
        ({"onset_date": 20250101}, "onset_date"),
        ({"history_notes": 3}, "history_notes"),
        ({"repeated_movements_centralization": True}, "repeated_movements_centralization"),
        ({"nprs": 5}, "nprs"),
    ],
)
def test_invalid_answers_name_the_item(answers, item_code):
    with pytest.raises(AnswerError) as error:
        validate(answers)

    assert error.value.item_code == item_code
    assert item_code in str(error.value)
    assert isinstance(error.value, ValueError)


def test_onset_today_is_allowed():
    assert validate({"onset_date": "2025-06-15"}) == {"onset_date": "2025-06-15"}


def test_measure_answers_are_nested_and_validated_by_the_measure():
    answers = validate({"nprs": {"nprs": 7}, "psfs": {"psfs_1": 4, "psfs_1_activity": "run"}})

    assert answers == {"nprs": {"nprs": 7}, "psfs": {"psfs_1": 4, "psfs_1_activity": "run"}}


@pytest.mark.parametrize(
    ("answers", "measure_item_code"),
    [
        ({"odi": {"odi_1": 6}}, "odi_1"),
        ({"lefs": {"lefs_1": 4}}, "lefs_2"),
        ({"nprs": {"pain": 3}}, "pain"),
    ],
)
def test_measure_errors_name_the_template_item_and_the_measure_item(answers, measure_item_code):
    (item_code,) = answers

    with pytest.raises(AnswerError) as error:
        validate(answers)

    assert error.value.item_code == item_code
    assert error.value.measure_item_code == measure_item_code
    assert measure_item_code in str(error.value)


def test_require_complete_names_the_first_missing_required_item():
    template = neck_pain()

    with pytest.raises(AnswerError) as error:
        validate_answers(template, {"neck_side": "left"}, require_complete=True)

    assert error.value.item_code == "headache"
    assert validate_answers(template, {"headache": True}, require_complete=True) == {
        "headache": "yes"
    }


# The buttock_pain v1 codes are a contract (clinical spec, section 2).

SPEC_ITEMS = {
    "onset_date": ItemType.DATE,
    "onset_type": ["sudden", "gradual"],
    "mechanism": ["lift", "fall", "running", "prolonged_sitting", "none", "other"],
    "pain_side": ["left", "right", "bilateral"],
    "pain_regions": [
        "lumbar",
        "sij_psis",
        "upper_buttock_iliac_crest",
        "gluteus_medius",
        "deep_gluteal_piriformis",
        "mid_buttock",
        "lower_buttock",
        "ischial_tuberosity",
        "groin",
        "posterior_thigh",
        "leg_below_knee",
        "perineal_saddle",
    ],
    "pain_quality": ["deep_aching_diffuse", "precise_localized"],
    "pain_site_variable": ItemType.YES_NO,
    "pain_constancy": ["constant", "intermittent"],
    "aggravating": [
        "sitting",
        "lunging_squatting",
        "cycling",
        "change_of_direction",
        "bending",
        "lifting",
        "walking",
        "stairs",
        "lying",
        "repeated_movements",
    ],
    "sitting_tolerance_minutes": ItemType.INTEGER,
    "low_back_pain": ItemType.YES_NO,
    "groin_pain": ItemType.YES_NO,
    "leg_pain": ["none", "above_knee", "below_knee"],
    "paraesthesia": ItemType.YES_NO,
    "history_notes": ItemType.TEXT,
    **dict.fromkeys(
        [
            "rf_saddle_anaesthesia",
            "rf_bladder_bowel",
            "rf_bilateral_neuro",
            "rf_sexual_dysfunction",
            "rf_cancer_history",
            "rf_weight_loss",
            "rf_immunosuppression",
            "rf_steroids",
            "rf_iv_drug_use",
            "rf_fever_infection",
            "rf_trauma",
            "rf_night_pain_unremitting",
            "rf_major_motor_weakness",
        ],
        ItemType.RED_FLAG,
    ),
    **dict.fromkeys(
        [
            "test_fair",
            "test_freiberg",
            "test_pace",
            "test_beatty",
            "test_seated_piriformis_stretch",
            "test_active_piriformis",
            "test_slr",
            "test_slump",
            "test_sij_distraction",
            "test_sij_thigh_thrust",
            "test_sij_compression",
            "test_sij_sacral_thrust",
            "test_sij_gaenslen_left",
            "test_sij_gaenslen_right",
            "test_faber",
            "test_puranen_orava",
            "test_bent_knee_stretch",
            "test_modified_bent_knee_stretch",
        ],
        ItemType.TEST,
    ),
    "repeated_movements_centralization": ["yes", "no", "not_tested"],
    "neuro_deficit": ItemType.YES_NO,
    "tender_ischial_tuberosity": ItemType.YES_NO,
    "tender_piriformis": ItemType.YES_NO,
    "trigger_point_gluteus_medius": ItemType.YES_NO,
    "trigger_point_piriformis": ItemType.YES_NO,
    "trigger_point_lumbar_paraspinals": ItemType.YES_NO,
    "muscle_shortening": ["piriformis", "gluteus_medius", "hip_flexors", "hamstrings"],
    "lumbar_stiff_segments": ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"],
    "muscle_thickening": ["lumbar_paraspinals", "gluteals"],
    "exam_notes": ItemType.TEXT,
    **dict.fromkeys(["nprs", "odi", "lefs", "psfs", "grc"], ItemType.MEASURE),
}


def test_buttock_pain_v1_has_exactly_the_items_and_values_of_the_spec():
    items = {item.code: item for item in BUTTOCK_PAIN_V1.items()}

    assert set(items) == set(SPEC_ITEMS)
    for code, expected in SPEC_ITEMS.items():
        item = items[code]
        if isinstance(expected, list):
            assert [choice.code for choice in item.choices] == expected, code
        else:
            assert item.type is expected, code
    assert items["pain_regions"].type is ItemType.BODY_CHART
    assert items["onset_date"].not_in_future
    assert (
        items["sitting_tolerance_minutes"].min_value,
        items["sitting_tolerance_minutes"].max_value,
    ) == (0, 600)
    assert all(items[code].measure == code for code in ("nprs", "odi", "lefs", "psfs", "grc"))
    assert not items["grc"].required
    assert items["grc"].help_text == "at follow-up visits"


def test_buttock_pain_v1_sections():
    assert [section.title for section in BUTTOCK_PAIN_V1.sections] == [
        "History",
        "Pain location",
        "Red flags",
        "Examination",
        "Palpation & muscles",
        "Outcome measures",
    ]


def test_unverified_figures_are_not_presented_as_fact():
    help_texts = {item.code: item.help_text for item in BUTTOCK_PAIN_V1.items()}

    assert "0.84" not in help_texts["test_fair"]
    assert "not verified" in help_texts["test_slump"]
    assert "not verified" in help_texts["test_faber"]
