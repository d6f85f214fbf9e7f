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
  chosen by settings, and what the plugin reads of them (the Protocols below).
- **Host services**: the host's rules for writing into its visits and episodes (who may
  write into a visit, changes after discharge), named by a setting.
"""

import functools
import importlib
from datetime import date, datetime
from typing import Any, Protocol

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models
from django.dispatch import Signal

from .extensions import (
    BackedUpApp,
    BackedUpAppRegistry,
    DemoContext,
    DemoSeeder,
    DemoSeederRegistry,
    MarkerSource,
    PatientMarker,
    PatientMarkers,
    RecordSection,
    RecordSectionRegistry,
    StepProgress,
    SummarySource,
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
    "EPISODE_DISCHARGED",
    "EPISODE_OPEN",
    "EPISODE_STATUS_CHOICES",
    "EpisodeOfCare",
    "HostServices",
    "Patient",
    "Visit",
    "services",
    "EPISODE_MODEL",
    "PATIENT_MODEL",
    "VISIT_MODEL",
    "get_episode_model",
    "get_patient_model",
    "get_visit_model",
    "episodes",
    "patients",
    "signed_visits",
    "visits",
    "swappable_dependencies",
    "visit_signed_sql",
    "AfterDischargeError",
    "BackedUpApp",
    "BackedUpAppRegistry",
    "ClinicError",
    "DemoContext",
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
    "SummarySource",
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


def patients() -> models.QuerySet:
    return get_patient_model()._default_manager.all()


def episodes() -> models.QuerySet:
    return get_episode_model()._default_manager.all()


def visits() -> models.QuerySet:
    return get_visit_model()._default_manager.all()


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


# What the plugin reads of them. The fields it queries (filters, joins, the outcome
# report's SQL) must be real model fields of these names; the rest may be properties, so
# a host with other names adapts by a property (`full_name = property(...)`).
# `assessments.checks` names whatever a configured model lacks.

EPISODE_OPEN = "open"  # the episode's `status` while it is open
EPISODE_DISCHARGED = "discharged"  # ... and once discharged
EPISODE_GOALS_MET = "goals_met"  # its `discharge_reason` when it ended with the goals met
EPISODE_STATUS_CHOICES = [(EPISODE_OPEN, "Open"), (EPISODE_DISCHARGED, "Discharged")]


class Patient(Protocol):
    pk: int
    identifier: str  # field: the clinic's own record number, shown beside the name
    full_name: str
    date_of_birth: date | None

    def get_absolute_url(self) -> str: ...  # the patient's record
    def get_additional_data(self) -> dict: ...  # {"patient_id": pk}, for the audit log


class EpisodeOfCare(Protocol):
    pk: int
    patient: Patient  # field
    patient_id: int
    physio: Any  # field: the user in charge (AUTH_USER_MODEL)
    status: str  # field: EPISODE_OPEN or EPISODE_DISCHARGED
    opened_on: date  # field
    closed_on: date | None  # field
    onset_date: date | None  # when the complaint began, if known
    discharge_reason: str  # EPISODE_GOALS_MET or another reason; "" while open
    complaint: str
    is_open: bool

    def get_absolute_url(self) -> str: ...
    def get_additional_data(self) -> dict: ...


class Visit(Protocol):
    pk: int
    episode: EpisodeOfCare  # field
    episode_id: int
    practitioner: Any  # field: the clinician who records and signs it (AUTH_USER_MODEL)
    practitioner_id: int
    starts_at: datetime  # field
    is_signed: bool
    is_initial: bool  # the visit that opens the episode's assessment (red flags asked)

    def get_kind_display(self) -> str: ...  # the kind of visit in words ("Follow-up")

    @classmethod
    def signed_sql(cls, alias: str) -> str: ...  # SQL: the visit row `alias` is signed

    def get_absolute_url(self) -> str: ...
    def get_additional_data(self) -> dict: ...

    # Optional: where a colleague takes the draft over; the plugin's read-only pages of a
    # colleague's draft link to it when the host has one.
    # def get_take_over_url(self) -> str: ...


# The host's rules for writing into its visits and episodes, which the plugin's writes
# obey: the module named by CLINICAL_HOST_SERVICES, default our host's
# "clinic.services", with these functions.


class HostServices(Protocol):
    def visit_writer_refusal(self, visit: Visit, user) -> str:
        """Why `user` may not write into the draft `visit`, or "" when they may."""

    def can_write_visit(self, visit: Visit, user) -> bool:
        """Whether the visit's page offers `user` its forms."""

    def check_visit_writer(self, visit: Visit, user) -> Visit:
        """Refuse (NotVisitClinician) a write by anyone but the visit's clinician; lock the
        visit row until the write commits; return the locked visit, with its episode."""

    def check_after_discharge(self, *, episode: EpisodeOfCare, what: str, reason: str) -> str:
        """ "" while the episode is open; once discharged, the reason the change to `what`
        needs (stripped), or AfterDischargeError."""

    def later_addition_record(
        self, *, episode: EpisodeOfCare, user, what: str, change: str, reason: str
    ) -> object:
        """Keep a change made to a discharged episode, with its reason."""

    def episode_set_follow_up(self, *, episode: EpisodeOfCare, interval_days: int | None):
        """Record how often the patient should be seen (the treatment plan sets it)."""


HOST_SERVICES = getattr(settings, "CLINICAL_HOST_SERVICES", "clinic.services")


@functools.cache
def services() -> HostServices:
    """The host's services: the module CLINICAL_HOST_SERVICES names."""
    try:
        return importlib.import_module(HOST_SERVICES)  # type: ignore[return-value]
    except ImportError as error:
        raise ImproperlyConfigured(
            f"CLINICAL_HOST_SERVICES names {HOST_SERVICES!r}, which cannot be imported: {error}"
        ) from error


# The names `assessments.checks` looks for on each model (fields or attributes).
REQUIRED = {
    "CLINICAL_PATIENT_MODEL": (
        ("full_name", "date_of_birth", "get_absolute_url", "get_additional_data"),
        ("identifier",),
    ),
    "CLINICAL_EPISODE_MODEL": (
        (
            "complaint",
            "is_open",
            "onset_date",
            "discharge_reason",
            "get_absolute_url",
            "get_additional_data",
        ),
        ("patient", "physio", "status", "opened_on", "closed_on"),
    ),
    "CLINICAL_VISIT_MODEL": (
        (
            "is_signed",
            "is_initial",
            "get_kind_display",
            "signed_sql",
            "get_absolute_url",
            "get_additional_data",
        ),
        ("episode", "practitioner", "starts_at"),
    ),
}
HOST_SERVICE_NAMES = (
    "visit_writer_refusal",
    "can_write_visit",
    "check_visit_writer",
    "check_after_discharge",
    "later_addition_record",
    "episode_set_follow_up",
)
