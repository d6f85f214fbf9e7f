from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import measures
from assessments.buttock_pain import BUTTOCK_PAIN_V1, unsided_regions
from assessments.definitions import AnswerError, Item, ItemType
from assessments.reasoning import DISCLAIMER, Result, Suggestion, suggest
from assessments.reasoning.buttock_pain import (
    INTERVENTIONS,
    RULE_SET,
    RULES,
    SOURCE_INTERVENTIONS,
    SOURCES,
)

RED_FLAG_GROUPS = BUTTOCK_PAIN_V1.red_flag_groups

SPEC_SOURCES = [
    "lumbar_referred",
    "lumbar_radicular",
    "sij",
    "myofascial_trigger_points",
    "piriformis",
    "piriformis_syndrome",
    "proximal_hamstring_tendinopathy",
    "ischiogluteal_bursitis",
    "chronic_muscle_thickening",
]
CES_ACTION = (
    "Emergency: same-day referral to the emergency department (suspected cauda equina syndrome)."
)
SERIOUS_ACTION = (
    "Urgent medical referral: screen positive for possible serious pathology (not a diagnosis)."
)

# Spec section 7.
WORKED_EXAMPLE_1 = {
    "mechanism": "running",
    "pain_side": "right",
    "pain_regions": ["ischial_tuberosity"],
    "pain_constancy": "constant",
    "sitting_tolerance_minutes": 15,
    "aggravating": ["sitting", "lunging_squatting"],
    "low_back_pain": "no",
    "tender_ischial_tuberosity": "yes",
    "test_puranen_orava": "positive",
    "test_modified_bent_knee_stretch": "positive",
    "test_slump": "negative",
}
WORKED_EXAMPLE_2 = {
    "mechanism": "lift",
    "pain_regions": ["lumbar", "mid_buttock"],
    "low_back_pain": "yes",
    "repeated_movements_centralization": "yes",
    "lumbar_stiff_segments": ["l4_l5"],
    "test_sij_distraction": "negative",
    "test_sij_thigh_thrust": "positive",
    "test_sij_compression": "negative",
    "test_sij_sacral_thrust": "negative",
    "test_sij_gaenslen_left": "negative",
    "test_sij_gaenslen_right": "negative",
}
WORKED_EXAMPLE_3 = {
    "onset_type": "sudden",
    "low_back_pain": "yes",
    "pain_side": "bilateral",
    "pain_regions": ["lumbar", "mid_buttock", "posterior_thigh", "leg_below_knee"],
    "leg_pain": "below_knee",
    "rf_bilateral_neuro": "yes",
    "rf_saddle_anaesthesia": "yes",
    "rf_bladder_bowel": "yes",
}


def source(result: Result, code: str) -> Suggestion:
    matches = [suggestion for suggestion in result.sources if suggestion.code == code]
    assert matches, f"{code} not suggested: {[s.code for s in result.sources]}"
    return matches[0]


def codes(result: Result) -> list[str]:
    return [suggestion.code for suggestion in result.sources]


def test_sources_and_interventions_are_the_spec_codes():
    assert list(SOURCES) == SPEC_SOURCES
    assert set(SOURCE_INTERVENTIONS) == set(SPEC_SOURCES)
    assert list(INTERVENTIONS) == [
        "spinal_mobilization",
        "spinal_manipulation",
        "dry_needling",
        "soft_tissue_therapy",
        "electrotherapy",
        "stretching",
        "core_stability",
        "exercise_programme",
        "education",
    ]
    for interventions in SOURCE_INTERVENTIONS.values():
        assert set(interventions) <= set(INTERVENTIONS)


def test_rules_are_s1_to_s9_and_a3_to_a9_with_their_origin():
    assert [rule.code for rule in RULES] == [
        *(f"S{n}" for n in range(1, 10)),
        *(f"A{n}" for n in range(3, 10)),
    ]
    for rule in RULES:
        if rule.code.startswith("S"):
            assert rule.origin == "clinic guidance"
        else:
            assert rule.origin != "clinic guidance"
    assert {rule.code: rule.origin for rule in RULES}["A3"] == "Laslett 2005"


# Each rule on its own: (rule, minimal findings, sources it raises, words of its reason).
RULE_CASES = [
    ("S1", {"pain_quality": "deep_aching_diffuse"}, ["lumbar_referred", "sij", "myofascial_trigger_points"], "Deep, aching, diffuse pain"),
    ("S1", {"pain_site_variable": "yes"}, ["lumbar_referred", "sij", "myofascial_trigger_points"], "changes site from day to day"),
    ("S2", {"low_back_pain": "yes"}, ["lumbar_referred"], "low back pain"),
    ("S3", {"groin_pain": True}, ["sij"], "groin pain"),
    ("S4", {"pain_quality": "precise_localized"}, ["piriformis", "proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"], "precise area"),
    ("S5", {"pain_regions": ["ischial_tuberosity"], "pain_constancy": "constant"}, ["proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"], "Pain constantly localized to the ischial tuberosity"),
    ("S5", {"tender_ischial_tuberosity": "yes"}, ["proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"], "Ischial tuberosity tender"),
    ("S6", {"pain_regions": ["deep_gluteal_piriformis"]}, ["piriformis"], "deep gluteal (piriformis) region"),
    ("S6", {"tender_piriformis": "yes"}, ["piriformis"], "Tender proximally and medially over piriformis"),
    ("S7", {"trigger_point_gluteus_medius": "yes"}, ["myofascial_trigger_points"], "Trigger point in gluteus medius"),
    ("S7", {"muscle_shortening": ["piriformis"]}, ["myofascial_trigger_points"], "Shortened piriformis"),
    ("S8", {"tender_piriformis": "yes", "leg_pain": "below_knee"}, ["piriformis_syndrome"], "pain down the leg (below the knee)"),
    ("S9", {"muscle_thickening": ["gluteals", "lumbar_paraspinals"]}, ["chronic_muscle_thickening"], "Chronic muscle thickening: lumbar paraspinals and gluteals"),
    ("A3", {"test_sij_distraction": "positive", "test_sij_gaenslen_left": "positive", "test_sij_gaenslen_right": "positive"}, ["sij"], "SIJ provocation tests 3 of 6 positive"),
    ("A3", {"test_sij_thigh_thrust": "positive", "test_sij_sacral_thrust": "positive", "repeated_movements_centralization": "no"}, ["sij"], "2 of 6 positive (thigh thrust and sacral thrust)"),
    ("A4", {"repeated_movements_centralization": "yes"}, ["lumbar_referred"], "Repeated movements centralize the pain"),
    ("A4", {"lumbar_stiff_segments": ["l4_l5"]}, ["lumbar_referred"], "Stiff lumbar segment L4/5 (clinic guidance)"),
    ("A5", {"tender_piriformis": "yes", "aggravating": ["sitting"], "test_pace": "positive", "test_slr": "negative"}, ["piriformis_syndrome"], "negative straight leg raise does not rule it out"),
    ("A6", {"test_active_piriformis": "positive"}, ["piriformis_syndrome"], "Active piriformis test positive"),
    ("A7", {"pain_regions": ["ischial_tuberosity"], "aggravating": ["cycling"], "test_bent_knee_stretch": "positive"}, ["proximal_hamstring_tendinopathy"], "favours tendinopathy over bursitis"),
    ("A8", {"neuro_deficit": "yes"}, ["lumbar_radicular"], "Neurological deficit"),
    ("A8", {"test_slump": "positive", "leg_pain": "below_knee"}, ["lumbar_radicular"], "Slump test positive with leg pain below the knee"),
    ("A9", {"pain_regions": ["sij_psis", "groin"]}, ["sij"], "Pain over the SIJ / PSIS with groin pain"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "findings", "sources", "words"), RULE_CASES)
def test_each_rule_on_its_own(rule, findings, sources, words):
    result = suggest(findings)

    for code in sources:
        suggestion = source(result, code)
        assert rule in suggestion.rules
        reason = suggestion.reasons[suggestion.rules.index(rule)]
        assert words in reason
        origin = {r.code: r.origin for r in RULES}[rule]
        if rule.startswith("A") and rule != "A4":
            assert reason.endswith(f"({origin})")
        assert suggestion.interventions == list(SOURCE_INTERVENTIONS[code])
    assert result.urgency == "none"


@pytest.mark.parametrize(
    ("findings", "code", "ending"),
    [
        ({"repeated_movements_centralization": "yes"}, "lumbar_referred", "(Laslett 2005)"),
        # A4's stiff segments come from the clinic's guidance, not from Laslett.
        ({"lumbar_stiff_segments": ["l5_s1"]}, "lumbar_referred", "(clinic guidance)"),
        (
            {"test_sij_compression": "positive", "test_sij_distraction": "positive"},
            "sij",
            "(Laslett 2005)",
        ),
    ],
)
def test_a4_and_a3_reasons_end_with_their_source(findings, code, ending):
    assert source(suggest(findings), code).reasons[0].endswith(ending)


@pytest.mark.parametrize(
    ("findings", "rule"),
    [
        ({"tender_piriformis": "yes", "leg_pain": "none"}, "S8"),
        ({"pain_regions": ["ischial_tuberosity"], "pain_constancy": "intermittent"}, "S5"),
        (
            {
                "test_sij_distraction": "positive",
                "test_sij_compression": "positive",
                "test_sij_gaenslen_left": "positive",
                "repeated_movements_centralization": "yes",
            },
            "A3",
        ),
        ({"test_sij_distraction": "positive", "test_sij_gaenslen_left": "positive"}, "A3"),
        ({"tender_piriformis": "yes", "test_fair": "positive"}, "A5"),
        ({"test_slr": "positive", "leg_pain": "above_knee"}, "A8"),
        ({"pain_regions": ["ischial_tuberosity"], "test_puranen_orava": "positive"}, "A7"),
        ({"pain_regions": ["sij_psis"]}, "A9"),
        ({"test_active_piriformis": "negative", "test_fair": "not_tested"}, "A6"),
    ],
)
def test_rules_do_not_fire_without_their_whole_pattern(findings, rule):
    result = suggest(findings)

    assert all(rule not in suggestion.rules for suggestion in result.sources)


def test_s1_lowers_local_sources():
    result = suggest({"pain_quality": "deep_aching_diffuse", "tender_ischial_tuberosity": "yes"})

    hamstring = source(result, "proximal_hamstring_tendinopathy")
    assert hamstring.score == 1
    assert hamstring.rules == ["S5"]
    assert hamstring.against and "Deep, aching, diffuse pain" in hamstring.against[0]
    assert codes(result)[:3] == ["lumbar_referred", "sij", "myofascial_trigger_points"]


def test_referred_pain_alone_lists_no_local_source():
    assert codes(suggest({"pain_quality": "deep_aching_diffuse"})) == [
        "lumbar_referred",
        "sij",
        "myofascial_trigger_points",
    ]


def test_s4_ranks_local_over_referred():
    result = suggest(
        {
            "pain_quality": "precise_localized",
            "low_back_pain": "yes",
            "tender_piriformis": "yes",
        }
    )

    assert codes(result)[0] == "piriformis"
    assert source(result, "lumbar_referred").score < source(result, "piriformis").score


def test_a7_makes_hamstring_tendinopathy_outrank_bursitis():
    findings = {
        "tender_ischial_tuberosity": "yes",
        "pain_regions": ["ischial_tuberosity"],
        "aggravating": ["sitting"],
        "test_puranen_orava": "positive",
    }

    result = suggest(findings)

    assert codes(result) == ["proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"]
    assert source(result, "proximal_hamstring_tendinopathy").rules == ["S5", "A7"]


def test_ties_follow_the_spec_order_of_sources():
    assert codes(suggest({"tender_ischial_tuberosity": "yes"})) == [
        "proximal_hamstring_tendinopathy",
        "ischiogluteal_bursitis",
    ]
    assert codes(suggest({"pain_quality": "precise_localized"})) == [
        "piriformis",
        "proximal_hamstring_tendinopathy",
        "ischiogluteal_bursitis",
    ]


def test_no_findings_no_suggestion():
    result = suggest({})

    assert result == Result(urgency="none", red_flags=[], red_flag_items=[], action="", sources=[])
    assert result.disclaimer == DISCLAIMER
    assert DISCLAIMER == "Decision support only: the clinician confirms the working diagnosis."


# The worked examples of the spec, section 7.


def test_worked_example_1_runner_with_ischial_pain():
    result = suggest(WORKED_EXAMPLE_1)

    assert codes(result)[:2] == ["proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"]
    assert result.red_flags == []
    assert result.urgency == "none"
    assert result.action == ""
    leading = result.sources[0]
    assert "Pain constantly localized to the ischial tuberosity" in leading.reasons[0]
    assert leading.reasons[-1].endswith("(Cacchio 2012)")
    assert leading.interventions == ["core_stability", "exercise_programme"]


def test_worked_example_2_lifting_with_centralization():
    result = suggest(WORKED_EXAMPLE_2)

    assert codes(result)[0] == "lumbar_referred"
    assert "sij" not in codes(result)
    assert result.red_flags == []
    assert result.sources[0].rules == ["S2", "A4"]
    assert result.sources[0].interventions == [
        "spinal_mobilization",
        "spinal_manipulation",
        "core_stability",
        "exercise_programme",
    ]


def test_worked_example_3_cauda_equina():
    result = suggest(WORKED_EXAMPLE_3)

    assert result.red_flags == ["cauda_equina"]
    assert result.urgency == "emergency"
    assert result.action == CES_ACTION
    assert result.red_flag_items == [
        "rf_saddle_anaesthesia",
        "rf_bladder_bowel",
        "rf_bilateral_neuro",
    ]
    assert result.sources, "sources are still listed for their reasons"
    assert all(suggestion.interventions == [] for suggestion in result.sources)


@pytest.mark.parametrize("flag", RED_FLAG_GROUPS["serious_pathology"])
def test_any_serious_pathology_flag_is_urgent(flag):
    result = suggest({**WORKED_EXAMPLE_1, flag: "yes"})

    assert result.urgency == "urgent"
    assert result.red_flags == ["serious_pathology"]
    assert result.red_flag_items == [flag]
    assert result.action == SERIOUS_ACTION
    assert codes(result)[0] == "proximal_hamstring_tendinopathy"
    assert all(suggestion.interventions == [] for suggestion in result.sources)


@pytest.mark.parametrize("flag", RED_FLAG_GROUPS["cauda_equina"])
def test_any_cauda_equina_flag_is_an_emergency(flag):
    result = suggest({**WORKED_EXAMPLE_1, flag: True})

    assert result.urgency == "emergency"
    assert result.red_flags == ["cauda_equina"]
    assert result.action == RULE_SET.red_flag_group("cauda_equina").action == CES_ACTION
    assert all(suggestion.interventions == [] for suggestion in result.sources)


def test_both_groups_are_an_emergency_with_both_outcomes_in_order():
    result = suggest({"rf_trauma": "yes", "rf_bladder_bowel": "yes", "low_back_pain": "yes"})

    assert result.red_flags == ["cauda_equina", "serious_pathology"]
    assert result.red_flag_items == ["rf_bladder_bowel", "rf_trauma"]
    assert result.urgency == "emergency"
    assert result.action == CES_ACTION
    assert source(result, "lumbar_referred").interventions == []


def test_flags_answered_no_or_not_asked_are_not_red_flags():
    result = suggest({**WORKED_EXAMPLE_1, "rf_trauma": "no", "rf_bladder_bowel": "not_asked"})

    assert result.urgency == "none"
    assert result.sources[0].interventions


@pytest.mark.parametrize(
    ("findings", "item_code"),
    [
        ({"ischial_pain": "yes"}, "ischial_pain"),
        ({"test_fair": "yes"}, "test_fair"),
        ({"pain_regions": ["buttock"]}, "pain_regions"),
        ({"rf_trauma": "maybe"}, "rf_trauma"),
        ({"sitting_tolerance_minutes": 20.5}, "sitting_tolerance_minutes"),
    ],
)
def test_unknown_items_and_bad_values_are_errors_naming_the_item(findings, item_code):
    with pytest.raises(ValueError, match=item_code) as error:
        suggest(findings)

    assert isinstance(error.value, AnswerError)
    assert error.value.item_code == item_code


# Property: any valid findings give a sound result.


def measure_answers(code: str) -> st.SearchStrategy[dict[str, object]]:
    measure = measures.registry.get(code)
    return st.fixed_dictionaries(
        {
            item.code: st.integers(item.min_value, item.max_value)
            for item in measure.items
            if item.scored
        },
        optional={item.code: st.text(max_size=20) for item in measure.items if not item.scored},
    )


def answer_strategy(item: Item) -> st.SearchStrategy[object]:
    values = sorted(item.values)
    match item.type:
        case ItemType.CHOICE | ItemType.TEST:
            return st.sampled_from(values)
        case ItemType.YES_NO | ItemType.RED_FLAG:
            return st.sampled_from([*values, True, False])
        case ItemType.MULTI_CHOICE | ItemType.BODY_CHART:
            return st.lists(st.sampled_from(values), unique=True)
        case ItemType.INTEGER:
            return st.integers(item.min_value, item.max_value)
        case ItemType.DATE:
            valid = st.dates(min_value=date(1900, 1, 1), max_value=date.today())
            return valid | valid.map(date.isoformat)
        case ItemType.TEXT:
            return st.text(max_size=40)
        case ItemType.MEASURE:
            return measure_answers(item.measure)
    raise AssertionError(f"no strategy for {item.type}")


FINDINGS = st.fixed_dictionaries(
    {}, optional={item.code: answer_strategy(item) for item in BUTTOCK_PAIN_V1.items()}
)
RED_FLAG_ITEMS = [code for group in RED_FLAG_GROUPS.values() for code in group]


@settings(max_examples=300, deadline=None)
@given(FINDINGS)
def test_any_valid_findings_give_a_sound_result(findings):
    result = suggest(findings)

    scores = [suggestion.score for suggestion in result.sources]
    assert scores == sorted(scores, reverse=True)
    for suggestion in result.sources:
        assert suggestion.score > 0
        assert suggestion.reasons
        assert all(reason.strip() for reason in suggestion.reasons)
        assert len(suggestion.reasons) == len(suggestion.rules)
    flagged = any(findings.get(code) in ("yes", True) for code in RED_FLAG_ITEMS)
    if flagged:
        assert result.urgency != "none"
        assert result.action
        assert all(suggestion.interventions == [] for suggestion in result.sources)
    else:
        assert result.urgency == "none"
        assert all(suggestion.interventions for suggestion in result.sources)


@pytest.mark.parametrize(
    ("chart", "expected"),
    [
        (
            ["deep_gluteal_piriformis_right"],
            {"pain_regions": ["deep_gluteal_piriformis"], "pain_side": "right"},
        ),
        (["lumbar", "groin_left"], {"pain_regions": ["lumbar", "groin"], "pain_side": "left"}),
        (
            ["sij_psis_left", "sij_psis_right", "groin_right"],
            {"pain_regions": ["sij_psis", "groin"], "pain_side": "bilateral"},
        ),
        (["lumbar", "perineal_saddle"], {"pain_regions": ["lumbar", "perineal_saddle"]}),
        (["ischial_tuberosity"], {"pain_regions": ["ischial_tuberosity"]}),  # version 1
    ],
)
def test_a_chart_recorded_per_side_is_read_as_regions_and_a_side(chart, expected):
    assert unsided_regions(chart) == expected


def test_version_2_answers_give_the_suggestions_version_1_gives():
    from assessments.buttock_pain import BUTTOCK_PAIN_V2
    from assessments.reasoning import findings_from_answers

    version_2 = {key: value for key, value in WORKED_EXAMPLE_1.items() if key != "pain_side"}
    version_2["pain_regions"] = ["ischial_tuberosity_right"]
    findings = findings_from_answers(BUTTOCK_PAIN_V2, version_2)
    assert findings["pain_side"] == "right"
    assert suggest(findings) == suggest(WORKED_EXAMPLE_1)
