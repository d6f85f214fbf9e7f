"""Electrotherapy: a built-in kind of section 5 of the clinical spec."""

from ..safety import ELECTROTHERAPY_CONSENT
from .schema import Choice, InterventionKind, Param, ParamType

_ELECTRICAL = ("tens", "ifc", "other")
_ULTRASOUND = ("ultrasound", "other")
ELECTROTHERAPY = InterventionKind(
    code="electrotherapy",
    label="Electrotherapy",
    description="TENS, interferential or therapeutic ultrasound.",
    params=(
        Param(
            "modality",
            "Modality",
            ParamType.CHOICE,
            required=True,
            choices=(
                Choice("tens", "TENS"),
                Choice("ifc", "Interferential (IFC)"),
                Choice("ultrasound", "Ultrasound"),
                Choice("other", "Other"),
            ),
        ),
        Param("site", "Site", ParamType.TEXT, help_text="Where the electrodes or head were"),
        # Spec section 5 TENS reference: conventional 80–150 Hz, acupuncture-like 1–5 Hz;
        # 250 Hz covers the top of TENS units' range. For IFC, the beat frequency.
        Param(
            "frequency_hz",
            "Frequency",
            ParamType.INTEGER,
            min_value=1,
            max_value=250,
            unit="Hz",
            applies_when=("modality", _ELECTRICAL),
            help_text="TENS pulse rate or IFC beat frequency",
        ),
        # Therapeutic ultrasound heads run at 1 MHz (deep) or 3 MHz (superficial).
        Param(
            "ultrasound_frequency_mhz",
            "Ultrasound frequency",
            ParamType.CHOICE,
            choices=(Choice("1", "1 MHz"), Choice("3", "3 MHz")),
            applies_when=("modality", _ULTRASOUND),
        ),
        # Spec section 5: TENS pulse width 50–250 µs.
        Param(
            "pulse_width_us",
            "Pulse width",
            ParamType.INTEGER,
            min_value=50,
            max_value=250,
            unit="µs",
            applies_when=("modality", _ELECTRICAL),
        ),
        # 100 mA is above what TENS/IFC units deliver; a plausibility bound.
        Param(
            "intensity_ma",
            "Intensity",
            ParamType.DECIMAL,
            min_value=0,
            max_value=100,
            unit="mA",
            applies_when=("modality", _ELECTRICAL),
        ),
        Param(
            "intensity_level",
            "Intensity level",
            ParamType.CHOICE,
            choices=(Choice("sensory", "Sensory"), Choice("motor", "Motor")),
            applies_when=("modality", _ELECTRICAL),
        ),
        # Therapeutic ultrasound: 0.1–3.0 W/cm² spatial average intensity.
        Param(
            "intensity_w_cm2",
            "Ultrasound intensity",
            ParamType.DECIMAL,
            min_value="0.1",
            max_value="3.0",
            unit="W/cm²",
            applies_when=("modality", _ULTRASOUND),
        ),
        Param(
            "duty_cycle_percent",
            "Duty cycle",
            ParamType.INTEGER,
            min_value=1,
            max_value=100,
            unit="%",
            help_text="100% is continuous",
        ),
        Param("minutes", "Duration", ParamType.INTEGER, min_value=1, max_value=60, unit="min"),
    ),
    # Conventional TENS. 100 Hz (within 80–150 Hz) and 100 µs (short pulses, within
    # 50–250 µs): spec section 5 TENS reference. Sensory level, 20 minutes: clinic default.
    defaults={
        "modality": "tens",
        "frequency_hz": 100,
        "pulse_width_us": 100,
        "intensity_level": "sensory",
        "minutes": 20,
    },
    consent_terms=ELECTROTHERAPY_CONSENT,
)
