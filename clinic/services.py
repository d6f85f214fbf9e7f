"""Every write to patients, episodes and visits goes through these functions."""

from datetime import date, datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from assessments.host import (
    AfterDischargeError,
    ClinicError,
    NotVisitClinician,
    SignedRecordError,
    visit_signing,
)
from assessments.saving import validated

from .models import (
    Addendum,
    AppointmentStatus,
    EpisodeOfCare,
    EpisodeStatus,
    LaterAddition,
    Patient,
    Visit,
    VisitKind,
    VisitStatus,
    VisitTakeover,
    new_patient_identifier,
)


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


def patient_create(*, user=None, **fields) -> Patient:
    for _attempt in range(5):
        patient = Patient(identifier=new_patient_identifier(), updated_by=user, **fields)
        validated(patient)
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
    validated(patient)
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
    validated(patient)
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
    validated(patient)
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
    validated(episode)
    episode.save()
    return episode


@transaction.atomic
def episode_open_with_visit(
    *,
    patient: Patient,
    practitioner,
    physio,
    complaint: str,
    side: str,
    onset_date: date | None = None,
    opened_on: date | None = None,
) -> Visit:
    """A new complaint and its first visit in one step: the patient is in the room."""
    episode = episode_open(
        patient=patient,
        physio=physio,
        complaint=complaint,
        side=side,
        onset_date=onset_date,
        opened_on=opened_on,
    )
    return visit_start(episode=episode, practitioner=practitioner, kind=VisitKind.INITIAL)


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
    validated(episode)
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
    validated(visit)
    visit.save()
    return visit


# --- Who writes into a visit -------------------------------------------------------------
#
# One clinician owns a draft visit: the practitioner who saw the patient. Only they write
# into it (notes, assessments, SOAP note, interventions) and sign it, so a signed visit is
# one person's account. A colleague takes the visit over first (recorded: who, from whom,
# when, why), or adds an addendum once it is signed. The Clinic admin writes no clinical
# content at all (no clinic.record_clinical). Episode-wide records (working diagnosis,
# plan, consents, screens, red flags) are the team's and are not under this rule.


def visit_writer_refusal(visit: Visit, user) -> str:
    """Why `user` may not write into the draft `visit`, or "" when they may. A signed
    visit is refused by each write with its own message (and by the guards)."""
    if not user.has_perm("clinic.record_clinical"):
        return "Your role does not record clinical content: the visit's physiotherapist does."
    if visit.practitioner_id != user.pk:
        return (
            f"This visit is {_display_name(visit.practitioner)}'s: take it over to write in "
            "it, or add an addendum once it is signed."
        )
    return ""


def can_write_visit(visit: Visit, user) -> bool:
    """Whether the visit page offers `user` its forms: a draft visit of their own."""
    return not visit.is_signed and not visit_writer_refusal(visit, user)


def check_visit_writer(visit: Visit, user) -> Visit:
    """Refuse (NotVisitClinician) a write by anyone but the visit's clinician; call it
    first in every write into a visit. Locks the visit row until the write commits, so a
    takeover cannot slip in between this check and the write, and saves into the visit
    (the first save of an assessment or a note included) wait for one another. Returns the
    locked visit, with its episode."""
    locked = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("practitioner", "episode")
        .get(pk=visit.pk)
    )
    refusal = "" if locked.is_signed else visit_writer_refusal(locked, user)
    if refusal:
        raise NotVisitClinician(refusal)
    return locked


TAKEOVER_REASON_LIMIT = 200  # characters; the form says the same


@transaction.atomic
def visit_take_over(*, visit: Visit, user, reason: str) -> VisitTakeover:
    """Make `user` the clinician of a colleague's draft visit, recorded with the reason;
    from then on only they write into it and sign it."""
    visit = Visit.objects.select_for_update().select_related("practitioner").get(pk=visit.pk)
    if visit.is_signed:
        raise SignedRecordError(
            "This visit is signed: it cannot be taken over. Add an addendum instead."
        )
    if not user.has_perm("clinic.record_clinical"):
        raise NotVisitClinician("Only a physiotherapist can take over a visit.")
    if visit.practitioner_id == user.pk:
        raise ClinicError("This visit is already yours.")
    reason = reason.strip()
    if not reason:
        raise ClinicError(
            f"Say why you take the visit over from {_display_name(visit.practitioner)} "
            "(e.g. they are away and the patient is waiting)."
        )
    if len(reason) > TAKEOVER_REASON_LIMIT:
        raise ClinicError(
            f"Keep the reason to at most {TAKEOVER_REASON_LIMIT} characters (it has {len(reason)})."
        )
    takeover = VisitTakeover(
        visit=visit, taken_from=visit.practitioner, taken_by=user, reason=reason
    )
    validated(takeover)
    takeover.save()
    visit.practitioner = user
    visit.save(update_fields=["practitioner"])
    return takeover


@transaction.atomic
def visit_update(*, visit: Visit, user, **fields) -> Visit:
    visit = check_visit_writer(visit, user)
    if visit.is_signed:
        raise SignedRecordError("This visit is signed and cannot be changed; add an addendum.")
    for name, value in fields.items():
        setattr(visit, name, value)
    validated(visit)
    visit.save()
    return visit


@transaction.atomic
def visit_sign(*, visit: Visit, user) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.is_signed:
        raise SignedRecordError("This visit is already signed.")
    if visit.practitioner_id != user.pk:
        raise NotVisitClinician(
            "Only the practitioner who saw the patient can sign this visit: take it over "
            "first to sign it yourself."
        )
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
    # Addenda amend what a clinician vouched for by signing. On a draft nothing is vouched
    # for yet and the text it would comment on can still change, so a colleague takes the
    # visit over (recorded) or waits for the signature.
    if not visit.is_signed:
        if visit.practitioner_id == author.pk:
            raise ClinicError("Addenda are for signed visits; edit the draft instead.")
        raise ClinicError(
            f"Addenda are for signed visits: {_display_name(visit.practitioner)} signs this "
            "one first, or take the visit over to write in it."
        )
    addendum = Addendum(visit=visit, author=author, text=text, reason=reason)
    validated(addendum)
    addendum.save()
    return addendum


# --- Changes after discharge ---------------------------------------------------------------
#
# A discharge summary goes to the GP and the patient. A later change to the episode's
# working diagnosis, plan or consents is allowed (a consultant's letter corrects the
# diagnosis, a consent given during care was recorded late) but never silent: it needs a
# reason and is kept as a LaterAddition, which the summary lists as added after discharge.

AFTER_DISCHARGE_REASON_LIMIT = 200  # characters; the forms say the same


def check_after_discharge(*, episode: EpisodeOfCare, what: str, reason: str) -> str:
    """Call first in a change to `what` of an episode. "" while the episode is open; once
    discharged, the reason the change needs (stripped), or AfterDischargeError."""
    # Read now, not from the caller's copy: the form may have been opened before discharge.
    status, closed_on = EpisodeOfCare.objects.values_list("status", "closed_on").get(pk=episode.pk)
    if status != EpisodeStatus.DISCHARGED:
        return ""
    reason = (reason or "").strip()
    if not reason:
        raise AfterDischargeError(
            f"This episode was discharged on {closed_on:%-d %b %Y}: a change to {what} now "
            "needs a reason, and is added to the discharge summary."
        )
    if len(reason) > AFTER_DISCHARGE_REASON_LIMIT:
        raise AfterDischargeError(
            f"Keep the reason to at most {AFTER_DISCHARGE_REASON_LIMIT} characters "
            f"(it has {len(reason)})."
        )
    return reason


def later_addition_record(
    *, episode: EpisodeOfCare, user, what: str, change: str, reason: str
) -> LaterAddition:
    """Keep a change to a discharged episode (after check_after_discharge gave its reason)."""
    addition = LaterAddition(episode=episode, what=what, change=change, reason=reason, author=user)
    validated(addition, error=AfterDischargeError)
    addition.save()
    return addition
