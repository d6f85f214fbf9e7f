"""Carebook's writes, and its rules for writing into sessions and care plans: the module
CLINICAL_HOST_SERVICES names (`assessments.host.HostServices`), which the plugin's own
writes obey."""

from assessments.host import (
    AfterDischargeError,
    ClinicError,
    NotVisitClinician,
    SignedRecordError,
    visit_signing,
)
from django.db import transaction
from django.utils import timezone

from .models import CarePlan, PlanAmendment, Session

REASON_LIMIT = 200  # characters, as PlanAmendment.reason holds


def visit_writer_refusal(visit: Session, user) -> str:
    """Only the session's own clinician writes into it, and only in a role that writes."""
    if not user.has_perm("carebook.write_session"):
        return "Only a physio writes into a session."
    if visit.practitioner_id != user.pk:
        return "This session is another clinician's: only they write into it."
    return ""


def can_write_visit(visit: Session, user) -> bool:
    return not visit.is_signed and not visit_writer_refusal(visit, user)


def check_visit_writer(visit: Session, user) -> Session:
    locked = (
        Session.objects.select_for_update(of=("self",))
        .select_related("practitioner", "episode")
        .get(pk=visit.pk)
    )
    refusal = "" if locked.is_signed else visit_writer_refusal(locked, user)
    if refusal:
        raise NotVisitClinician(refusal)
    return locked


def check_after_discharge(*, episode: CarePlan, what: str, reason: str) -> str:
    status, closed_on = CarePlan.objects.values_list("status", "closed_on").get(pk=episode.pk)
    if status == "open":
        return ""
    reason = (reason or "").strip()
    if not reason:
        raise AfterDischargeError(
            f"This care plan was closed on {closed_on:%-d %b %Y}: a change to {what} now "
            "needs a reason."
        )
    if len(reason) > REASON_LIMIT:
        raise AfterDischargeError(f"Keep the reason to at most {REASON_LIMIT} characters.")
    return reason


def later_addition_record(
    *, episode: CarePlan, user, what: str, change: str, reason: str
) -> PlanAmendment:
    return PlanAmendment.objects.create(
        episode=episode, what=what, change=change, reason=reason, author=user
    )


def episode_set_follow_up(*, episode: CarePlan, interval_days: int | None) -> CarePlan:
    if interval_days is not None and not 1 <= interval_days <= 365:
        raise ClinicError("The review interval must be between 1 and 365 days.")
    episode.review_every_days = interval_days
    episode.save(update_fields=["review_every_days"])
    return episode


def session_sign(*, session: Session, user) -> Session:
    """Sign the session: the plugin freezes its records first (`visit_signing`, inside
    this transaction; a receiver raising refuses the signature)."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.is_signed:
            raise SignedRecordError("This session is already signed.")
        visit_signing.send(sender=Session, visit=session, user=user)
        session.signed_at = timezone.now()
        session.signed_by = user
        session.save(update_fields=["signed_at", "signed_by"])
    return session
