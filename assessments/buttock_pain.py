"""The buttock-pain assessment template, versions 1 and 2.

Codes and allowed values are section 2 of the clinical spec (``buttock-pain.md``) and
are a contract shared with the reasoning rules, the FHIR export and the tests: never
change them in place, add a version. Version 2 records the body chart per side (spec,
section 5, "Body chart by side"): ``pain_regions`` values are ``<region>_left`` and
``<region>_right`` (``lumbar`` and ``perineal_saddle`` are midline), and the side is
no longer asked, it follows from the chart; the reasoning reads both versions through
``unsided_regions``. Accuracy figures in help texts are the spec's;
where the spec marks a figure UNVERIFIED it is left out or said to be not verified.
"""

from assessments.schema import Choice, Item, ItemType, Section, Template


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code, label) for code, label in pairs)


def _yes_no(code: str, label: str, help_text: str = "") -> Item:
    return Item(code, label, ItemType.YES_NO, help_text=help_text)


def _test(code: str, label: str, help_text: str) -> Item:
    return Item(code, label, ItemType.TEST, help_text=help_text)


def _red_flag(code: str, label: str, group: str) -> Item:
    return Item(code, label, ItemType.RED_FLAG, help_text=_RED_FLAG_HELP[group], group=group)


def _measure(code: str, label: str, help_text: str = "", required: bool = True) -> Item:
    return Item(code, label, ItemType.MEASURE, measure=code, help_text=help_text, required=required)


HISTORY = Section(
    "history",
    "History",
    (
        Item(
            "onset_date",
            "Date of onset",
            ItemType.DATE,
            not_in_future=True,
            help_text="Not in the future.",
        ),
        Item(
            "onset_type",
            "Onset",
            ItemType.CHOICE,
            _choices(("sudden", "Sudden"), ("gradual", "Gradual")),
        ),
        Item(
            "mechanism",
            "Mechanism of onset",
            ItemType.CHOICE,
            _choices(
                ("lift", "Lifting"),
                ("fall", "Fall"),
                ("running", "Running"),
                ("prolonged_sitting", "Prolonged sitting"),
                ("none", "No clear mechanism"),
                ("other", "Other"),
            ),
        ),
        Item(
            "pain_quality",
            "Quality of the pain",
            ItemType.CHOICE,
            _choices(
                ("deep_aching_diffuse", "Deep, aching, diffuse"),
                ("precise_localized", "Precise, localized"),
            ),
        ),
        _yes_no("pain_site_variable", "Pain changes site from day to day"),
        Item(
            "pain_constancy",
            "Constant or intermittent",
            ItemType.CHOICE,
            _choices(("constant", "Constant"), ("intermittent", "Intermittent")),
        ),
        Item(
            "aggravating",
            "Aggravating activities",
            ItemType.MULTI_CHOICE,
            _choices(
                ("sitting", "Sitting"),
                ("lunging_squatting", "Lunging or squatting"),
                ("cycling", "Cycling"),
                ("change_of_direction", "Changing direction"),
                ("bending", "Bending"),
                ("lifting", "Lifting"),
                ("walking", "Walking"),
                ("stairs", "Stairs"),
                ("lying", "Lying"),
                ("repeated_movements", "Repeated movements"),
            ),
        ),
        Item(
            "sitting_tolerance_minutes",
            "Sitting tolerance (minutes)",
            ItemType.INTEGER,
            min_value=0,
            max_value=600,
        ),
        _yes_no("low_back_pain", "Low back pain"),
        _yes_no("groin_pain", "Groin pain"),
        Item(
            "leg_pain",
            "Leg pain",
            ItemType.CHOICE,
            _choices(
                ("none", "None"),
                ("above_knee", "Down the leg, above the knee"),
                ("below_knee", "Down the leg, below the knee"),
            ),
        ),
        _yes_no("paraesthesia", "Pins and needles or numbness"),
        Item("history_notes", "History notes", ItemType.TEXT),
    ),
)

PAIN_REGIONS = _choices(
    ("lumbar", "Lumbar spine"),
    ("sij_psis", "Sacroiliac joint / PSIS"),
    ("upper_buttock_iliac_crest", "Upper buttock / iliac crest"),
    ("gluteus_medius", "Gluteus medius"),
    ("deep_gluteal_piriformis", "Deep gluteal (piriformis)"),
    ("mid_buttock", "Mid buttock"),
    ("lower_buttock", "Lower buttock"),
    ("ischial_tuberosity", "Ischial tuberosity"),
    ("groin", "Groin"),
    ("posterior_thigh", "Back of the thigh"),
    ("leg_below_knee", "Leg below the knee"),
    ("perineal_saddle", "Perineum / saddle area"),
)
MIDLINE_REGIONS = frozenset({"lumbar", "perineal_saddle"})
SIDES = ("left", "right")

PAIN_LOCATION = Section(
    "pain_location",
    "Pain location",
    (
        Item(
            "pain_side",
            "Side",
            ItemType.CHOICE,
            _choices(("left", "Left"), ("right", "Right"), ("bilateral", "Both sides")),
        ),
        Item(
            "pain_regions",
            "Where is the pain?",
            ItemType.BODY_CHART,
            PAIN_REGIONS,
            help_text="SIJ zones after Kurosawa 2014.",
        ),
    ),
)

# The red-flag groups (spec, section 2); the rule set says what a yes in each means.
CAUDA_EQUINA = "cauda_equina"
SERIOUS_PATHOLOGY = "serious_pathology"
_RED_FLAG_HELP = {
    CAUDA_EQUINA: (
        "Cauda equina: any yes means same-day emergency referral "
        "(BMJ Best Practice; CSP/GIRFT suspected-CES pathway 2024)."
    ),
    SERIOUS_PATHOLOGY: (
        "Serious pathology: any yes means urgent medical referral; a screen positive, "
        "not a diagnosis (IFOMPT framework, Finucane 2020)."
    ),
}

RED_FLAGS = Section(
    "red_flags",
    "Red flags",
    (
        _red_flag(
            "rf_saddle_anaesthesia",
            "Altered feeling around the back passage or genitals, e.g. when using toilet paper",
            CAUDA_EQUINA,
        ),
        _red_flag(
            "rf_bladder_bowel",
            "New trouble passing urine or controlling the bladder or bowels "
            "(e.g. hesitancy, leaking, not feeling the need to go)",
            CAUDA_EQUINA,
        ),
        _red_flag(
            "rf_bilateral_neuro",
            "Pain, numbness, pins and needles or weakness in both legs",
            CAUDA_EQUINA,
        ),
        _red_flag(
            "rf_sexual_dysfunction",
            "A change in sexual function, e.g. numbness of the genitals during sex "
            "or difficulty getting an erection",
            CAUDA_EQUINA,
        ),
        _red_flag("rf_cancer_history", "Has had cancer", SERIOUS_PATHOLOGY),
        _red_flag("rf_weight_loss", "Losing weight without trying", SERIOUS_PATHOLOGY),
        _red_flag(
            "rf_immunosuppression",
            "A weakened immune system (e.g. chemotherapy, transplant medicines)",
            SERIOUS_PATHOLOGY,
        ),
        _red_flag("rf_steroids", "Takes steroid tablets long term", SERIOUS_PATHOLOGY),
        _red_flag("rf_iv_drug_use", "Injects drugs", SERIOUS_PATHOLOGY),
        _red_flag(
            "rf_fever_infection",
            "Fever, feeling hot and shivery, or a recent infection",
            SERIOUS_PATHOLOGY,
        ),
        _red_flag("rf_trauma", "A recent fall, accident or other injury", SERIOUS_PATHOLOGY),
        _red_flag(
            "rf_night_pain_unremitting",
            "Pain at night that does not ease with rest or changing position",
            SERIOUS_PATHOLOGY,
        ),
        _red_flag(
            "rf_major_motor_weakness",
            "Major weakness in a leg, e.g. foot drop or the leg giving way",
            SERIOUS_PATHOLOGY,
        ),
    ),
)

_LASLETT = (
    "Laslett cluster: 3 or more of 6 positive points to the SIJ (Sn 0.94, Sp 0.78); "
    "any 2 of the first 4 (distraction, thigh thrust, compression, sacral thrust) "
    "predict as well (Laslett 2005). Positive only if it reproduces the familiar pain; "
    "rule out centralization first."
)

EXAMINATION = Section(
    "examination",
    "Examination",
    (
        _test(
            "test_fair",
            "FAIR test (flexion, adduction, internal rotation)",
            "Piriformis / sciatic nerve: Sn 0.88, Sp 0.83 (Fishman 2002).",
        ),
        _test(
            "test_freiberg",
            "Freiberg test",
            "Piriformis; accuracy not established (Hopayian & Danielyan 2018).",
        ),
        _test(
            "test_pace",
            "Pace test",
            "Piriformis; accuracy not established (Hopayian & Danielyan 2018).",
        ),
        _test(
            "test_beatty",
            "Beatty test",
            "Piriformis; accuracy not established (Hopayian & Danielyan 2018).",
        ),
        _test(
            "test_seated_piriformis_stretch",
            "Seated piriformis stretch test",
            "Deep gluteal sciatic nerve entrapment: Sn 0.52, Sp 0.90 (Martin 2014).",
        ),
        _test(
            "test_active_piriformis",
            "Active piriformis test",
            "Sn 0.78, Sp 0.80 (Martin 2014); together with the seated piriformis "
            "stretch test Sn 0.91, Sp 0.80.",
        ),
        _test(
            "test_slr",
            "Straight leg raise",
            "Lumbar radicular pain; accuracy varies widely with the reference standard.",
        ),
        _test(
            "test_slump",
            "Slump test",
            "Lumbar / neural: Sn 0.84 (Majlesi 2008); specificity not verified.",
        ),
        _test("test_sij_distraction", "SIJ distraction", _LASLETT),
        _test("test_sij_thigh_thrust", "SIJ thigh thrust", _LASLETT),
        _test("test_sij_compression", "SIJ compression", _LASLETT),
        _test("test_sij_sacral_thrust", "SIJ sacral thrust", _LASLETT),
        _test("test_sij_gaenslen_left", "Gaenslen test, left", _LASLETT),
        _test("test_sij_gaenslen_right", "Gaenslen test, right", _LASLETT),
        _test(
            "test_faber",
            "FABER test",
            "SIJ / hip; the most specific single SIJ test (Nejati 2020); figures not verified.",
        ),
        _test(
            "test_puranen_orava",
            "Puranen-Orava test",
            "Proximal hamstring tendinopathy: Sn 0.76, Sp 0.82 (Cacchio 2012).",
        ),
        _test(
            "test_bent_knee_stretch",
            "Bent-knee stretch test",
            "Proximal hamstring tendinopathy: Sn 0.84, Sp 0.87.",
        ),
        _test(
            "test_modified_bent_knee_stretch",
            "Modified bent-knee stretch test",
            "Proximal hamstring tendinopathy: Sn 0.89, Sp 0.91.",
        ),
        Item(
            "repeated_movements_centralization",
            "Repeated movements centralize the pain",
            ItemType.CHOICE,
            _choices(("yes", "Yes"), ("no", "No"), ("not_tested", "Not tested")),
            help_text="Centralization points to a lumbar (discogenic) source.",
        ),
        _yes_no(
            "neuro_deficit",
            "Neurological deficit",
            "Dermatomal sensory loss, myotomal weakness or reflex change.",
        ),
    ),
)

_TRIGGER_POINT = (
    "Spot tenderness in a taut band with pain recognition or a jump sign; these "
    "discriminate, referred pain alone does not (Njoo 1994)."
)

PALPATION_AND_MUSCLES = Section(
    "palpation_muscles",
    "Palpation & muscles",
    (
        _yes_no("tender_ischial_tuberosity", "Ischial tuberosity tender"),
        _yes_no(
            "tender_piriformis",
            "Piriformis tender",
            "Proximal and medial, near the greater sciatic notch.",
        ),
        _yes_no("trigger_point_gluteus_medius", "Trigger point: gluteus medius", _TRIGGER_POINT),
        _yes_no("trigger_point_piriformis", "Trigger point: piriformis", _TRIGGER_POINT),
        _yes_no(
            "trigger_point_lumbar_paraspinals",
            "Trigger point: lumbar paraspinals",
            _TRIGGER_POINT,
        ),
        Item(
            "muscle_shortening",
            "Muscle shortening",
            ItemType.MULTI_CHOICE,
            _choices(
                ("piriformis", "Piriformis"),
                ("gluteus_medius", "Gluteus medius"),
                ("hip_flexors", "Hip flexors"),
                ("hamstrings", "Hamstrings"),
            ),
        ),
        Item(
            "lumbar_stiff_segments",
            "Stiff lumbar segments",
            ItemType.MULTI_CHOICE,
            _choices(
                ("l1_l2", "L1/2"),
                ("l2_l3", "L2/3"),
                ("l3_l4", "L3/4"),
                ("l4_l5", "L4/5"),
                ("l5_s1", "L5/S1"),
            ),
        ),
        Item(
            "muscle_thickening",
            "Chronic muscle thickening (palpable)",
            ItemType.MULTI_CHOICE,
            _choices(("lumbar_paraspinals", "Lumbar paraspinals"), ("gluteals", "Gluteals")),
        ),
        Item("exam_notes", "Examination notes", ItemType.TEXT),
    ),
)

OUTCOME_MEASURES = Section(
    "outcome_measures",
    "Outcome measures",
    (
        _measure("nprs", "Pain rating (NPRS)"),
        _measure("odi", "Oswestry Disability Index (ODI)"),
        _measure("lefs", "Lower Extremity Functional Scale (LEFS)"),
        _measure("psfs", "Patient-Specific Functional Scale (PSFS)"),
        _measure("grc", "Global Rating of Change (GRC)", "at follow-up visits", required=False),
    ),
)

BUTTOCK_PAIN_V1 = Template(
    code="buttock_pain",
    version=1,
    title="Buttock pain",
    sections=(
        HISTORY,
        PAIN_LOCATION,
        RED_FLAGS,
        EXAMINATION,
        PALPATION_AND_MUSCLES,
        OUTCOME_MEASURES,
    ),
)


def _by_side(regions: tuple[Choice, ...]) -> tuple[Choice, ...]:
    return tuple(
        choice
        for region in regions
        for choice in (
            (region,)
            if region.code in MIDLINE_REGIONS
            else tuple(Choice(f"{region.code}_{side}", f"{region.label}, {side}") for side in SIDES)
        )
    )


def unsided_regions(values: list[str]) -> dict[str, object]:
    """``pain_regions`` and ``pain_side`` as version 1 records them (what the reasoning
    reads), from a chart of either version: the regions ticked on either side, and the
    side when the chart says it (spec, section 5)."""
    regions: list[str] = []
    sides: set[str] = set()
    for value in values:
        region, _, side = value.rpartition("_")
        if side in SIDES and region in _SIDED_CODES:
            regions.append(region)
            sides.add(side)
        else:
            regions.append(value)
    findings: dict[str, object] = {"pain_regions": list(dict.fromkeys(regions))}
    if sides:
        findings["pain_side"] = "bilateral" if len(sides) == 2 else sides.pop()
    return findings


_SIDED_CODES = frozenset(choice.code for choice in PAIN_REGIONS) - MIDLINE_REGIONS

PAIN_LOCATION_BY_SIDE = Section(
    "pain_location",
    "Pain location",
    (
        Item(
            "pain_regions",
            "Where is the pain?",
            ItemType.BODY_CHART,
            _by_side(PAIN_REGIONS),
            help_text=(
                "Tick each side apart: the side of the pain follows from the regions. "
                "SIJ zones after Kurosawa 2014."
            ),
        ),
    ),
)

BUTTOCK_PAIN_V2 = Template(
    code="buttock_pain",
    version=2,
    title="Buttock pain",
    sections=(
        HISTORY,
        PAIN_LOCATION_BY_SIDE,
        RED_FLAGS,
        EXAMINATION,
        PALPATION_AND_MUSCLES,
        OUTCOME_MEASURES,
    ),
)
