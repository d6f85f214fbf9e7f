"""What the second host still waits for from the plugin's contract (issue 12, section 2).
Each test that needs a piece not yet landed is marked with it; once the piece lands the
test passes (XPASS): remove its mark, and this module with the last one."""

import pytest

REQUIRE = (
    "the plugin's own `require`: assessments/views.py, treatments/views.py and "
    "treatments/views_outcomes.py import clinic.views, so the plugin's URLconf cannot load "
    "without clinic"
)
PERMISSIONS = (
    "plugin-owned permissions: the plugin's views and templates check "
    "clinic.record_clinical / clinic.view_clinical_record / clinic.view_outcome_report, "
    "which no role of a host without clinic can hold"
)
BASE_TEMPLATE = (
    "CLINICAL_BASE_TEMPLATE and the plugin's own partials and tags: its templates extend "
    "base.html, include partials/patient_banner.html and load clinic_tags"
)
FHIR = "treatments/fhir.py imports clinic.models (DischargeReason, EpisodeStatus)"
SYSTEM_CHECK = "the contract's system check (assessments.checks over host.REQUIRED)"


def pending(*pieces: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(reason="contract not landed yet: " + "; ".join(pieces))
