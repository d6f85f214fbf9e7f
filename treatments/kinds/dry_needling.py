"""Dry needling: a built-in kind of section 5 of the clinical spec."""

from collections.abc import Mapping
from typing import Any

from ..safety import DRY_NEEDLING_CONSENT
from .common import MUSCLE_SIDE, MUSCLES, RESPONSE
from .schema import (
    CONSENT,
    CONTRAINDICATION_SCREEN,
    RED_FLAGS_CLEAR,
    Choice,
    InterventionKind,
    Param,
    ParamError,
    ParamType,
)

# Cross-field checks: given the cleaned params, raise a ParamError or return.


def _depth_within_needle(params: Mapping[str, Any]) -> None:
    depth, length = params.get("depth_mm"), params.get("needle_length_mm")
    if depth is not None and length is not None and depth > length:
        raise ParamError(
            "Depth (mm) cannot be more than the needle length (mm).", param_code="depth_mm"
        )


def _adverse_event_consistent(params: Mapping[str, Any]) -> None:
    types = params.get("adverse_event_type", [])
    if "none" in types and len(types) > 1:
        raise ParamError(
            "Adverse event: “None” cannot be chosen with an event.",
            param_code="adverse_event_type",
        )
    has_event = bool(types) and types != ["none"]
    if "adverse_event_severity" in params and not has_event:
        raise ParamError(
            "Adverse event severity needs the type of adverse event.",
            param_code="adverse_event_severity",
        )


# Needle sizes: dry-needling/acupuncture needles are sold from 13 mm (½ inch) to 100 mm
# (4 inch) long; the longest reach piriformis and gluteus minimus in larger patients.
# Diameters run from 0.16 mm (fine, superficial) to 0.35 mm (stiff, deep gluteals).
# Depth is bounded by the longest needle and checked against the one used.
DRY_NEEDLING = InterventionKind(
    code="dry_needling",
    label="Dry needling",
    description="Needling of myofascial trigger points or thickened muscle.",
    preconditions=frozenset({CONSENT, CONTRAINDICATION_SCREEN, RED_FLAGS_CLEAR}),
    params=(
        Param("muscle", "Muscle", ParamType.CHOICE, choices=MUSCLES),
        MUSCLE_SIDE,
        Param("needles", "Number of needles", ParamType.INTEGER, min_value=1, max_value=20),
        Param(
            "needle_length_mm",
            "Needle length",
            ParamType.DECIMAL,
            min_value=13,
            max_value=100,
            unit="mm",
        ),
        Param(
            "needle_gauge_mm",
            "Needle gauge",
            ParamType.DECIMAL,
            min_value="0.16",
            max_value="0.35",
            unit="mm",
            help_text="Needle diameter",
        ),
        Param("depth_mm", "Depth", ParamType.DECIMAL, min_value=1, max_value=100, unit="mm"),
        Param(
            "technique",
            "Technique",
            ParamType.CHOICE,
            choices=(
                Choice("deep_pistoning", "Deep, fast in and out (pistoning)"),
                Choice("deep_static", "Deep, static"),
                Choice("superficial", "Superficial"),
                Choice("other", "Other"),
            ),
        ),
        Param("local_twitch_response", "Local twitch response", ParamType.YES_NO),
        RESPONSE,
        Param(
            "adverse_event_type",
            "Adverse event",
            ParamType.MULTI_CHOICE,
            choices=(
                Choice("none", "None"),
                Choice("bruising", "Bruising"),
                Choice("bleeding", "Bleeding"),
                Choice("post_needling_soreness", "Post-needling soreness"),
                Choice("vasovagal", "Feeling faint (vasovagal)"),
                Choice("nerve_irritation", "Nerve irritation"),
                Choice("other", "Other"),
            ),
        ),
        Param(
            "adverse_event_severity",
            "Adverse event severity",
            ParamType.CHOICE,
            choices=(
                Choice("mild", "Mild"),
                Choice("moderate", "Moderate"),
                Choice("severe", "Severe"),
            ),
        ),
    ),
    checks=(_depth_within_needle, _adverse_event_consistent),
    # Clinic default: a single needle, 0.30 mm, the common gauge for gluteal needling;
    # length depends on the muscle and the patient, so it is not pre-filled.
    defaults={"needles": 1, "needle_gauge_mm": "0.30"},
    consent_terms=DRY_NEEDLING_CONSENT,
)
