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
