"""The buttock-pain rule set: which pain sources the findings point to, and any red flag.

The rules are data (``RULES``): section 3 of the clinical spec (``buttock-pain.md``).
S rules are the clinic's own guidance, A rules additions with their published source.
Weights: 1 for the general pattern of the pain (S1 referred vs S4 local, each also
taking 1 from the other group), 2 for a finding that points at one structure, 3 for
the published tests and clusters (A3 "strongly", A7 "over bursitis", A8). A red flag
(spec section 2) overrides every suggestion (see ``engine``).

Decision support only: the clinician confirms the working diagnosis.
"""

from assessments.buttock_pain import (
    BUTTOCK_PAIN_V1,
    CAUDA_EQUINA,
    SERIOUS_PATHOLOGY,
    unsided_regions,
)
from assessments.definitions import Template

from .engine import (
    CLINIC_GUIDANCE,
    Effect,
    Findings,
    RedFlagGroup,
    Rule,
    RuleSet,
    measures_left_out,
)

RULES_VERSION = "1"

SOURCES: dict[str, str] = {
    "lumbar_referred": "Referred pain from the lumbar spine",
    "lumbar_radicular": "Lumbar radicular pain",
    "sij": "Sacroiliac joint",
    "myofascial_trigger_points": "Myofascial trigger points",
    "piriformis": "Piriformis",
    "piriformis_syndrome": "Piriformis syndrome",
    "proximal_hamstring_tendinopathy": "Proximal hamstring tendinopathy",
    "ischiogluteal_bursitis": "Ischiogluteal bursitis",
    "chronic_muscle_thickening": "Chronic muscle thickening",
}

INTERVENTIONS: dict[str, str] = {
    "spinal_mobilization": "Spinal mobilization",
    "spinal_manipulation": "Spinal manipulation",
    "dry_needling": "Dry needling",
    "soft_tissue_therapy": "Soft tissue therapy",
    "electrotherapy": "Electrotherapy",
    "stretching": "Stretching",
    "core_stability": "Core stability",
    "exercise_programme": "Exercise programme",
    "education": "Education",
}

_PIRIFORMIS_CARE = (
    "stretching",
    "electrotherapy",
    "soft_tissue_therapy",
    "core_stability",
    "exercise_programme",
)
_LOCAL_TENDON_CARE = ("core_stability", "exercise_programme")
SOURCE_INTERVENTIONS: dict[str, tuple[str, ...]] = {
    "lumbar_referred": (
        "spinal_mobilization",
        "spinal_manipulation",
        "core_stability",
        "exercise_programme",
    ),
    "lumbar_radicular": ("spinal_mobilization", "exercise_programme", "education"),
    "sij": ("stretching", "soft_tissue_therapy", "core_stability", "exercise_programme"),
    "myofascial_trigger_points": ("stretching", "soft_tissue_therapy", "dry_needling"),
    "piriformis": _PIRIFORMIS_CARE,
    "piriformis_syndrome": _PIRIFORMIS_CARE,
    "proximal_hamstring_tendinopathy": _LOCAL_TENDON_CARE,
    "ischiogluteal_bursitis": _LOCAL_TENDON_CARE,
    "chronic_muscle_thickening": ("soft_tissue_therapy", "dry_needling"),
}

RED_FLAG_GROUPS: tuple[RedFlagGroup, ...] = (
    RedFlagGroup(
        CAUDA_EQUINA,
        "Possible cauda equina syndrome",
        "emergency",
        "Emergency: same-day referral to the emergency department "
        "(suspected cauda equina syndrome).",
    ),
    RedFlagGroup(
        SERIOUS_PATHOLOGY,
        "Possible serious pathology",
        "urgent",
        "Urgent medical referral: screen positive for possible serious pathology "
        "(not a diagnosis).",
    ),
)

# What a red flag blocks until a clinician records it cleared: manipulation and dry needling
# (spec, section 3) and mobilization, which like manipulation needs a clear red-flag
# screen (spec, section 5). The treatments app's kinds declare the same precondition.
RED_FLAG_BLOCKS: tuple[str, ...] = ("spinal_mobilization", "spinal_manipulation", "dry_needling")


LOCAL_SOURCES = ("proximal_hamstring_tendinopathy", "ischiogluteal_bursitis", "piriformis")
REFERRED_SOURCES = ("lumbar_referred", "sij", "myofascial_trigger_points")


# Small readers over normalised findings (see definitions.validate_answers).


def _yes(f: Findings, code: str) -> bool:
    return f.get(code) == "yes"


def _has(f: Findings, code: str, value: str) -> bool:
    return value in f.get(code, ())  # type: ignore[operator]


_CHOICE_LABELS = {
    (item.code, choice.code): choice.label
    for item in BUTTOCK_PAIN_V1.items()
    for choice in item.options
}


def _label(code: str, value: str) -> str:
    return _CHOICE_LABELS[code, value]


def _item_label(code: str) -> str:
    return BUTTOCK_PAIN_V1.index[code].label


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(parts: list[str]) -> str:
    return _capitalised(_join(parts))


def _cite(text: str, origin: str) -> str:
    return f"{text} ({origin})"


def _positives(f: Findings, codes: tuple[str, ...]) -> list[str]:
    return [code for code in codes if f.get(code) == "positive"]


# Test names as they read inside a sentence.
_TEST_NAMES = {
    "test_fair": "FAIR test",
    "test_freiberg": "Freiberg test",
    "test_pace": "Pace test",
    "test_beatty": "Beatty test",
    "test_active_piriformis": "active piriformis test",
    "test_seated_piriformis_stretch": "seated piriformis stretch test",
    "test_slr": "straight leg raise",
    "test_slump": "slump test",
    "test_puranen_orava": "Puranen-Orava test",
    "test_bent_knee_stretch": "bent-knee stretch test",
    "test_modified_bent_knee_stretch": "modified bent-knee stretch test",
}


def _tests_text(codes: list[str]) -> str:
    return _join([_TEST_NAMES[code] for code in codes]) + " positive"


# S1, S4: the character of the pain.


def _s1_applies(f: Findings) -> bool:
    return f.get("pain_quality") == "deep_aching_diffuse" or _yes(f, "pain_site_variable")


def _s1_reason(f: Findings) -> str:
    parts = []
    if f.get("pain_quality") == "deep_aching_diffuse":
        parts.append("deep, aching, diffuse pain")
    if _yes(f, "pain_site_variable"):
        parts.append("pain that changes site from day to day")
    return _sentence(parts) + ": suggests referred pain rather than a local source"


def _s4_reason(f: Findings) -> str:
    return "Pain in a precise area: points to a source in the buttock itself"


# S5: the ischial tuberosity.


def _s5_applies(f: Findings) -> bool:
    region = _has(f, "pain_regions", "ischial_tuberosity")
    localized = (
        f.get("pain_constancy") == "constant" or f.get("pain_quality") == "precise_localized"
    )
    return (region and localized) or _yes(f, "tender_ischial_tuberosity")


def _s5_reason(f: Findings) -> str:
    parts = []
    if _has(f, "pain_regions", "ischial_tuberosity"):
        if f.get("pain_constancy") == "constant":
            parts.append("pain constantly localized to the ischial tuberosity")
        elif f.get("pain_quality") == "precise_localized":
            parts.append("pain precisely localized to the ischial tuberosity")
    if _yes(f, "tender_ischial_tuberosity"):
        parts.append("ischial tuberosity tender")
    return _sentence(parts) + ": hamstring origin tendinopathy or ischiogluteal bursitis"


# S6, S8: piriformis.


def _s6_applies(f: Findings) -> bool:
    return _has(f, "pain_regions", "deep_gluteal_piriformis") or _yes(f, "tender_piriformis")


def _s6_text(f: Findings) -> str:
    parts = []
    if _has(f, "pain_regions", "deep_gluteal_piriformis"):
        parts.append("pain in the deep gluteal (piriformis) region")
    if _yes(f, "tender_piriformis"):
        parts.append("tender proximally and medially over piriformis")
    return _sentence(parts)


def _s8_applies(f: Findings) -> bool:
    return _s6_applies(f) and f.get("leg_pain") in ("above_knee", "below_knee")


def _s8_reason(f: Findings) -> str:
    where = "below" if f.get("leg_pain") == "below_knee" else "above"
    return (
        f"{_s6_text(f)}, with sciatica-like pain down the leg ({where} the knee): "
        '"piriformis syndrome"'
    )


# S7, S9: muscles.


def _s7_applies(f: Findings) -> bool:
    return (
        _yes(f, "trigger_point_gluteus_medius")
        or _yes(f, "trigger_point_piriformis")
        or _has(f, "muscle_shortening", "gluteus_medius")
        or _has(f, "muscle_shortening", "piriformis")
    )


def _s7_reason(f: Findings) -> str:
    parts = [
        f"trigger point in {muscle}"
        for code, muscle in (
            ("trigger_point_gluteus_medius", "gluteus medius"),
            ("trigger_point_piriformis", "piriformis"),
        )
        if _yes(f, code)
    ]
    parts += [
        f"shortened {muscle}"
        for code, muscle in (("gluteus_medius", "gluteus medius"), ("piriformis", "piriformis"))
        if _has(f, "muscle_shortening", code)
    ]
    return (
        _sentence(parts) + " (gluteus medius and piriformis are the commonest trigger-point sites)"
    )


def _s9_reason(f: Findings) -> str:
    muscles = [_label("muscle_thickening", code) for code in f["muscle_thickening"]]  # type: ignore[union-attr]
    return "Chronic muscle thickening: " + _join(muscles).lower()


# A3: Laslett's SIJ cluster.

SIJ_FIRST_FOUR = (
    "test_sij_distraction",
    "test_sij_thigh_thrust",
    "test_sij_compression",
    "test_sij_sacral_thrust",
)
SIJ_TESTS = (*SIJ_FIRST_FOUR, "test_sij_gaenslen_left", "test_sij_gaenslen_right")


def _a3_applies(f: Findings) -> bool:
    if f.get("repeated_movements_centralization") == "yes":
        return False
    return len(_positives(f, SIJ_TESTS)) >= 3 or len(_positives(f, SIJ_FIRST_FOUR)) >= 2


def _a3_reason(f: Findings) -> str:
    positive = _positives(f, SIJ_TESTS)
    names = _join([_item_label(code).removeprefix("SIJ ") for code in positive])
    text = f"SIJ provocation tests {len(positive)} of 6 positive ({names})"
    if f.get("repeated_movements_centralization") != "no":
        text += "; centralization not ruled out yet: test repeated movements first"
    return _cite(text, "Laslett 2005")


# A4: lumbar signs.


def _a4_applies(f: Findings) -> bool:
    return _yes(f, "repeated_movements_centralization") or bool(f.get("lumbar_stiff_segments"))


def _a4_reason(f: Findings) -> str:
    parts = []
    segments = f.get("lumbar_stiff_segments")
    if segments:
        labels = _join([_label("lumbar_stiff_segments", code) for code in segments])  # type: ignore[union-attr]
        noun = "segment" if len(segments) == 1 else "segments"  # type: ignore[arg-type]
        parts.append(_cite(f"stiff lumbar {noun} {labels}", CLINIC_GUIDANCE))
    if _yes(f, "repeated_movements_centralization"):
        parts.append(_cite("repeated movements centralize the pain", "Laslett 2005"))
    return _capitalised("; ".join(parts))


# A5, A6: piriformis syndrome tests.

PIRIFORMIS_TESTS = ("test_fair", "test_freiberg", "test_pace", "test_beatty")
MARTIN_TESTS = ("test_active_piriformis", "test_seated_piriformis_stretch")


def _a5_applies(f: Findings) -> bool:
    return (
        _yes(f, "tender_piriformis")
        and _has(f, "aggravating", "sitting")
        and bool(_positives(f, PIRIFORMIS_TESTS))
    )


def _a5_reason(f: Findings) -> str:
    tests = _tests_text(_positives(f, PIRIFORMIS_TESTS))
    text = f"Piriformis tender, worse with sitting, and {tests}"
    if f.get("test_slr") == "negative":
        text += "; a negative straight leg raise does not rule it out"
    return _cite(text, "Hopayian 2018")


def _a6_applies(f: Findings) -> bool:
    return bool(_positives(f, MARTIN_TESTS))


def _a6_reason(f: Findings) -> str:
    positive = _positives(f, MARTIN_TESTS)
    text = _capitalised(_tests_text(positive))
    if len(positive) == 2:
        text += "; together Sn 0.91"
    return _cite(text, "Martin 2014")


# A7: proximal hamstring tendinopathy over bursitis.

HAMSTRING_TESTS = (
    "test_bent_knee_stretch",
    "test_modified_bent_knee_stretch",
    "test_puranen_orava",
)
HAMSTRING_LOADING = ("sitting", "lunging_squatting", "cycling")


def _a7_applies(f: Findings) -> bool:
    return (
        _has(f, "pain_regions", "ischial_tuberosity")
        and any(_has(f, "aggravating", activity) for activity in HAMSTRING_LOADING)
        and bool(_positives(f, HAMSTRING_TESTS))
    )


def _a7_reason(f: Findings) -> str:
    activities = [
        _label("aggravating", activity).lower()
        for activity in HAMSTRING_LOADING
        if _has(f, "aggravating", activity)
    ]
    text = (
        f"{_capitalised(_tests_text(_positives(f, HAMSTRING_TESTS)))}, with ischial tuberosity pain "
        f"worse with {_join(activities)}: favours tendinopathy over bursitis"
    )
    return _cite(text, "Cacchio 2012")


# A8: lumbar radicular pain. A neurological deficit counts on its own; SLR or slump
# only with leg pain below the knee. The spec names no single source: accuracy varies.
A8_ORIGIN = "neurological examination; test accuracy varies"


def _a8_tension(f: Findings) -> list[str]:
    if f.get("leg_pain") != "below_knee":
        return []
    return _positives(f, ("test_slr", "test_slump"))


def _a8_applies(f: Findings) -> bool:
    return _yes(f, "neuro_deficit") or bool(_a8_tension(f))


def _a8_reason(f: Findings) -> str:
    parts = []
    if _yes(f, "neuro_deficit"):
        parts.append(
            "neurological deficit (dermatomal sensory loss, myotomal weakness or reflex change)"
        )
    tension = _a8_tension(f)
    if tension:
        parts.append(_tests_text(tension) + " with leg pain below the knee")
    return _cite(_capitalised("; ".join(parts)), A8_ORIGIN)


# A9: SIJ pain zone with groin pain.


def _a9_applies(f: Findings) -> bool:
    groin = _yes(f, "groin_pain") or _has(f, "pain_regions", "groin")
    return groin and _has(f, "pain_regions", "sij_psis")


def _effects(sources: tuple[str, ...], weight: int) -> tuple[Effect, ...]:
    return tuple(Effect(source, weight) for source in sources)


RULES: tuple[Rule, ...] = (
    Rule(
        "S1",
        CLINIC_GUIDANCE,
        _effects(REFERRED_SOURCES, 1) + _effects(LOCAL_SOURCES, -1),
        _s1_applies,
        _s1_reason,
    ),
    Rule(
        "S2",
        CLINIC_GUIDANCE,
        (Effect("lumbar_referred", 2),),
        lambda f: _yes(f, "low_back_pain"),
        lambda f: "Buttock pain with low back pain: points to the lumbar spine",
    ),
    Rule(
        "S3",
        CLINIC_GUIDANCE,
        (Effect("sij", 2),),
        lambda f: _yes(f, "groin_pain"),
        lambda f: "Buttock pain with groin pain: points to the sacroiliac joint",
    ),
    Rule(
        "S4",
        CLINIC_GUIDANCE,
        _effects(LOCAL_SOURCES, 1) + _effects(REFERRED_SOURCES, -1),
        lambda f: f.get("pain_quality") == "precise_localized",
        _s4_reason,
    ),
    Rule(
        "S5",
        CLINIC_GUIDANCE,
        _effects(("proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"), 2),
        _s5_applies,
        _s5_reason,
    ),
    Rule(
        "S6",
        CLINIC_GUIDANCE,
        (Effect("piriformis", 2),),
        _s6_applies,
        lambda f: _s6_text(f) + ": points to piriformis",
    ),
    Rule(
        "S7",
        CLINIC_GUIDANCE,
        (Effect("myofascial_trigger_points", 2),),
        _s7_applies,
        _s7_reason,
    ),
    Rule(
        "S8",
        CLINIC_GUIDANCE,
        (Effect("piriformis_syndrome", 2),),
        _s8_applies,
        _s8_reason,
    ),
    Rule(
        "S9",
        CLINIC_GUIDANCE,
        (Effect("chronic_muscle_thickening", 2),),
        lambda f: bool(f.get("muscle_thickening")),
        _s9_reason,
    ),
    Rule("A3", "Laslett 2005", (Effect("sij", 3),), _a3_applies, _a3_reason),
    Rule("A4", "Laslett 2005", (Effect("lumbar_referred", 2),), _a4_applies, _a4_reason),
    Rule("A5", "Hopayian 2018", (Effect("piriformis_syndrome", 2),), _a5_applies, _a5_reason),
    Rule("A6", "Martin 2014", (Effect("piriformis_syndrome", 2),), _a6_applies, _a6_reason),
    Rule(
        "A7",
        "Cacchio 2012",
        (Effect("proximal_hamstring_tendinopathy", 3),),
        _a7_applies,
        _a7_reason,
    ),
    Rule("A8", A8_ORIGIN, (Effect("lumbar_radicular", 3),), _a8_applies, _a8_reason),
    Rule(
        "A9",
        "Kurosawa 2014",
        (Effect("sij", 1),),
        _a9_applies,
        lambda f: _cite("Pain over the SIJ / PSIS with groin pain", "Kurosawa 2014"),
    ),
)


def _read_findings(template: Template, answers: Findings) -> dict[str, object]:
    """The findings these rules read (version 1's items) from a buttock-pain assessment
    of any version: the measures are scored, not reasoned on; a body chart recorded per
    side (version 2) gives the regions ticked on either side and the side."""
    findings = measures_left_out(template, answers)
    regions = findings.get("pain_regions")
    if isinstance(regions, list):
        findings.update(unsided_regions(regions))
    return findings


RULE_SET = RuleSet(
    template_code=BUTTOCK_PAIN_V1.code,
    findings_version=BUTTOCK_PAIN_V1.version,
    version=RULES_VERSION,
    sources=SOURCES,
    source_interventions=SOURCE_INTERVENTIONS,
    red_flag_groups=RED_FLAG_GROUPS,
    rules=RULES,
    interventions=INTERVENTIONS,
    red_flag_blocks=RED_FLAG_BLOCKS,
    read_findings=_read_findings,
)
