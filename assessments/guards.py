"""Signed assessments and their scores never change; assessments are never deleted
(see assessments.record_guards, which these receivers build on), and the database refuses the same
(assessments.triggers)."""

from django.db.models.signals import pre_delete, pre_save

from . import triggers
from .host import RecordDeletionError, SignedRecordError
from .models import (
    Assessment,
    AssessmentStatus,
    Measurement,
    RedFlagAlert,
    RedFlagReferral,
    WorkingDiagnosis,
)
from .record_guards import (
    guards_of_visit_records,
    refuse_delete_of,
    refuse_if_visit_signed,
    visit_is_signed,
)


def protect_signed_assessment(sender, instance: Assessment, raw: bool = False, **kwargs) -> None:
    """pre_save receiver. The one change allowed to reach `signed` is the freeze at
    signing (assessments.host.visit_signing), which runs while the visit is still a draft."""
    if raw:
        return
    if (
        instance.pk is not None
        and Assessment.objects.filter(pk=instance.pk, status=AssessmentStatus.SIGNED).exists()
    ):
        raise SignedRecordError("This assessment is signed and cannot be changed.")
    refuse_if_visit_signed(instance, what="its assessments")


def protect_signed_measurement(sender, instance: Measurement, raw: bool = False, **kwargs) -> None:
    if not raw:
        refuse_if_visit_signed(instance, what="its scores")


def refuse_delete_of_signed_measurement(sender, instance: Measurement, **kwargs) -> None:
    """Scores of a draft are replaced when the assessment is saved again; a signed visit's
    scores stay."""
    try:
        refuse_if_visit_signed(instance, what="its scores")
    except SignedRecordError as error:
        raise RecordDeletionError(str(error)) from None


def protect_signed_referral(sender, instance: RedFlagReferral, raw: bool = False, **kwargs) -> None:
    """pre_save receiver: a referral of a signed visit is kept as recorded; one may still
    be added (a late record), as an adverse event may."""
    if not raw and instance.pk is not None:
        refuse_if_visit_signed(instance, what="its red-flag referrals")


def database_guards() -> list[triggers.Guard]:
    """The freeze at signing sets an assessment to signed while its visit is still a
    draft, and passes: only a row already signed, or of a signed visit, is refused."""
    is_signed = f"OLD.status = '{AssessmentStatus.SIGNED}'"
    message = f"{triggers.REFUSAL}: this assessment, or its visit, is signed."
    return [
        triggers.Guard(
            Assessment,
            "UPDATE",
            f"{is_signed} OR {visit_is_signed('OLD')} OR {visit_is_signed('NEW')}",
            message,
        ),
        triggers.Guard(Assessment, "DELETE", f"{is_signed} OR {visit_is_signed('OLD')}", message),
        *guards_of_visit_records(Assessment, records="its assessments", events=["INSERT"]),
        *guards_of_visit_records(Measurement, records="its scores"),
        *guards_of_visit_records(
            RedFlagReferral, records="its red-flag referrals", events=["UPDATE", "DELETE"]
        ),
    ]


def connect() -> None:
    triggers.database_guards.register(*database_guards())
    pre_save.connect(
        protect_signed_assessment,
        sender=Assessment,
        dispatch_uid="assessments.guards.protect_signed_assessment",
    )
    pre_save.connect(
        protect_signed_measurement,
        sender=Measurement,
        dispatch_uid="assessments.guards.protect_signed_measurement",
    )
    pre_delete.connect(
        refuse_delete_of_signed_measurement,
        sender=Measurement,
        dispatch_uid="assessments.guards.refuse_delete_of_signed_measurement",
    )
    pre_save.connect(
        protect_signed_referral,
        sender=RedFlagReferral,
        dispatch_uid="assessments.guards.protect_signed_referral",
    )
    refuse_delete_of(Assessment, WorkingDiagnosis, RedFlagAlert, RedFlagReferral, app="assessments")
