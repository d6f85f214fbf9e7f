"""Guards on the models themselves, for records that hang off a host's visit: a signed
record never changes and a clinical record is never deleted, whatever the path (a view,
the Django admin, a shell, another app's code).

The receivers run on pre_save / pre_delete and are connected in each app's
`AppConfig.ready()` with a dispatch_uid. Fixture loads (`raw`, as a restore does) pass:
they put back what a backup holds.

Bulk operations (`QuerySet.update()`, `bulk_create`) and raw SQL send no signals: the
database's own guards (`assessments.triggers`), registered in each app's guards next to
the receivers they mirror, refuse them, and the database's refusal is raised as the same
`SignedRecordError`.
"""

from django.db import models
from django.db.models.signals import pre_delete
from django.utils.text import capfirst

from . import host, triggers
from .host import RecordDeletionError, SignedRecordError


def refuse_delete(sender: type[models.Model], instance: models.Model, **kwargs) -> None:
    """pre_delete receiver: clinical records are never hard-deleted."""
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
    if host.signed_visits().filter(pk__in=visit_ids).exists():
        raise SignedRecordError(
            f"The visit is signed: {what} cannot be changed. Add an addendum to the visit instead."
        )


# --- The same in the database (assessments.triggers) -------------------------------------


def visit_is_signed(row: str) -> str:
    """SQL: the visit of `row` (OLD or NEW in a trigger) is signed."""
    return host.visit_signed_sql(row)


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
