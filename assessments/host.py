"""The plugin's contract with the clinic system that hosts it: what `assessments` and
`treatments` need from the host, and what the host gets from them.

The plugin imports nothing from the host's own apps: everything it uses of the host is
named here, and a host (our `clinic`, or any other clinic system) implements it:

- **Signals the host sends**: `visit_signing` (inside the signing transaction),
  `visit_missing` (what a draft visit still lacks before it is signed), `data_restored`
  (after a backup is loaded). The plugin's apps connect to them in `AppConfig.ready()`.
- **Registries the host offers**: the sections of its patient record and visit pages,
  the steps of a visit, one-line visit summaries, patient markers, demo seeders and the
  apps in its backup (`assessments.extensions`). The plugin registers into them in
  `AppConfig.ready()`; a host that does not render one simply never reads it.
- **Errors**: `ClinicError` and its kinds, which the plugin raises and catches and the
  host's own services raise too, so a refusal reads the same whichever side made it.
- **Host models**: the patient, episode of care and visit the plugin's records hang off,
  chosen by settings (below).
"""

from django.dispatch import Signal

from .extensions import (
    BackedUpApp,
    BackedUpAppRegistry,
    DemoSeeder,
    DemoSeederRegistry,
    MarkerSource,
    PatientMarker,
    PatientMarkers,
    RecordSection,
    RecordSectionRegistry,
    StepProgress,
    VisitStep,
    VisitSummaries,
    backed_up_apps,
    demo_seeders,
    patient_markers,
    record_sections,
    visit_sections,
    visit_steps,
    visit_summaries,
)

__all__ = [
    "AfterDischargeError",
    "BackedUpApp",
    "BackedUpAppRegistry",
    "ClinicError",
    "DemoSeeder",
    "DemoSeederRegistry",
    "MarkerSource",
    "NotVisitClinician",
    "PatientMarker",
    "PatientMarkers",
    "RecordDeletionError",
    "RecordSection",
    "RecordSectionRegistry",
    "SignedRecordError",
    "StepProgress",
    "VisitStep",
    "VisitSummaries",
    "backed_up_apps",
    "data_restored",
    "demo_seeders",
    "patient_markers",
    "record_sections",
    "visit_missing",
    "visit_sections",
    "visit_signing",
    "visit_steps",
    "visit_summaries",
]

# ---------------------------------------------------------------------------------------
# Signals the host sends

# Sent inside the signing transaction, before the visit is marked signed, with
# `visit` and `user`. Receivers freeze their own records; raising ValidationError
# refuses the signature with that message.
visit_signing = Signal()

# Sent to ask what a draft visit still lacks before it is signed, with `visit`. Each
# receiver returns a list of short sentences a physio reads ("No SOAP note."); the sign
# page lists them, and signing with any of them missing needs the physio's confirmation.
visit_missing = Signal()

# Sent after a backup has been loaded (our host: `manage.py restore`), inside its
# transaction. Apps that keep derived tables (the outcome summaries) rebuild them, so a
# backup taken before such a table existed still restores whole.
data_restored = Signal()


# ---------------------------------------------------------------------------------------
# Errors


class ClinicError(Exception):
    """A rule of the clinic was broken; the message is for the user."""


class SignedRecordError(ClinicError):
    """A signed record was about to change: it is read-only, whatever the path."""


class RecordDeletionError(ClinicError):
    """Clinical records and patients are never deleted (patients are archived instead)."""


class NotVisitClinician(ClinicError):
    """Someone other than the visit's clinician tried to write into its draft."""


class AfterDischargeError(ClinicError):
    """A discharged episode's record was about to change without a reason."""


# ---------------------------------------------------------------------------------------
# Host models
