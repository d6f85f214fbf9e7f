"""The safety screens the treatments app enforces (clinical spec, section 5). Pure data."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenItem:
    code: str
    label: str
    blocks: bool  # True: dry needling is refused; False: a caution needing justification


# Dry needling contraindication screen. Refusal or phobia, local infection at the site
# and lymphoedema of the limb block it; the others need a recorded clinical justification.
DRY_NEEDLING_SCREEN: tuple[ScreenItem, ...] = (
    ScreenItem("needle_phobia_or_refusal", "Needle phobia, or the patient refuses", True),
    ScreenItem(
        "local_infection_or_skin_lesion", "Local infection or skin lesion at the site", True
    ),
    ScreenItem("lymphoedema_of_limb", "Lymphoedema of the limb", True),
    ScreenItem("bleeding_disorder_or_anticoagulants", "Bleeding disorder or anticoagulants", False),
    ScreenItem("metal_allergy", "Metal allergy", False),
    ScreenItem("unstable_cardiac_or_valve_disease", "Unstable cardiac or valve disease", False),
    ScreenItem("uncontrolled_epilepsy", "Uncontrolled epilepsy", False),
    ScreenItem("immunosuppression", "Immunosuppression", False),
    ScreenItem("pregnancy", "Pregnancy", False),
    ScreenItem("diabetes", "Diabetes", False),
)
SCREEN_INDEX = {item.code: item for item in DRY_NEEDLING_SCREEN}

# Risks to discuss before dry needling (spec, section 5).
DRY_NEEDLING_RISKS: tuple[tuple[str, str], ...] = (
    ("bruising", "Bruising"),
    ("bleeding", "Bleeding"),
    ("pain", "Pain"),
    ("infection", "Infection"),
    ("nerve_injury", "Nerve injury"),
    ("pneumothorax", "Pneumothorax"),
)

# Local contraindications to record before spinal manipulation or mobilization
# (WHO 2005 via secondary sources; the spec marks the full list UNVERIFIED).
MANUAL_THERAPY_CAUTIONS: tuple[tuple[str, str], ...] = (
    ("fracture", "Fracture"),
    ("malignancy", "Malignancy"),
    ("infection", "Infection"),
    ("cauda_equina_signs", "Cauda equina signs"),
    ("spondylolisthesis", "Spondylolisthesis at the level"),
    ("osteoporosis", "Osteoporosis"),
    ("inflammatory_arthritis", "Inflammatory arthritis"),
)


@dataclass(frozen=True)
class ConsentTerms:
    """What a consent to one kind covers (spec section 5, "Consent, kind by kind"): the
    risks explained to the patient, those of that kind and never another's, and the
    contraindications and cautions to check first. `every_risk`: each risk must be ticked
    as discussed before the consent is recorded."""

    risks: tuple[tuple[str, str], ...] = ()
    checks: tuple[str, ...] = ()
    every_risk: bool = False
    # Said to the physio above the risks: the figures and sources behind them.
    about: str = ""


DRY_NEEDLING_CONSENT = ConsentTerms(
    risks=DRY_NEEDLING_RISKS,
    checks=tuple(item.label for item in DRY_NEEDLING_SCREEN),
    every_risk=True,
    about=(
        "Discuss each risk with the patient. Lumbar and pelvic needling also carries organ "
        "and peritoneal risk (Halle & Halle). The contraindications are recorded in the "
        "contraindication screen."
    ),
)

# Carnes 2010 (Man Ther 15(4):355–363): common and short-lived; serious events rare.
_MANUAL_THERAPY_RISKS: tuple[tuple[str, str], ...] = (
    ("more_pain_or_stiffness", "More pain or stiffness for a day or two"),
    ("headache", "Headache for a day or two"),
    ("tiredness", "Tiredness for a day or two"),
    ("serious_events_rare", "Serious events are rare (about 0.13%)"),
)
_MANUAL_THERAPY_CHECKS = (
    *(label for _code, label in MANUAL_THERAPY_CAUTIONS),
    "A clear or cleared red-flag screen",
)
_MANUAL_THERAPY_ABOUT = (
    "Minor or moderate short-lived effects follow about 41% of manual-therapy courses in "
    "cohort studies, 22% in trials; serious events are rare (Carnes 2010)."
)
SPINAL_MOBILIZATION_CONSENT = ConsentTerms(
    risks=_MANUAL_THERAPY_RISKS, checks=_MANUAL_THERAPY_CHECKS, about=_MANUAL_THERAPY_ABOUT
)
# For lumbar manipulation the spec names two more, very rare (size of risk UNVERIFIED).
SPINAL_MANIPULATION_CONSENT = ConsentTerms(
    risks=(
        *_MANUAL_THERAPY_RISKS,
        ("disc_prolapse_worse", "Worsening of a disc prolapse (very rare)"),
        ("cauda_equina_syndrome", "Cauda equina syndrome (very rare)"),
    ),
    checks=_MANUAL_THERAPY_CHECKS,
    about=_MANUAL_THERAPY_ABOUT,
)
# CSP and manufacturers' lists via secondary sources (the spec marks them UNVERIFIED in full).
ELECTROTHERAPY_CONSENT = ConsentTerms(
    risks=(
        ("skin_irritation", "Skin irritation under the electrodes"),
        ("mild_burn", "Rarely, a mild burn"),
        ("ultrasound_heating", "Ultrasound can heat the tissues"),
    ),
    checks=(
        "Do not use: a pacemaker or other implanted electrical device",
        "Do not use: electrodes over the front of the neck (carotid sinus) or the chest",
        "Do not use: over a pregnant abdomen",
        "Do not use: over broken skin or a known malignancy",
        "Caution: epilepsy",
        "Caution: reduced skin sensation",
        "Caution: bleeding disorders",
    ),
)
# Soft tissue therapy, stretching, exercise and education: verbal consent recorded in the
# note is enough.
SORENESS_CONSENT = ConsentTerms(risks=(("soreness", "Soreness after treatment"),))


@dataclass(frozen=True)
class ScreenOutcome:
    blocking: list[ScreenItem]
    cautions: list[ScreenItem]

    @property
    def clear(self) -> bool:
        return not self.blocking and not self.cautions


def evaluate_screen(present: list[str]) -> ScreenOutcome:
    """`present` are the codes of the contraindications found."""
    unknown = [code for code in present if code not in SCREEN_INDEX]
    if unknown:
        raise ValueError(f"Unknown contraindication: {', '.join(unknown)}")
    found = [SCREEN_INDEX[code] for code in present]
    return ScreenOutcome(
        blocking=[item for item in found if item.blocks],
        cautions=[item for item in found if not item.blocks],
    )
