"""Guards on the models themselves: a signed record never changes and a clinical record is
never deleted, whatever the path (a view, the Django admin, a shell, another app's code).

The receivers run on pre_save / pre_delete and are connected in each app's
`AppConfig.ready()` with a dispatch_uid. Fixture loads (`raw`, as `manage.py restore`
does) pass: they put back what a backup holds. Bulk operations (`QuerySet.update()`,
`bulk_create`) send no signals; the app uses them only for additions (the demo seeder)
and for the diary's reminder bookkeeping, never on these models' clinical content.
"""

from django.db import models
from django.db.models.signals import pre_delete, pre_save
from django.utils.text import capfirst

from .models import (
    Addendum,
    EpisodeOfCare,
    LaterAddition,
    Patient,
    Visit,
    VisitStatus,
    VisitTakeover,
)
from .services import RecordDeletionError, SignedRecordError


def refuse_delete(sender: type[models.Model], instance: models.Model, **kwargs) -> None:
    """pre_delete receiver: patients and clinical records are never hard-deleted."""
    if sender is Patient:
        raise RecordDeletionError("Patients are never deleted: archive the patient instead.")
    raise RecordDeletionError(
        f"{capfirst(sender._meta.verbose_name_plural)} are clinical records and are never "
        "deleted: correct them while the visit is a draft, or add an addendum once signed."
    )


def refuse_delete_of(*senders: type[models.Model], app: str) -> None:
    """Connect `refuse_delete` to each model (for each app's AppConfig.ready())."""
    for sender in senders:
        pre_delete.connect(
            refuse_delete,
            sender=sender,
            dispatch_uid=f"{app}.guards.refuse_delete.{sender._meta.model_name}",
        )


def refuse_if_visit_signed(instance: models.Model, *, what: str) -> None:
    """For a record that hangs off a visit (`visit_id`): refuse to save it when that visit,
    or the visit it was saved in before, is signed."""
    visit_ids = {instance.visit_id}
    if instance.pk is not None:
        visit_ids.update(
            type(instance)
            ._default_manager.filter(pk=instance.pk)
            .values_list("visit_id", flat=True)
        )
    if Visit.objects.filter(pk__in=visit_ids, status=VisitStatus.SIGNED).exists():
        raise SignedRecordError(
            f"The visit is signed: {what} cannot be changed. Add an addendum to the visit instead."
        )


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


def connect() -> None:
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
    refuse_delete_of(
        Patient, EpisodeOfCare, Visit, Addendum, VisitTakeover, LaterAddition, app="clinic"
    )
