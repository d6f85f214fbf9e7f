"""Guards on the models themselves: a signed record never changes and a clinical record is
never deleted, whatever the path (a view, the Django admin, a shell, another app's code).

The receivers run on pre_save / pre_delete and are connected in each app's
`AppConfig.ready()` with a dispatch_uid. Fixture loads (`raw`, as `manage.py restore`
does) pass: they put back what a backup holds.

Bulk operations (`QuerySet.update()`, `bulk_create`) and raw SQL send no signals: the
database's own guards (`assessments.triggers`), registered here and in each app's guards
next to the receivers they mirror, refuse them, and the plugin turns the database's refusal
into the same `SignedRecordError`. What is not the clinic's own (refusing the deletion of
clinical records, the guards of records that hang off a visit, the triggers' machinery) is
the plugin's: `assessments.record_guards`, `assessments.triggers`.
"""

from django.db import models
from django.db.models.signals import pre_delete, pre_save
from django.utils.text import capfirst

from assessments import triggers
from assessments.host import RecordDeletionError, SignedRecordError
from assessments.record_guards import refuse_delete_of

from .models import (
    Addendum,
    EpisodeOfCare,
    LaterAddition,
    Patient,
    Visit,
    VisitStatus,
    VisitTakeover,
)


def refuse_patient_delete(sender, instance: Patient, **kwargs) -> None:
    """pre_delete receiver: patients are archived, never deleted."""
    raise RecordDeletionError("Patients are never deleted: archive the patient instead.")


def protect_signed_visit(sender, instance: Visit, raw: bool = False, **kwargs) -> None:
    """pre_save receiver: once signed (in the database), a visit never changes. Signing
    itself is the one change from draft to signed."""
    if raw or instance.pk is None:
        return
    if Visit.objects.filter(pk=instance.pk, status=VisitStatus.SIGNED).exists():
        raise SignedRecordError("This visit is signed and cannot be changed; add an addendum.")


def protect_addendum(sender, instance: Addendum, raw: bool = False, **kwargs) -> None:
    """pre_save receiver: an addendum is written once; a correction is another addendum."""
    if raw or instance.pk is None:
        return
    if Addendum.objects.filter(pk=instance.pk).exists():
        raise SignedRecordError(
            "An addendum cannot be changed once added; add another addendum instead."
        )


def protect_written_once(sender, instance: models.Model, raw: bool = False, **kwargs) -> None:
    """pre_save receiver: a takeover or an addition after discharge is a record of what
    happened, written once; a later change is another row."""
    if raw or instance.pk is None:
        return
    if sender._default_manager.filter(pk=instance.pk).exists():
        raise SignedRecordError(
            f"{capfirst(sender._meta.verbose_name)} cannot be changed once recorded."
        )


# --- The same in the database (assessments.triggers) -----------------------------------------


def database_guards() -> list[triggers.Guard]:
    signed_visit = f"{triggers.REFUSAL}: this visit is signed. Add an addendum to it instead."
    written_once = f"{triggers.REFUSAL}: an addendum is written once. Add another addendum instead."
    recorded_once = f"{triggers.REFUSAL}: this is recorded once. Record another instead."
    is_signed = f"OLD.status = '{VisitStatus.SIGNED}'"
    # Signing is the one change of a visit: draft (OLD) to signed (NEW).
    return [
        triggers.Guard(Visit, "UPDATE", is_signed, signed_visit),
        triggers.Guard(Visit, "DELETE", is_signed, signed_visit),
        triggers.Guard(Addendum, "UPDATE", "1 = 1", written_once),
        triggers.Guard(Addendum, "DELETE", "1 = 1", written_once),
        # Takeovers and additions after discharge record what happened, like addenda.
        *(
            triggers.Guard(model, event, "1 = 1", recorded_once)
            for model in (VisitTakeover, LaterAddition)
            for event in ("UPDATE", "DELETE")
        ),
    ]


def connect(app_config) -> None:
    triggers.database_guards.register(*database_guards())
    pre_save.connect(
        protect_signed_visit, sender=Visit, dispatch_uid="clinic.guards.protect_signed_visit"
    )
    pre_save.connect(
        protect_addendum, sender=Addendum, dispatch_uid="clinic.guards.protect_addendum"
    )
    for model in (VisitTakeover, LaterAddition):
        pre_save.connect(
            protect_written_once,
            sender=model,
            dispatch_uid=f"clinic.guards.protect_written_once.{model._meta.model_name}",
        )
    pre_delete.connect(
        refuse_patient_delete, sender=Patient, dispatch_uid="clinic.guards.refuse_patient_delete"
    )
    refuse_delete_of(EpisodeOfCare, Visit, Addendum, VisitTakeover, LaterAddition, app="clinic")
