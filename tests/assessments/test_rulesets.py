"""The rule-set registry: keyed by template code, loud on a duplicate or a rule set
that cannot work, and filled with buttock pain by the app (not on import)."""

import dataclasses

import pytest

from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.definitions import Item, ItemType, Section, Template, templates
from assessments.reasoning import BUTTOCK_PAIN_RULE_SET, RuleSetRegistry, rulesets
from assessments.registry import AlreadyRegistered, NotRegistered
from tests.assessments.second_region import TEST_REGION_RULES, TEST_REGION_V1


@pytest.fixture
def test_region_template():
    with templates.temporarily(TEST_REGION_V1):
        yield TEST_REGION_V1


def test_the_app_registers_the_buttock_pain_rule_set():
    assert rulesets.get("buttock_pain") is BUTTOCK_PAIN_RULE_SET
    assert BUTTOCK_PAIN_RULE_SET.template is BUTTOCK_PAIN_V1


def test_a_second_rule_set_for_a_template_fails_loudly(test_region_template):
    registry = RuleSetRegistry([TEST_REGION_RULES])
    with pytest.raises(AlreadyRegistered, match="A rule set named 'test_region'"):
        registry.register(TEST_REGION_RULES)


def test_temporarily_leaves_nothing_behind(test_region_template):
    registry = RuleSetRegistry()
    with registry.temporarily(TEST_REGION_RULES):
        assert registry.for_template("test_region") is TEST_REGION_RULES
    assert registry.for_template("test_region") is None
    with pytest.raises(NotRegistered):
        registry.get("test_region")


def test_a_rule_set_needs_its_template_registered_first():
    with pytest.raises(NotRegistered, match="test_region"):
        RuleSetRegistry().register(TEST_REGION_RULES)


def _template_with(item: Item) -> Template:
    return dataclasses.replace(
        TEST_REGION_V1, sections=(*TEST_REGION_V1.sections, Section("more", "More", (item,)))
    )


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (Item("rf_test_loose", "Loose", ItemType.RED_FLAG), "without a group: rf_test_loose"),
        (
            Item("rf_test_other", "Other", ItemType.RED_FLAG, group="test_group"),
            "nothing of the red-flag group 'test_group'",
        ),
    ],
)
def test_every_red_flag_item_of_the_template_is_in_a_group_the_rule_set_knows(item, message):
    with templates.temporarily(_template_with(item)), pytest.raises(ValueError, match=message):
        RuleSetRegistry().register(TEST_REGION_RULES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sources": {"test_region_source_a": "A"}}, "unknown source 'test_region_source_b'"),
        ({"source_interventions": {}}, "no interventions listed"),
        ({"interventions": {}}, "intervention 'education' has no label"),
        (
            {"red_flag_blocks": ("test_region_unknown_kind",)},
            "intervention 'test_region_unknown_kind' has no label",
        ),
    ],
)
def test_a_rule_set_that_cannot_work_is_refused(test_region_template, change, message):
    with pytest.raises(ValueError, match=message):
        RuleSetRegistry().register(dataclasses.replace(TEST_REGION_RULES, **change))


def test_a_shared_source_code_means_one_thing(test_region_template):
    registry = RuleSetRegistry([BUTTOCK_PAIN_RULE_SET])
    sources = dict(TEST_REGION_RULES.sources) | {"sij": "Something else"}
    interventions = dict(TEST_REGION_RULES.source_interventions) | {"sij": ()}
    clash = dataclasses.replace(
        TEST_REGION_RULES, sources=sources, source_interventions=interventions
    )
    with pytest.raises(ValueError, match="calls source 'sij' 'Something else'"):
        registry.register(clash)
    same = dataclasses.replace(clash, sources=sources | {"sij": "Sacroiliac joint"})
    registry.register(same)
    assert registry.source_label("sij") == "Sacroiliac joint"
    assert "test_region_source_a" in registry.sources()


def test_labels_and_groups_are_found_whichever_rule_set_names_them(test_region_template):
    registry = RuleSetRegistry([BUTTOCK_PAIN_RULE_SET, TEST_REGION_RULES])
    assert registry.source_label("test_region_source_b") == "Test-only source B"
    assert registry.source_label("piriformis") == "Piriformis"
    assert registry.source_label("unknown_code") == "unknown_code"
    assert registry.source_interventions("test_region_source_b") == ("stretching",)
    assert registry.red_flag_group("cauda_equina").urgency == "emergency"
    assert registry.red_flag_blocks_in_words() == (
        "Spinal mobilization, spinal manipulation and dry needling"
    )


def test_the_red_flag_grouping_is_the_template_s():
    assert BUTTOCK_PAIN_V1.red_flag_groups["cauda_equina"] == (
        "rf_saddle_anaesthesia",
        "rf_bladder_bowel",
        "rf_bilateral_neuro",
        "rf_sexual_dysfunction",
    )
    assert BUTTOCK_PAIN_RULE_SET.red_flag_items("serious_pathology")[-1] == (
        "rf_major_motor_weakness"
    )
    with pytest.raises(ValueError, match="only red-flag items belong to a group"):
        Item("test_region_ache", "Ache", ItemType.YES_NO, group="cauda_equina")
