"""Every write to patients, episodes and visits goes through these functions."""

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .models import (
    Addendum,
    AppointmentStatus,
    EpisodeOfCare,
    EpisodeStatus,
    Patient,
    Visit,
    VisitStatus,
    new_patient_identifier,
)
from .signals import visit_signing


class ClinicError(Exception):
    """A rule of the clinic was broken; the message is for the user."""


class SignedRecordError(ClinicError):
    """A signed record was about to change: it is read-only, whatever the path."""


class RecordDeletionError(ClinicError):
    """Clinical records and patients are never deleted (patients are archived instead)."""


class StalePatientDetails(ClinicError):
    """The details were saved by someone else after this form was opened."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        who = _display_name(patient.updated_by) if patient.updated_by else "Someone"
        when = timezone.localtime(patient.updated_at).strftime("%H:%M on %d %b %Y")
        super().__init__(
            f"{who} changed these details at {when}; your changes are still in the form: "
            "check them against the saved details below and save again."
        )


M = TypeVar("M", bound=models.Model)


def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint the database refused a write for (PostgreSQL says;
    SQLite does not)."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def insert_unless_taken(row: M, *, taken: Callable[[], M | None]) -> M | None:
    """Insert `row`, the first of what the database allows once (an assessment per visit,
    a plan per episode...): None once inserted, or the row `taken()` finds instead.

    The callers serialise first saves on the parent's row lock, so this normally just
    inserts. Should a writer that does not take that lock have inserted the row meanwhile,
    the database refuses ours (its one-per constraint); the savepoint keeps the
    transaction usable, and the row that won is returned for the caller to answer as it
    answers a clash with a later edit: told who saved, never a 500."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        winner = taken()
        if winner is None:
            raise
        return winner
    return None


def patient_create(*, user=None, **fields) -> Patient:
    for _attempt in range(5):
        patient = Patient(identifier=new_patient_identifier(), updated_by=user, **fields)
        patient.full_clean()
        try:
            with transaction.atomic():
                patient.save()
            return patient
        except IntegrityError:
            # A clinic number collided (1 in ~10^11): draw another.
            continue
    raise ClinicError("Could not allocate a clinic number; please try again.")


@transaction.atomic
def patient_update(
    *, patient: Patient, user=None, revision: int | None = None, **fields
) -> Patient:
    """Change a patient's details. Given the `revision` the form was opened at, a save
    over someone else's later change is refused (StalePatientDetails), never merged."""
    patient = (
        Patient.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=patient.pk)
    )
    if revision is not None and patient.revision != revision:
        raise StalePatientDetails(patient)
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.revision += 1
    patient.updated_by = user
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_archive(*, patient: Patient, user, reason: str) -> Patient:
    """Hide a patient from the lists, the searches and the diary; the record, the
    reports and the audit log keep everything."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.is_archived:
        raise ClinicError("This patient is already archived.")
    reason = reason.strip()
    if not reason:
        raise ClinicError("Say why the patient is archived (e.g. registered twice, moved away).")
    if Visit.objects.for_patient(patient).drafts().exists():
        raise ClinicError(
            "This patient has unsigned visits: the physio signs them first, then archive."
        )
    if patient.appointments.filter(
        status__in=[AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED], end__gte=timezone.now()
    ).exists():
        raise ClinicError("This patient has appointments booked: cancel them in the diary first.")
    patient.archived_at = timezone.now()
    patient.archived_by = user
    patient.archive_reason = reason
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_unarchive(*, patient: Patient, user) -> Patient:
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if not patient.is_archived:
        raise ClinicError("This patient is not archived.")
    # Who archived it and why stay in the audit log.
    patient.archived_at = None
    patient.archived_by = None
    patient.archive_reason = ""
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def episode_open(
    *,
    patient: Patient,
    physio,
    complaint: str,
    side: str,
    onset_date: date | None = None,
    opened_on: date | None = None,
) -> EpisodeOfCare:
    if patient.is_archived:
        raise ClinicError("This patient is archived: the Clinic admin unarchives them first.")
    episode = EpisodeOfCare(
        patient=patient,
        physio=physio,
        complaint=complaint,
        side=side,
        onset_date=onset_date,
        opened_on=opened_on or timezone.localdate(),
    )
    episode.full_clean()
    episode.save()
    return episode


@transaction.atomic
def episode_discharge(
    *, episode: EpisodeOfCare, reason: str, notes: str = "", closed_on: date | None = None
) -> EpisodeOfCare:
    episode = EpisodeOfCare.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_open:
        raise ClinicError("This episode has already been discharged.")
    closed_on = closed_on or timezone.localdate()
    if closed_on < episode.opened_on:
        raise ClinicError("The discharge date cannot be before the episode was opened.")
    if episode.visits.filter(status=VisitStatus.DRAFT).exists():
        raise ClinicError("Sign or finish the draft visits of this episode before discharging.")
    episode.status = EpisodeStatus.DISCHARGED
    episode.discharge_reason = reason
    episode.discharge_notes = notes
    episode.closed_on = closed_on
    episode.full_clean()
    episode.save()
    return episode


@transaction.atomic
def episode_set_follow_up(*, episode: EpisodeOfCare, interval_days: int | None) -> EpisodeOfCare:
    """Record how often the patient should be seen (the treatments app's plan calls this)."""
    if interval_days is not None and not 1 <= interval_days <= 365:
        raise ClinicError("The follow-up interval must be between 1 and 365 days.")
    episode.follow_up_interval_days = interval_days
    episode.save(update_fields=["follow_up_interval_days"])
    return episode


@transaction.atomic
def visit_start(
    *, episode: EpisodeOfCare, practitioner, kind: str, starts_at: datetime | None = None
) -> Visit:
    if not episode.is_open:
        raise ClinicError("Visits can only be started in an open episode.")
    visit = Visit(
        episode=episode, practitioner=practitioner, kind=kind, starts_at=starts_at or timezone.now()
    )
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def visit_update(*, visit: Visit, **fields) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.is_signed:
        raise SignedRecordError("This visit is signed and cannot be changed; add an addendum.")
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def visit_sign(*, visit: Visit, user) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.is_signed:
        raise SignedRecordError("This visit is already signed.")
    if visit.practitioner_id != user.pk:
        raise ClinicError("Only the practitioner who saw the patient can sign this visit.")
    # Plugin apps freeze their records (and may refuse) before the visit is signed.
    try:
        visit_signing.send(sender=Visit, visit=visit, user=user)
    except ValidationError as error:
        raise ClinicError(" ".join(error.messages)) from error
    visit.status = VisitStatus.SIGNED
    visit.signed_by = user
    visit.signed_at = timezone.now()
    visit.save()
    return visit


@transaction.atomic
def addendum_add(*, visit: Visit, author, text: str, reason: str) -> Addendum:
    if not visit.is_signed:
        raise ClinicError("Addenda are for signed visits; edit the draft instead.")
    addendum = Addendum(visit=visit, author=author, text=text, reason=reason)
    addendum.full_clean()
    addendum.save()
    return addendum
