from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from assessments import host
from assessments.access import require
from assessments.audit import shows_clinical
from assessments.fhir.bundle import patient_bundle
from assessments.host import Visit
from assessments.redirects import safe_next
from assessments.selectors import open_red_flags, working_diagnosis

from . import selectors, services
from .forms import (
    AdverseEventForm,
    ConsentForm,
    ConsentWithdrawForm,
    InterventionForm,
    PlanForm,
    ScreenForm,
    VisitNoteForm,
    initial_from_params,
    new_exercise_row_initial,
)
from .handouts import handout_exercise
from .kinds import CONSENT, RED_FLAGS_CLEAR, NotRegistered, kinds
from .models import Consent, DeliveredIntervention, VisitNote

record = require("treatments.record_intervention")
read = require("treatments.read_treatment")


def _visit(pk: int) -> Visit:
    return get_object_or_404(host.visits().select_related("episode__patient"), pk=pk)


def _kind_or_404(code: str):
    try:
        return kinds.get(code)
    except NotRegistered:
        raise Http404("No such intervention.") from None


def _context(visit: Visit, **extra) -> dict:
    return {"visit": visit, "episode": visit.episode, "patient": visit.episode.patient, **extra}


def _intervention_page(request, visit, kind, form, intervention=None, status=200):
    safety_error = getattr(form, "safety_error", None)
    library = selectors.exercise_library() if form.exercise_param else []
    if safety_error is None:
        # Whatever else is wrong with the form, the page says first what would stop it
        # being saved: a red flag above all, which no other entry can lift.
        try:
            services.check_preconditions(episode=visit.episode, kind_code=kind.code)
        except services.SafetyError as error:
            safety_error = error
    return TemplateResponse(
        request,
        "treatments/intervention_form.html",
        _context(
            visit,
            kind=kind,
            form=form,
            intervention=intervention,
            safety_error=safety_error,
            exercise_library=library,
        ),
        status=status,
    )


def _refused(form, refusal: str):
    """A post into a draft that is not the user's (a page opened before a colleague took
    the visit over): the form comes back with the reason and what was typed."""
    form.is_valid()
    form.add_error(None, refusal)
    return form


def _after_discharge_error(form, error: host.ClinicError) -> None:
    field = "reason" if isinstance(error, host.AfterDischargeError) else None
    form.add_error(field if field in form.fields else None, str(error))


@record
@shows_clinical("visit")
def intervention_add(request: HttpRequest, visit_pk: int, kind_code: str) -> HttpResponse:
    visit = _visit(visit_pk)
    kind = _kind_or_404(kind_code)
    if visit.is_signed:
        messages.error(request, "This visit is signed: its treatment is read-only.")
        return redirect(visit)
    refusal = host.services().visit_writer_refusal(visit, request.user)
    if refusal and request.method != "POST":
        messages.error(request, refusal)
        return redirect(visit)
    if request.method == "POST":
        form = InterventionForm(request.POST, kind=kind)
        if refusal:
            return _intervention_page(request, visit, kind, _refused(form, refusal), status=403)
        if form.is_valid():
            try:
                services.intervention_record(
                    visit=visit,
                    user=request.user,
                    kind_code=kind.code,
                    params=form.validated_params,
                    notes=form.cleaned_data["notes"],
                )
            except services.SafetyError as error:
                form.safety_error = error
                return _intervention_page(request, visit, kind, form)
            except (services.TreatmentError, host.ClinicError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{kind.label} recorded.")
                return redirect(visit.get_absolute_url() + "#visit-section-treatment")
        return _intervention_page(request, visit, kind, form)
    repeated = _repeated(request, visit, kind)
    if repeated is not None:
        # The last visit's parameters, to check and save: nothing is recorded until then,
        # and the same consent, screen and red-flag rules apply as to any other.
        form = InterventionForm(
            initial=initial_from_params(kind, repeated.params),
            kind=kind,
            exercise_rows=len(repeated.params.get("exercises", [])),
        )
    else:
        initial = initial_from_params(kind, kind.default_params()) | new_exercise_row_initial(0)
        form = InterventionForm(initial=initial, kind=kind)
    response = _intervention_page(request, visit, kind, form)
    response.context_data["repeated"] = repeated
    return response


def _repeated(request, visit: Visit, kind) -> DeliveredIntervention | None:
    """The earlier intervention of this episode that `?repeat=` names, if it is one."""
    try:
        pk = int(request.GET.get("repeat", ""))
    except ValueError:
        return None
    return (
        DeliveredIntervention.objects.filter(
            pk=pk, kind=kind.code, visit__episode=visit.episode_id, removed_at__isnull=True
        )
        .exclude(visit=visit)
        .select_related("visit")
        .first()
    )


@record
@shows_clinical("intervention")
def intervention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_object_or_404(
        DeliveredIntervention.objects.select_related("visit__episode__patient"),
        pk=pk,
        removed_at__isnull=True,
    )
    visit, kind = intervention.visit, _kind_or_404(intervention.kind)
    if visit.is_signed:
        messages.error(request, "This visit is signed: its treatment is read-only.")
        return redirect(visit)
    refusal = host.services().visit_writer_refusal(visit, request.user)
    if refusal and request.method != "POST":
        messages.error(request, refusal)
        return redirect(visit)
    rows = len(intervention.params.get("exercises", []))
    if request.method == "POST":
        form = InterventionForm(request.POST, kind=kind, exercise_rows=rows)
        if refusal:
            form = _refused(form, refusal)
            return _intervention_page(request, visit, kind, form, intervention, status=403)
        if form.is_valid():
            try:
                services.intervention_record(
                    visit=visit,
                    user=request.user,
                    kind_code=kind.code,
                    intervention=intervention,
                    params=form.validated_params,
                    notes=form.cleaned_data["notes"],
                    keep_saved=form.omitted_params,
                )
            except services.SafetyError as error:
                form.safety_error = error
                return _intervention_page(request, visit, kind, form, intervention)
            except (services.TreatmentError, host.ClinicError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{kind.label} saved.")
                return redirect(visit.get_absolute_url() + "#visit-section-treatment")
        return _intervention_page(request, visit, kind, form, intervention)
    initial = initial_from_params(kind, intervention.params) | {"notes": intervention.notes}
    form = InterventionForm(initial=initial, kind=kind, exercise_rows=rows)
    return _intervention_page(request, visit, kind, form, intervention)


@record
@shows_clinical("intervention")
def intervention_remove(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_object_or_404(
        DeliveredIntervention.objects.select_related("visit__episode__patient"),
        pk=pk,
        removed_at__isnull=True,
    )
    visit = intervention.visit
    refusal = "" if visit.is_signed else host.services().visit_writer_refusal(visit, request.user)
    if refusal and request.method != "POST":
        messages.error(request, refusal)
        return redirect(visit)
    if request.method == "POST":
        try:
            services.intervention_remove(intervention=intervention, user=request.user)
        except host.NotVisitClinician as error:
            return TemplateResponse(
                request,
                "treatments/intervention_remove.html",
                _context(visit, intervention=intervention, error=str(error)),
                status=403,
            )
        except (services.TreatmentError, host.ClinicError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{intervention.get_kind_display()} removed from the visit.")
        return redirect(visit)
    return TemplateResponse(
        request, "treatments/intervention_remove.html", _context(visit, intervention=intervention)
    )


@record
@shows_clinical("episode")
def consent_add(request: HttpRequest, episode_pk: int) -> HttpResponse:
    episode = get_object_or_404(host.episodes().select_related("patient"), pk=episode_pk)
    kind = _kind_or_404(request.GET.get("kind") or request.POST.get("kind") or "dry_needling")
    in_force = services.active_consent(episode, kind.code)
    form = ConsentForm(
        request.POST or None,
        kind=kind,
        after_discharge=not episode.is_open,
        initial={"replaces": in_force.pk if in_force else services.NOT_YET_SAVED},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                episode=episode, user=request.user, intervention_kind=kind.code, **form.cleaned_data
            )
        except services.StaleRecord as error:
            form.add_error(None, str(error))
            in_force = error.current
            # Recording now replaces that consent deliberately: the user has been told.
            form.data = form.data.copy()
            form.data["replaces"] = str(in_force.pk)
        except host.ClinicError as error:
            _after_discharge_error(form, error)
        except services.TreatmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Consent to {kind.label.lower()} recorded.")
            return redirect(safe_next(request, episode.patient.get_absolute_url()))
    return TemplateResponse(
        request,
        "treatments/consent_form.html",
        {
            "form": form,
            "kind": kind,
            "in_force": in_force,
            # Consent can be recorded meanwhile, but it lifts no red flag: the page says so.
            "red_flags": (open_red_flags(episode) if RED_FLAGS_CLEAR in kind.preconditions else []),
            "episode": episode,
            "patient": episode.patient,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
    )


@record
@shows_clinical("consent")
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(Consent.objects.select_related("episode__patient"), pk=pk)
    episode = consent.episode
    if consent.withdrawn_on is not None:
        messages.info(request, f"This consent was withdrawn on {consent.withdrawn_on:%-d %b %Y}.")
        return redirect(safe_next(request, episode.patient.get_absolute_url()))
    form = ConsentWithdrawForm(request.POST or None, after_discharge=not episode.is_open)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                consent=consent,
                user=request.user,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except host.ClinicError as error:
            _after_discharge_error(form, error)
        except services.TreatmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Consent to {consent.get_intervention_kind_display().lower()} withdrawn."
            )
            return redirect(safe_next(request, episode.patient.get_absolute_url()))
    return TemplateResponse(
        request,
        "treatments/consent_withdraw.html",
        {
            "form": form,
            "consent": consent,
            "episode": episode,
            "patient": episode.patient,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
    )


@record
@shows_clinical("episode")
def screen_add(request: HttpRequest, episode_pk: int) -> HttpResponse:
    episode = get_object_or_404(host.episodes().select_related("patient"), pk=episode_pk)
    try:
        services.check_episode_open(episode, what="a contraindication screen")
    except services.TreatmentError as error:
        messages.error(request, str(error))
        return redirect(safe_next(request, episode.patient.get_absolute_url()))
    latest = services.latest_screen(episode)
    form = ScreenForm(
        request.POST or None,
        initial={"follows": latest.pk if latest else services.NOT_YET_SAVED},
    )
    if request.method == "POST" and form.is_valid():
        try:
            screen = services.screen_record(episode=episode, user=request.user, **form.cleaned_data)
        except services.StaleRecord as error:
            form.add_error(None, str(error))
            latest = error.current
            # Recording now is deliberate: the user has been told.
            form.data = form.data.copy()
            form.data["follows"] = str(latest.pk)
        except services.TreatmentError as error:
            form.add_error("justification", str(error))
        else:
            if screen.outcome.blocking:
                messages.warning(
                    request, "Screen recorded: dry needling is contraindicated for this episode."
                )
            else:
                messages.success(request, "Contraindication screen recorded.")
            return redirect(safe_next(request, episode.patient.get_absolute_url()))
    return TemplateResponse(
        request,
        "treatments/screen_form.html",
        {
            "form": form,
            "latest": latest,
            "episode": episode,
            "patient": episode.patient,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
    )


@record
@shows_clinical("intervention")
def adverse_event_add(request: HttpRequest, intervention_pk: int) -> HttpResponse:
    intervention = get_object_or_404(
        DeliveredIntervention.objects.select_related("visit__episode__patient"), pk=intervention_pk
    )
    visit = intervention.visit
    form = AdverseEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.adverse_event_record(
                intervention=intervention, user=request.user, **form.cleaned_data
            )
        except services.TreatmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Adverse event recorded.")
            return redirect(visit)
    return TemplateResponse(
        request,
        "treatments/adverse_event_form.html",
        _context(visit, form=form, intervention=intervention),
    )


@require("treatments.view_outcome_report")
@shows_clinical("page")
def adverse_event_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.adverse_events(), 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "treatments/adverse_event_list.html", {"page": page})


@require_POST
@record
@shows_clinical("visit")
def visit_note_save(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = _visit(visit_pk)
    note = VisitNote.objects.filter(visit=visit).first()
    form = VisitNoteForm(request.POST, instance=note)
    refusal = "" if visit.is_signed else host.services().visit_writer_refusal(visit, request.user)
    if refusal:
        return TemplateResponse(
            request,
            "treatments/visit_note_form.html",
            _context(visit, form=_refused(form, refusal)),
            status=403,
        )
    saved_note = None
    if form.is_valid():
        data = {
            name: form.cleaned_data[name]
            for name in ("subjective", "objective", "analysis", "plan")
        }
        try:
            services.visit_note_save(
                visit=visit, user=request.user, revision=form.cleaned_data["revision"], **data
            )
        except services.StaleRecord as error:
            form.add_error(None, str(error))
            saved_note = error.current
            # Saving again now overwrites deliberately: the user has been told.
            form.data = form.data.copy()
            form.data["revision"] = str(saved_note.revision)
        except (services.TreatmentError, host.ClinicError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Visit note saved.")
            return redirect(visit.get_absolute_url() + "#visit-steps")
    return TemplateResponse(
        request,
        "treatments/visit_note_form.html",
        _context(visit, form=form, saved_note=saved_note),
        status=400,
    )


@record
@shows_clinical("episode")
def plan_edit(request: HttpRequest, episode_pk: int) -> HttpResponse:
    episode = get_object_or_404(host.episodes().select_related("patient"), pk=episode_pk)
    plan = selectors.episode_plan(episode)
    initial = {}
    goals = list(plan.goals.all()) if plan else []
    if plan:
        initial = {
            "planned_interventions": plan.planned_interventions,
            "visit_interval_days": plan.visit_interval_days,
            "planned_visits": plan.planned_visits,
            "next_review_on": plan.next_review_on,
            "notes": plan.notes,
        }
        for row, goal in enumerate(goals):
            initial |= {
                f"goal-{row}-text": goal.text,
                f"goal-{row}-measure_code": goal.measure_code,
                f"goal-{row}-comparator": goal.comparator,
                f"goal-{row}-target_value": goal.target_value,
            }
    else:
        initial["planned_interventions"] = selectors.suggested_kinds(episode)
    initial["revision"] = plan.revision if plan else services.NOT_YET_SAVED
    form = PlanForm(
        request.POST or None,
        initial=initial,
        kind_choices=kinds.choices(),
        goal_rows=len(goals) + 3,
        after_discharge=not episode.is_open,
    )
    saved_plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_save(
                episode=episode,
                user=request.user,
                planned_interventions=data["planned_interventions"],
                visit_interval_days=data["visit_interval_days"],
                planned_visits=data["planned_visits"],
                next_review_on=data["next_review_on"],
                notes=data["notes"],
                goals=data["goals"],
                reason=data.get("reason", ""),
                revision=data["revision"],
            )
        except services.StaleRecord as error:
            form.add_error(None, str(error))
            plan = error.current
            saved_plan = plan
            # Saving again now overwrites deliberately: the user has been told.
            form.data = form.data.copy()
            form.data["revision"] = str(plan.revision)
        except host.ClinicError as error:
            _after_discharge_error(form, error)
        except services.TreatmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Treatment plan saved.")
            return redirect(safe_next(request, episode.patient.get_absolute_url()))
    return TemplateResponse(
        request,
        "treatments/plan_form.html",
        {
            "form": form,
            "episode": episode,
            "patient": episode.patient,
            "plan": plan,
            "saved_plan": saved_plan,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
    )


@read
@shows_clinical("intervention")
def exercise_handout(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = get_object_or_404(
        DeliveredIntervention.objects.select_related(
            "visit__episode__patient", "visit__practitioner"
        ),
        pk=pk,
        removed_at__isnull=True,
    )
    if "exercises" not in {param.code for param in _kind_or_404(intervention.kind).params}:
        raise Http404("This intervention has no exercises.")
    kind = kinds.get(intervention.kind)
    row_params = kind.param("exercises").row_params
    return TemplateResponse(
        request,
        "treatments/exercise_handout.html",
        {
            **_context(intervention.visit),
            "intervention": intervention,
            "kind": kind,
            "row_params": row_params,
            "exercises": [
                handout_exercise(row_params, row) for row in intervention.params["exercises"]
            ],
            "clinic": {
                # A host that does not set them still prints the handout.
                "name": getattr(settings, "CLINIC_NAME", "The clinic"),
                "phone": getattr(settings, "CLINIC_PHONE", ""),
                "hours": getattr(settings, "CLINIC_HOURS", ""),
            },
        },
    )


@read
@shows_clinical("episode")
def discharge_summary(request: HttpRequest, episode_pk: int) -> HttpResponse:
    from .outcomes import episode_outcomes

    episode = get_object_or_404(host.episodes().select_related("patient", "physio"), pk=episode_pk)
    interventions = selectors.episode_interventions(episode)
    counts: dict[str, int] = {}
    for intervention in interventions:
        counts[intervention.get_kind_display()] = counts.get(intervention.get_kind_display(), 0) + 1
    return TemplateResponse(
        request,
        "treatments/discharge_summary.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "diagnosis": working_diagnosis(episode),
            "intervention_counts": counts,
            "outcomes": episode_outcomes(episode),
            "plan": selectors.episode_plan(episode),
            "visit_count": episode.visits.count(),
            "consents": episode.consents.all(),
            "later_additions": episode.later_additions.select_related("author"),
            "consent_kinds": [kind for kind in kinds if CONSENT in kind.preconditions],
        },
    )


@read
@shows_clinical("patient")
def patient_fhir_export(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(host.patients(), pk=patient_pk)
    response = JsonResponse(patient_bundle(patient), json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/fhir+json"
    response["Content-Disposition"] = f'attachment; filename="{patient.identifier}-fhir.json"'
    # What @shows_clinical logs: a download has no template context of its own.
    response.context_data = {"patient": patient}
    return response
