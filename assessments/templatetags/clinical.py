"""What any page of a visit or a patient shows, whichever app's page it is and whatever
host it is in: the visit's steps, the patient's markers, the patient's age, who signed.

    {% load clinical %}
    {% visit_steps visit current="assessment" %}
    {% markers_of patient as markers %}
    {{ patient.date_of_birth|years_old }}
"""

from datetime import date
from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils import timezone

from .. import host
from ..host import PatientMarker, patient_markers

register = template.Library()


@register.inclusion_tag("assessments/partials/visit_steps.html", takes_context=True)
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
    if visit is None or visit.is_signed or not host.services().can_write_visit(visit, request.user):
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
    """The episode's visit whose page (its get_absolute_url) is the `next` page, if any."""
    path = urlsplit(request.POST.get("next") or request.GET.get("next") or "").path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    ids = [value for value in match.kwargs.values() if isinstance(value, int)]
    candidates = host.visits().filter(episode=episode, pk__in=ids).select_related("episode")
    return next((visit for visit in candidates if visit.get_absolute_url() == path), None)


@register.simple_tag(takes_context=True)
def markers_of(context, patient) -> list[PatientMarker]:
    """The patient's markers, as the user may read them (the banner): one query a source."""
    request = context.get("request")
    if patient is None or request is None or not request.user.is_authenticated:
        return []
    return patient_markers.for_patients([patient.pk], user=request.user).get(patient.pk, [])


@register.filter
def years_old(born: date | None, on: date | None = None) -> int | str:
    """Age in whole years on `on` (today): "" when the date of birth is not known."""
    if not born:
        return ""
    on = on or timezone.localdate()
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@register.filter
def signer(user) -> str:
    """Who signed or wrote a record: "Priya Shah (priya)", their name with their user name,
    which no other account has; the user name alone when they have no name."""
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()
