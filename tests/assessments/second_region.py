"""A small second template and its rule set, for tests only: everything named
``test_region`` is made up and has no clinical meaning. Register both for a test with
``templates.temporarily(TEST_REGION_V1)`` and ``rulesets.temporarily(TEST_REGION_RULES)``."""

from assessments.definitions import Item, ItemType, Section, Template
from assessments.reasoning import CLINIC_GUIDANCE, Effect, Rule, RuleSet
from assessments.reasoning.buttock_pain import INTERVENTIONS, RED_FLAG_GROUPS

SERIOUS_PATHOLOGY = RED_FLAG_GROUPS[1]  # the groups mean one thing whichever region

TEST_REGION_V1 = Template(
    code="test_region",
    version=1,
    title="Test region (test only)",
    sections=(
        Section(
            "test_region_findings",
            "Test-only findings",
            (
                Item("test_region_ache", "Test-only ache", ItemType.YES_NO),
                Item("test_region_click", "Test-only click", ItemType.YES_NO),
                Item(
                    "rf_test_region_flag",
                    "Test-only red flag",
                    ItemType.RED_FLAG,
                    group=SERIOUS_PATHOLOGY.code,
                ),
            ),
        ),
        Section(
            "outcome_measures",
            "Outcome measures",
            (Item("nprs", "Pain rating (NPRS)", ItemType.MEASURE, measure="nprs"),),
        ),
    ),
)

TEST_REGION_RULES = RuleSet(
    template_code="test_region",
    sources={
        "test_region_source_a": "Test-only source A",
        "test_region_source_b": "Test-only source B",
    },
    source_interventions={
        "test_region_source_a": ("education", "exercise_programme"),
        "test_region_source_b": ("stretching",),
    },
    red_flag_groups=(SERIOUS_PATHOLOGY,),
    rules=(
        Rule(
            "T1",
            CLINIC_GUIDANCE,
            (Effect("test_region_source_a", 2), Effect("test_region_source_b", -1)),
            lambda f: f.get("test_region_ache") == "yes",
            lambda f: "Test-only ache: points to source A",
        ),
        Rule(
            "T2",
            "Test-only citation",
            (Effect("test_region_source_b", 3),),
            lambda f: f.get("test_region_click") == "yes",
            lambda f: "Test-only click: points to source B",
        ),
    ),
    interventions=INTERVENTIONS,  # the treatments' kinds serve every region
    red_flag_blocks=("spinal_manipulation",),
)
