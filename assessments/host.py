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

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models
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
    "EPISODE_MODEL",
    "PATIENT_MODEL",
    "VISIT_MODEL",
    "get_episode_model",
    "get_patient_model",
    "get_visit_model",
    "signed_visits",
    "swappable_dependencies",
    "visit_signed_sql",
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
#
# The plugin's records hang off three models of the host, chosen by settings in the manner
# of AUTH_USER_MODEL (defaults: our reference host, `clinic`):
#
#     CLINICAL_PATIENT_MODEL = "clinic.Patient"
#     CLINICAL_EPISODE_MODEL = "clinic.EpisodeOfCare"
#     CLINICAL_VISIT_MODEL = "clinic.Visit"
#
# Foreign keys name them by these strings, in the models and in the migrations
# (`to=host.VISIT_MODEL`, `*host.swappable_dependencies()`): a migration `makemigrations`
# writes names our host's models (`to="clinic.visit"`); change it to these before
# committing (tests/test_plugin_boundary.py fails until then). Code reaches the models
# through the getters.

PATIENT_MODEL = getattr(settings, "CLINICAL_PATIENT_MODEL", "clinic.Patient")
EPISODE_MODEL = getattr(settings, "CLINICAL_EPISODE_MODEL", "clinic.EpisodeOfCare")
VISIT_MODEL = getattr(settings, "CLINICAL_VISIT_MODEL", "clinic.Visit")


def swappable_dependencies() -> list[tuple[str, str]]:
    """A plugin migration's dependencies on the host's models, whatever app holds them:
    `dependencies = [("assessments", "0001_initial"), *host.swappable_dependencies()]`."""
    labels = dict.fromkeys((PATIENT_MODEL, EPISODE_MODEL, VISIT_MODEL))
    return [migrations.swappable_dependency(label) for label in labels]


def _host_model(setting: str, label: str) -> type[models.Model]:
    try:
        return django_apps.get_model(label, require_ready=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"{setting} must be of the form 'app_label.model_name'."
        ) from None
    except LookupError:
        raise ImproperlyConfigured(
            f"{setting} refers to model {label!r}, which is not installed."
        ) from None


def get_patient_model() -> type[models.Model]:
    return _host_model("CLINICAL_PATIENT_MODEL", PATIENT_MODEL)


def get_episode_model() -> type[models.Model]:
    return _host_model("CLINICAL_EPISODE_MODEL", EPISODE_MODEL)


def get_visit_model() -> type[models.Model]:
    return _host_model("CLINICAL_VISIT_MODEL", VISIT_MODEL)


def signed_visits() -> models.QuerySet:
    """The host's signed visits: its visit model's default manager has `signed()`."""
    return get_visit_model()._default_manager.signed()


def visit_signed_sql(row: str) -> str:
    """SQL, for the database's guards: the visit that `row` (OLD or NEW in a trigger) hangs
    off (`row.visit_id`) is signed. The host's visit model says how a signed row reads, as
    an SQL condition over an alias: `Visit.signed_sql("v")` -> "v.status = 'signed'"."""
    visit = get_visit_model()
    return (
        f"EXISTS (SELECT 1 FROM {visit._meta.db_table} signed_visit "
        f"WHERE signed_visit.{visit._meta.pk.column} = {row}.visit_id "
        f"AND {visit.signed_sql('signed_visit')})"
    )
