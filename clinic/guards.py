"""Guards on the models themselves: a signed record never changes and a clinical record is
never deleted, whatever the path (a view, the Django admin, a shell, another app's code).

The receivers run on pre_save / pre_delete and are connected in each app's
`AppConfig.ready()` with a dispatch_uid. Fixture loads (`raw`, as `manage.py restore`
does) pass: they put back what a backup holds.

Bulk operations (`QuerySet.update()`, `bulk_create`) and raw SQL send no signals: the
database's own guards (`clinic.triggers`), registered here and in each app's guards next
to the receivers they mirror, refuse them, and `refusal_as_signed_record_error` turns the
database's refusal into the same `SignedRecordError`.
"""

from django.db import IntegrityError, models
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_delete, pre_migrate, pre_save
from django.utils.text import capfirst

from assessments.host import RecordDeletionError, SignedRecordError

from . import triggers
from .models import (
    Addendum,
    EpisodeOfCare,
    LaterAddition,
    Patient,
    Visit,
    VisitStatus,
    VisitTakeover,
)


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


# --- The same in the database (clinic.triggers) -----------------------------------------


def visit_is_signed(row: str) -> str:
    """SQL: the visit of `row` (OLD or NEW in a trigger) is signed."""
    return (
        f"EXISTS (SELECT 1 FROM {Visit._meta.db_table} signed_visit "
        f"WHERE signed_visit.id = {row}.visit_id AND signed_visit.status = '{VisitStatus.SIGNED}')"
    )


def guards_of_visit_records(
    model: type[models.Model], *, records: str, events=triggers.EVENTS
) -> list[triggers.Guard]:
    """For a record that hangs off a visit (`visit_id`): none is changed, deleted or added
    while its visit, or the visit it is moved to or from, is signed."""
    message = (
        f"{triggers.REFUSAL}: the visit is signed, and {records} with it. "
        "Add an addendum to the visit instead."
    )
    refuse_when = {
        "INSERT": visit_is_signed("NEW"),
        "UPDATE": f"{visit_is_signed('OLD')} OR {visit_is_signed('NEW')}",
        "DELETE": visit_is_signed("OLD"),
    }
    return [triggers.Guard(model, event, refuse_when[event], message) for event in events]


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


def refusal_as_signed_record_error(execute, sql, params, many, context):
    """Execute wrapper on every connection: the database's refusal is raised as the ORM
    guards' `SignedRecordError`, with the database's message."""
    try:
        return execute(sql, params, many, context)
    except IntegrityError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        if message.startswith(triggers.REFUSAL):
            raise SignedRecordError(message) from error
        raise


def translate_refusals(sender, connection, **kwargs) -> None:
    """connection_created receiver. First in the list, so it wraps every other wrapper
    and `connection.execute_wrapper()` blocks (which pop the last) leave it alone."""
    if refusal_as_signed_record_error not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, refusal_as_signed_record_error)


def connect(app_config) -> None:
    triggers.database_guards.register(*database_guards())
    connection_created.connect(translate_refusals, dispatch_uid="clinic.guards.translate_refusals")
    # Once per migrate (sender: this app), for every app's guards.
    pre_migrate.connect(
        triggers.removed_before_migrating,
        sender=app_config,
        dispatch_uid="clinic.triggers.removed_before_migrating",
    )
    post_migrate.connect(
        triggers.installed_after_migrating,
        sender=app_config,
        dispatch_uid="clinic.triggers.installed_after_migrating",
    )
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
