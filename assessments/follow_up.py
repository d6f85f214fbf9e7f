"""Follow-up measures, version 1: the outcome measures re-taken at follow-up visits
(clinical spec, section 2: NPRS, ODI, LEFS, PSFS and GRC), without repeating the whole
initial assessment. A template like any other: a definition, no views of its own."""

from assessments.schema import Item, ItemType, Section, Template


def _measure(code: str, label: str, help_text: str = "") -> Item:
    return Item(code, label, ItemType.MEASURE, measure=code, help_text=help_text)


FOLLOW_UP_MEASURES_V1 = Template(
    code="follow_up_measures",
    version=1,
    title="Follow-up measures",
    sections=(
        Section(
            "outcome_measures",
            "Outcome measures re-taken",
            (
                _measure("nprs", "Pain rating (NPRS)"),
                _measure("odi", "Oswestry Disability Index (ODI)"),
                _measure("lefs", "Lower Extremity Functional Scale (LEFS)"),
                _measure(
                    "psfs",
                    "Patient-Specific Functional Scale (PSFS)",
                    "the patient's activities carry over",
                ),
                _measure("grc", "Global Rating of Change (GRC)", "since treatment began"),
            ),
        ),
    ),
)
