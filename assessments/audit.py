"""Every view of clinical content is in the audit log: one access entry per page shown.

A view that shows clinical content declares it, naming the context variables that hold
what its page shows, and returns a `TemplateResponse` so the mechanism can read them:

    @require("assessments.read_assessment")
    @shows_clinical("visit")
    def visit_detail(request, pk):
        ...
        return TemplateResponse(request, "clinic/visit_detail.html", {"visit": visit, ...})

Once the page is rendered (a 200, or a form shown again with its errors) one access
`LogEntry` is written: the user and their address (filled in by auditlog's middleware, as
for every change), the object shown, and `additional_data` with the `patient_id` (from the
model's own `get_additional_data()`, as its change entries carry) and the page's path. A
list of rows from many patients (a `Page`, a list) is one entry for the page, naming them
all in `patient_ids`. With several names, the entry is about the first that holds
something and names every patient shown. A name holding None shows nothing to this user
(the front desk's view of an appointment): no entry. A redirect, a 403 or a 404 shows
nothing: no entry. The Django admin's pages of clinical models do the same through
`ClinicalAccessAdmin`.

Cheap by design: the entry is one INSERT. The patient comes from rows the page has already
loaded (views select the related rows they show) and content types are cached, so no
SELECT is added. `tests/test_permissions.py` opens every URL in every role with clinical
text in every field: a page that shows any of it without writing its entry fails.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import wraps

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import HttpRequest, HttpResponse

from . import host

Shown = models.Model | Iterable[models.Model] | None


def shows_clinical(*names: str):
    """Declare that the view's page shows clinical content, held in these context variables."""
    if not names:
        raise TypeError("Name the context variables that hold what the page shows.")

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if not _is_redirect(response) and getattr(response, "context_data", None) is None:
                raise ImproperlyConfigured(
                    f"{view.__module__}.{view.__qualname__} shows clinical content: it must "
                    "return a TemplateResponse (or set context_data) so the view is logged."
                )
            log_when_shown(request, response, lambda context: _named(context, names, view))
            return response

        wrapper.shows_clinical = names
        return wrapper

    return decorate


def _named(context: Mapping, names: tuple[str, ...], view) -> list[Shown]:
    missing = [name for name in names if name not in context]
    if missing:
        # A name the context lacks is a mistake, never "nothing shown" (that is None).
        raise ImproperlyConfigured(
            f"{view.__module__}.{view.__qualname__} declares {missing} but its page has no "
            "such context variable."
        )
    return [context[name] for name in names]


def log_when_shown(
    request: HttpRequest, response: HttpResponse, shown: Callable[[Mapping], list[Shown]]
) -> None:
    """Write the access entry for what `shown(context)` returns, once the page is rendered:
    a page that fails to render was never shown. A redirect shows nothing."""
    if _is_redirect(response) or getattr(response, "context_data", None) is None:
        return

    def write(rendered: HttpResponse) -> None:
        record_access(*shown(rendered.context_data), page=request.get_full_path())
        # A post-render callback that returns something replaces the response: return None.

    if getattr(response, "is_rendered", True):
        write(response)
    else:
        response.add_post_render_callback(write)


def _is_redirect(response: HttpResponse) -> bool:
    return 300 <= response.status_code < 400


def record_access(*shown: Shown, page: str) -> LogEntry | None:
    """One access entry for what one page (its path, or the command that exported the
    record) showed: records, or lists of rows."""
    parts = []
    for item in shown:
        rows = [] if item is None else [item] if isinstance(item, models.Model) else list(item)
        if rows:
            parts.append((item, rows))
    patients = list(
        dict.fromkeys(patient for _, rows in parts for row in rows for patient in patients_of(row))
    )
    if not patients:
        return None  # No patient's clinical content was on the page.
    first, rows = parts[0]
    data: dict[str, object] = {"page": page}
    if isinstance(first, models.Model):
        own = patients_of(first)
        if own:
            data["patient_id"] = own[0]
        if set(patients) - set(own):
            data["patient_ids"] = patients
        pk = first.pk
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(first),
            object_pk=str(pk),
            object_id=pk if isinstance(pk, int) else None,
            object_repr=str(first),
        )
    else:
        data["patient_ids"] = patients
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(rows[0]),
            object_pk="",
            object_repr=_rows_label([row for _, rows in parts for row in rows]),
        )
    entry.action = LogEntry.Action.ACCESS
    entry.additional_data = data
    entry.cid = get_cid()
    # auditlog's middleware fills in the actor and their address as the entry is saved.
    entry.save()
    return entry


def patients_of(row: models.Model) -> list[int]:
    """The patients whose record `row` is part of (for an audit entry, those it names)."""
    if isinstance(row, LogEntry):
        data = row.additional_data if isinstance(row.additional_data, dict) else {}
        named = [*data.get("patient_ids", []), data.get("patient_id")]
        if row.content_type_id == ContentType.objects.get_for_model(host.get_patient_model()).pk:
            named.append(row.object_id)
        return [patient for patient in dict.fromkeys(named) if patient is not None]
    additional = getattr(row, "get_additional_data", None)
    patient = additional().get("patient_id") if callable(additional) else None
    return [] if patient is None else [patient]


def _rows_label(rows: list[models.Model]) -> str:
    """'12 adverse events', '3 episodes of care, 1 visit'."""
    counts = Counter(type(row) for row in rows)
    return ", ".join(
        f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
        for model, count in counts.items()
    )


class ClinicalAccessAdmin(admin.ModelAdmin):
    """The ModelAdmin of a model whose pages show clinical content: its list and each
    change (or view) and history page write their access entry, like the app's pages."""

    shows_clinical = True

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The change page's object comes with the list's related rows, so naming its
        # patient costs no query.
        related = self.list_select_related
        if isinstance(related, list | tuple) and related:
            queryset = queryset.select_related(*related)
        return queryset

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if object_id is not None:
            log_when_shown(request, response, lambda context: [context.get("original")])
        return response

    def history_view(self, request, object_id, extra_context=None):
        # The history names the record (an episode by its complaint) and what was changed.
        response = super().history_view(request, object_id, extra_context)
        log_when_shown(request, response, lambda context: [context.get("object")])
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        log_when_shown(
            request,
            response,
            lambda context: [context["cl"].result_list] if "cl" in context else [],
        )
        return response
