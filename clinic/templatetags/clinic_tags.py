from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve

from assessments import host
from assessments.host import PatientMarker, patient_markers
from clinic.services import can_write_visit

register = template.Library()


M2M_OPERATIONS = {"add": "added", "delete": "removed"}


@register.filter
def signer(user) -> str:
    """Who signed or wrote a record: "Priya Shah (priya)", their name with their user name,
    which no other account has; the user name alone when they have no name."""
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


@register.filter
def change_rows(entry) -> list[tuple[str, object, object, str]]:
    """An audit entry's changes as (field, old, new, summary) rows: the summary says what
    a many-to-many change did ("added Physiotherapist"), old and new are for the others.

    Not `changes_dict.items` in the template: a model with a field named `items` (a red-flag
    alert's) makes the template language look up the key instead of calling the method.
    """
    rows = []
    for field, values in (entry.changes_dict or {}).items():
        if isinstance(values, dict):  # many-to-many changes
            operation = values.get("operation", "")
            objects = ", ".join(map(str, values.get("objects", [])))
            rows.append(
                (field, None, None, f"{M2M_OPERATIONS.get(operation, operation)} {objects}")
            )
        else:
            old, new = (list(values) + [None, None])[:2]
            rows.append((field, old, new, ""))
    return rows


@register.inclusion_tag("partials/visit_steps.html", takes_context=True)
def visit_steps(
    context, visit=None, current: str = "", next_only: bool = False, episode=None
) -> dict:
    """The steps of a draft visit for its physio: each with how far it is, and the next
    one to do (after `current`, the page the physio is on) as the action to take.

    An episode's page (the plan, the diagnosis) shows the steps of the visit it was
    opened from: the visit its `next` page is, if that visit is the episode's."""
    request = context["request"]
    if visit is None and episode is not None:
        visit = _visit_of_next_page(request, episode)
    if visit is None or visit.is_signed or not can_write_visit(visit, request.user):
        return {"steps": []}
    steps = [
        {"step": step, "progress": step.progress(visit), "current": step.key == current}
        for step in host.visit_steps.visible_to(request.user)
    ]
    keys = [row["step"].key for row in steps]
    after = keys.index(current) + 1 if current in keys else 0
    to_do = [row for row in steps[after:] + steps[:after] if not row["progress"].done]
    next_step = next((row for row in to_do if not row["current"]), None)
    return {
        "steps": steps,
        "next_step": next_step,
        "on_step_page": bool(current),
        "next_only": next_only,
    }


def _visit_of_next_page(request, episode):
    target = request.POST.get("next") or request.GET.get("next") or ""
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return None
    if match.view_name != "clinic:visit_detail":
        return None
    return episode.visits.filter(pk=match.kwargs["pk"]).select_related("episode").first()


@register.simple_tag(takes_context=True)
def markers_of(context, patient) -> list[PatientMarker]:
    """The patient's markers, as the user may read them (the banner): one query a source."""
    request = context.get("request")
    if patient is None or request is None or not request.user.is_authenticated:
        return []
    return patient_markers.for_patients([patient.pk], user=request.user).get(patient.pk, [])
