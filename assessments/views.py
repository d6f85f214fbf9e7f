from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from . import fhir, host, selectors, services
from .access import require
from .audit import shows_clinical
from .definitions import NotRegistered, Template, templates
from .display import answer_sections
from .forms import (
    AssessmentForm,
    RedFlagReferralForm,
    WorkingDiagnosisForm,
    carried_over,
    initial_from_answers,
    initial_from_draft,
)
from .host import Visit
from .models import Assessment, RedFlagAlert, RedFlagReferral
from .panel import (
    findings_from_answers,
    findings_from_form,
    form_from_draft,
    panel_context,
    signed_panel,
)
from .redirects import safe_next


def _template_or_404(code: str, version: int | None = None) -> Template:
    try:
        return templates.get(code, version)
    except NotRegistered:
        raise Http404("No such assessment template.") from None


def _visit_or_404(pk: int) -> Visit:
    return get_object_or_404(
        host.visits().select_related("episode__patient", "practitioner"), pk=pk
    )


@require("assessments.read_assessment")
@shows_clinical("assessment", "visit")
def assessment_edit(request: HttpRequest, visit_pk: int, template_code: str) -> HttpResponse:
    visit = _visit_or_404(visit_pk)
    # Through the visit, so the assessment knows its visit (and patient) without a query.
    assessment = visit.assessments.filter(template_code=template_code).first()
    template = _template_or_404(template_code, assessment.template_version if assessment else None)
    signed = visit.is_signed or (assessment is not None and assessment.is_signed)
    refusal = host.services().visit_writer_refusal(visit, request.user)
    writable = not signed and not refusal
    # A physio posting into a draft that is not theirs (typically a page opened before a
    # colleague took the visit over) gets the form back with the reason: nothing typed
    # is lost, nothing is saved.
    keeps_input = (
        not writable
        and not signed
        and request.method == "POST"
        and request.user.has_perm("assessments.record_assessment")
    )
    if not writable and not keeps_input:
        if request.method == "POST":
            raise PermissionDenied(refusal or "This assessment cannot be changed.")
        if assessment is None:
            raise Http404("No assessment was recorded in this visit.")
        context = _detail_context(visit, assessment, template)
        if not signed:
            context["write_refusal"] = refusal
            context["can_take_over"] = request.user.has_perm("assessments.record_assessment")
        return TemplateResponse(request, "assessments/assessment_detail.html", context)

    form = None
    saved_sections = None
    if keeps_input:
        form = AssessmentForm(request.POST, template=template)
        form.is_valid()
        form.add_error(None, refusal)
    elif request.method == "POST":
        form = AssessmentForm(
            request.POST,
            template=template,
            red_flags_answered=visit.is_initial,
        )
        form_data = {
            key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"
        }
        posted_revision = _posted_revision(request)
        try:
            if request.POST.get("action") == "draft":
                services.assessment_save_draft(
                    visit=visit,
                    template=template,
                    user=request.user,
                    form_data=form_data,
                    revision=posted_revision,
                )
                messages.success(request, "Draft saved. You can come back to it at any time.")
                return redirect("assessments:assessment_edit", visit.pk, template.code)
            if form.is_valid():
                services.assessment_save(
                    visit=visit,
                    template=template,
                    user=request.user,
                    answers=form.validated_answers,
                    revision=posted_revision,
                )
                messages.success(request, "Assessment saved.")
                return redirect(visit)
        except services.StaleRevision as error:
            form.add_error(None, str(error))
            assessment = error.assessment
            saved_sections = answer_sections(template, _saved_answers(template, assessment))
            # Resubmitting now overwrites deliberately: the user has been told.
            form.data = form.data.copy()
            form.data["revision"] = str(assessment.revision)
        except (services.AssessmentError, host.ClinicError) as error:
            form.add_error(None, str(error))
    if form is None:
        form = AssessmentForm(template=template)
        if assessment is not None and assessment.draft:
            form.initial = initial_from_draft(form, assessment.draft)
        elif assessment is not None:
            form.initial = initial_from_answers(template, assessment.answers)
        else:
            form.initial = carried_over(template, visit)
        form.initial["revision"] = assessment.revision if assessment else services.NO_ASSESSMENT_YET
    if form.is_bound:
        findings = findings_from_form(form)
    elif assessment is not None and assessment.draft:
        findings = findings_from_form(form_from_draft(template, assessment.draft))
    else:
        findings = findings_from_answers(template, assessment.answers if assessment else {})
    context = {
        "visit": visit,
        "episode": visit.episode,
        "patient": visit.episode.patient,
        "template": template,
        "assessment": assessment,
        "form": form,
        "has_draft": bool(assessment and assessment.draft) and saved_sections is None,
        # After a clash: what the other person saved, to compare with the form.
        "saved_sections": saved_sections,
        # Only a template with a rule set has a reasoning panel.
        "panel": panel_context(findings, visit.episode, template.code),
    }
    return TemplateResponse(
        request, "assessments/assessment_form.html", context, status=403 if keeps_input else 200
    )


@require_POST
@require("assessments.record_assessment")
def reasoning_panel(request: HttpRequest, visit_pk: int, template_code: str) -> HttpResponse:
    """The live panel: red flags and likely sources for what is in the form so far."""
    visit = _visit_or_404(visit_pk)
    # The version the form was made from: a draft begun on an older one stays on it.
    assessment = visit.assessments.filter(template_code=template_code).first()
    template = _template_or_404(template_code, assessment.template_version if assessment else None)
    form = AssessmentForm(request.POST, template=template)
    context = {
        "panel": panel_context(findings_from_form(form), visit.episode, template.code),
        "visit": visit,
    }
    return render(request, "assessments/reasoning_panel_live.html", context)


@require("assessments.record_assessment")
@shows_clinical("episode")
def working_diagnosis_confirm(request: HttpRequest, episode_pk: int) -> HttpResponse:
    """Posted from the panel beside the assessment, or from this page of its own (where a
    discharged episode's diagnosis is corrected, with a reason)."""
    episode = get_object_or_404(host.episodes().select_related("patient"), pk=episode_pk)
    current = selectors.working_diagnosis(episode)
    form = WorkingDiagnosisForm(
        request.POST if request.method == "POST" else None,
        after_discharge=not episode.is_open,
        sources=selectors.episode_sources(episode),
        initial={
            "source": [row.source_code for row in current],
            "main": next((row.source_code for row in current if row.is_main), ""),
        },
    )
    if form.is_bound and form.is_valid():
        try:
            services.working_diagnosis_confirm(
                episode=episode,
                user=request.user,
                source_codes=form.cleaned_data["source"],
                main=form.cleaned_data["main"],
                suggested=request.POST.getlist("suggested"),
                reason=form.cleaned_data.get("reason", ""),
            )
        except host.AfterDischargeError as error:
            form.add_error("reason" if "reason" in form.fields else None, str(error))
        except (services.AssessmentError, host.ClinicError) as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error("source", error)
        else:
            messages.success(request, "Working diagnosis confirmed.")
            return redirect(safe_next(request, episode.patient.get_absolute_url()))
    return TemplateResponse(
        request,
        "assessments/working_diagnosis_form.html",
        {
            "form": form,
            "episode": episode,
            "patient": episode.patient,
            "diagnosis": current,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        status=400 if form.errors else 200,
    )


@require("assessments.record_assessment")
@shows_clinical("alert")
def red_flag_clear(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(RedFlagAlert.objects.select_related("episode__patient"), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.red_flag_clear(
                alert=alert, user=request.user, reason=request.POST.get("reason", "")
            )
        except services.AssessmentError as exc:
            error = str(exc)
        else:
            messages.success(request, "The red flag is recorded as cleared.")
            return redirect(safe_next(request, alert.episode.patient.get_absolute_url()))
    return TemplateResponse(
        request,
        "assessments/red_flag_clear.html",
        {
            "alert": alert,
            "episode": alert.episode,
            "patient": alert.episode.patient,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
    )


def _referral_page(request, alert, form, referral=None, status=200) -> TemplateResponse:
    return TemplateResponse(
        request,
        "assessments/red_flag_referral_form.html",
        {
            "alert": alert,
            "referral": referral,
            "form": form,
            "read_only": referral is not None and referral.visit.is_signed,
            # A new one: those already recorded first, so none is recorded twice.
            "recorded": [] if referral else alert.referrals.select_related("visit"),
            "episode": alert.episode,
            "patient": alert.episode.patient,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        status=status,
    )


def _referral_saved(request, alert, form, referral=None) -> HttpResponse:
    try:
        services.red_flag_referral_record(
            alert=alert, user=request.user, referral=referral, **form.cleaned_data
        )
    except services.DuplicateReferral as error:
        form.add_error(
            None,
            format_html(
                '{} <a class="alert-link" href="{}?{}">Change it</a>',
                error,
                reverse("assessments:red_flag_referral_edit", args=[error.referral.pk]),
                urlencode({"next": safe_next(request, alert.episode.patient.get_absolute_url())}),
            ),
        )
        return _referral_page(request, alert, form, referral, status=400)
    except services.AssessmentError as error:
        form.add_error(None, str(error))
        return _referral_page(request, alert, form, referral, status=400)
    messages.success(request, "The referral is recorded.")
    return redirect(safe_next(request, alert.episode.patient.get_absolute_url()))


def _alert(pk: int) -> RedFlagAlert:
    return get_object_or_404(
        RedFlagAlert.objects.select_related("episode__patient", "assessment__visit"), pk=pk
    )


@require("assessments.record_assessment")
@shows_clinical("alert")
def red_flag_referral_add(request: HttpRequest, alert_pk: int) -> HttpResponse:
    alert = _alert(alert_pk)
    if request.method == "POST":
        form = RedFlagReferralForm(request.POST)
        if form.is_valid():
            return _referral_saved(request, alert, form)
        return _referral_page(request, alert, form, status=400)
    form = RedFlagReferralForm(
        initial={
            "urgency": services.referral_urgency_for(alert),
            "referred_at": timezone.localtime().replace(second=0, microsecond=0),
        }
    )
    return _referral_page(request, alert, form)


@require("assessments.record_assessment")
@shows_clinical("alert")
def red_flag_referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(RedFlagReferral.objects.select_related("visit"), pk=pk)
    alert = _alert(referral.alert_id)
    if request.method == "POST" and not referral.visit.is_signed:
        form = RedFlagReferralForm(request.POST, instance=referral)
        if form.is_valid():
            return _referral_saved(request, alert, form, referral)
        return _referral_page(request, alert, form, referral, status=400)
    return _referral_page(request, alert, RedFlagReferralForm(instance=referral), referral)


@require("assessments.read_assessment")
def questionnaire(request: HttpRequest, template_code: str, version: int) -> JsonResponse:
    template = _template_or_404(template_code, version)
    response = JsonResponse(fhir.questionnaire(template), json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/fhir+json"
    return response


def _detail_context(visit: Visit, assessment: Assessment, template: Template) -> dict:
    return {
        "visit": visit,
        "episode": visit.episode,
        "patient": visit.episode.patient,
        "assessment": assessment,
        "template": template,
        "sections": answer_sections(template, assessment.answers),
        "signed_suggestions": assessment.signed_suggestions,
        "signed_panel": signed_panel(assessment),
    }


def _saved_answers(template: Template, assessment: Assessment) -> dict[str, object]:
    """What an assessment holds as last saved: its draft's valid answers if it has one."""
    if assessment.draft is None:
        return assessment.answers
    draft = form_from_draft(template, assessment.draft)
    draft.is_valid()
    return draft.answers()


def _posted_revision(request: HttpRequest) -> int:
    """The revision the form was opened at. Missing or not a number counts as "nothing
    saved yet", so the save is still checked against one made since (RevisionField)."""
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return services.NO_ASSESSMENT_YET


@require_POST
@require("assessments.record_assessment")
def assessment_autosave(request: HttpRequest, visit_pk: int, template_code: str) -> HttpResponse:
    """Keep the form as typed every few seconds (htmx), so an interruption loses nothing.

    Answers the status line, and the new revision out of band so the next save from this
    page is not taken for a stale one."""
    visit = _visit_or_404(visit_pk)
    assessment = Assessment.objects.filter(visit=visit, template_code=template_code).first()
    template = _template_or_404(template_code, assessment.template_version if assessment else None)
    form_data = {
        key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"
    }
    context = {"saved": None, "error": None}
    try:
        context["saved"] = services.assessment_save_draft(
            visit=visit,
            template=template,
            user=request.user,
            form_data=form_data,
            revision=_posted_revision(request),
        )
    except (services.AssessmentError, host.ClinicError) as error:
        context["error"] = str(error)
    return render(request, "assessments/autosave_status.html", context)
