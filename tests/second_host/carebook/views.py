"""Carebook's own pages: the caseload, a client's record and a session. The plugin's
sections are rendered from the registries the contract offers; carebook never imports
the plugin's apps."""

from assessments.host import ClinicError, record_sections, visit_sections
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from . import services
from .models import Client, Session


def require(perm: str):
    return permission_required(perm, raise_exception=True)


@require("carebook.view_client")
def caseload(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "carebook/caseload.html", {"clients": Client.objects.all()})


@require("carebook.view_client")
def client_record(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    sections = [
        {"section": section, "context": section.context(request, client)}
        for section in record_sections.visible_to(request.user)
    ]
    plans = client.episodes.prefetch_related("visits")
    return TemplateResponse(
        request,
        "carebook/client_record.html",
        {"client": client, "patient": client, "plans": plans, "sections": sections},
    )


@require("carebook.view_session")
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("episode__patient"), pk=pk)
    sections = [
        {"section": section, "context": section.context(request, session)}
        for section in visit_sections.visible_to(request.user)
    ]
    return TemplateResponse(
        request,
        "carebook/session.html",
        {
            "session": session,
            "visit": session,
            "episode": session.episode,
            "patient": session.episode.patient,
            "sections": sections,
        },
    )


@require_POST
@require("carebook.sign_session")
def session_sign(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=pk)
    try:
        services.session_sign(session=session, user=request.user)
    except (ClinicError, ValidationError) as refusal:
        messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
    return redirect(session)
