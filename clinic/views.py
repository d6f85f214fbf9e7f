from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.access import require
from assessments.audit import shows_clinical
from assessments.host import record_sections, visit_sections

from . import selectors, services
from .forms import (
    AddendumForm,
    ArchivePatientForm,
    AuditFilterForm,
    DischargeForm,
    EpisodeForm,
    PatientEditForm,
    PatientForm,
    TakeOverForm,
    VisitNotesForm,
    VisitStartForm,
)
from .models import EpisodeOfCare, Patient, Visit


@shows_clinical("open_episodes", "draft_visits", "marked_patients_shown")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "has_role": user.is_superuser or user.groups.exists(),
        # The physio's own worklist (complaints, unsigned visits); nobody else has one.
        "open_episodes": None,
        "draft_visits": None,
        "todays_appointments": None,
        # The front desk's (and the Clinic admin's) list of the day's arrivals, every physio.
        "clinic_day": None,
    }
    if user.has_perm("clinic.record_clinical"):
        context.update(selectors.physio_worklist(user))
    elif user.has_perm("clinic.view_appointment"):
        context["clinic_day"] = selectors.clinic_day(timezone.localdate())
    context["marked_patients_shown"] = None
    if user.has_perm("clinic.view_patient"):
        context["marked_patients"] = selectors.marked_patients(user)
        # Their markers' words are clinical for those who may read them (a red flag).
        if user.has_perm("clinic.view_clinical_record"):
            context["marked_patients_shown"] = [
                patient for marked in context["marked_patients"] for patient in marked["patients"]
            ]
    return TemplateResponse(request, "clinic/home.html", context)


@require("clinic.view_patient")
def patient_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    # Archived patients are out of the lists; the Clinic admin can show them again.
    show_archived = request.GET.get("archived") == "1" and request.user.has_perm(
        "clinic.archive_patient"
    )
    patients = Patient.objects.all() if show_archived else Patient.objects.active()
    if query:
        patients = patients.search(query)
    page = Paginator(patients, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "clinic/patient_list.html",
        {"page": page, "query": query, "show_archived": show_archived},
    )


@require("clinic.add_patient")
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        duplicates = list(Patient.objects.same_person(**_identity(form.cleaned_data)))
        if not duplicates or request.POST.get("confirm_duplicate"):
            patient = services.patient_create(user=request.user, **form.cleaned_data)
            messages.success(request, f"{patient.full_name} is registered as {patient.identifier}.")
            return redirect(patient)
    return render(request, "clinic/patient_form.html", {"form": form, "duplicates": duplicates})


@require("clinic.change_patient")
def patient_update(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientEditForm(
        request.POST or None, instance=patient, initial={"revision": patient.revision}
    )
    saved = None
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        revision = fields.pop("revision")
        try:
            services.patient_update(patient=patient, user=request.user, revision=revision, **fields)
        except services.StalePatientDetails as error:
            form.add_error(None, str(error))
            saved = error.patient
            # Saving again now overwrites deliberately: the user has been told and shown.
            form.data = form.data.copy()
            form.data["revision"] = str(saved.revision)
        else:
            messages.success(request, "Patient details saved.")
            return redirect(patient)
    context = {"form": form, "patient": saved or patient}
    if saved is not None:
        context["saved_details"] = _saved_details(form, saved)
    return render(request, "clinic/patient_form.html", context)


@require("clinic.archive_patient")
def patient_archive(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    if patient.is_archived:
        messages.info(request, "This patient is already archived.")
        return redirect(patient)
    form = ArchivePatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_archive(
                patient=patient, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ClinicError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{patient.full_name} is archived: out of the lists and the diary, "
                "the record is kept.",
            )
            return redirect(patient)
    return render(request, "clinic/patient_archive.html", {"form": form, "patient": patient})


@require("clinic.archive_patient")
def patient_unarchive(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient.objects.select_related("archived_by"), pk=pk)
    if not patient.is_archived:
        messages.info(request, "This patient is not archived.")
        return redirect(patient)
    error = None
    if request.method == "POST":
        try:
            services.patient_unarchive(patient=patient, user=request.user)
        except services.ClinicError as refused:
            error = str(refused)
        else:
            messages.success(request, f"{patient.full_name} is back in the lists.")
            return redirect(patient)
    return render(request, "clinic/patient_unarchive.html", {"patient": patient, "error": error})


@require("clinic.view_patient")
@shows_clinical("patient")
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient.objects.select_related("archived_by"), pk=pk)
    sections = [
        {"section": section, "context": section.context(request, patient)}
        for section in record_sections.visible_to(request.user)
    ]
    return TemplateResponse(
        request, "clinic/patient_detail.html", {"patient": patient, "sections": sections}
    )


@require("clinic.add_episodeofcare")
def episode_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_pk)
    physios = selectors.physiotherapists()
    form = EpisodeForm(
        request.POST or None,
        physios=physios,
        initial={
            "physio": request.user.pk if physios.filter(pk=request.user.pk).exists() else None
        },
    )
    # The patient in the room: the episode opens with its first visit, in one step.
    start_visit = request.POST.get("action") == "start_visit" and request.user.has_perm(
        "clinic.add_visit"
    )
    if request.method == "POST" and form.is_valid():
        try:
            if start_visit:
                visit = services.episode_open_with_visit(
                    patient=patient, practitioner=request.user, **form.cleaned_data
                )
            else:
                episode = services.episode_open(patient=patient, **form.cleaned_data)
        except services.ClinicError as error:
            form.add_error(None, str(error))
        else:
            if start_visit:
                messages.success(request, f"Episode opened: {visit.episode.complaint}.")
                return redirect(visit)
            messages.success(request, f"Episode opened: {episode.complaint}.")
            return redirect(patient)
    return render(request, "clinic/episode_form.html", {"form": form, "patient": patient})


@require("clinic.change_episodeofcare")
@shows_clinical("episode")
def episode_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_object_or_404(EpisodeOfCare.objects.select_related("patient"), pk=pk)
    form = DischargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_discharge(
                episode=episode,
                reason=form.cleaned_data["reason"],
                notes=form.cleaned_data["notes"],
                closed_on=form.cleaned_data["closed_on"],
            )
        except services.ClinicError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Episode discharged.")
            _warn_of_booked_appointments(request, episode)
            return redirect(episode.patient)
    return TemplateResponse(
        request,
        "clinic/episode_discharge.html",
        {"form": form, "episode": episode, "patient": episode.patient},
    )


def _warn_of_booked_appointments(request: HttpRequest, episode: EpisodeOfCare) -> None:
    """Discharge cancels nothing (the patient may still come, about something else): say
    which appointments of the episode are still booked, to cancel or keep."""
    booked = selectors.booked_appointments(episode)
    if not booked:
        return
    listed = "; ".join(
        f"{timezone.localtime(a.start):%a %-d %b %Y %H:%M} with {_name(a.practitioner)}"
        for a in booked
    )
    count = f"{len(booked)} appointment{pluralize(len(booked))} of this episode"
    messages.warning(
        request,
        f"{count} {pluralize(len(booked), 'is,are')} still booked: {listed}. Cancel "
        f"{pluralize(len(booked), 'it,them')} in the diary if the patient is not coming; "
        "if they come, they are checked in and the physio chooses or opens the episode.",
    )


@require("clinic.add_visit")
@shows_clinical("episode")
def visit_start(request: HttpRequest, episode_pk: int) -> HttpResponse:
    episode = get_object_or_404(EpisodeOfCare.objects.select_related("patient"), pk=episode_pk)
    kind = "initial" if not episode.visits.exists() else "follow_up"
    form = VisitStartForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_start(
                episode=episode, practitioner=request.user, **form.cleaned_data
            )
        except services.ClinicError as error:
            form.add_error(None, str(error))
        else:
            return redirect(visit)
    return TemplateResponse(
        request,
        "clinic/visit_start.html",
        {"form": form, "episode": episode, "patient": episode.patient},
    )


@require("clinic.view_clinical_record")
@shows_clinical("visit")
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit(pk)
    can_edit = request.user.has_perm("clinic.change_visit") and services.can_write_visit(
        visit, request.user
    )
    form = VisitNotesForm(request.POST or None, instance=visit) if can_edit else None
    if request.method == "POST":
        if form is None:
            return _refuse_notes(request, visit)
        if form.is_valid():
            try:
                services.visit_update(
                    visit=visit, user=request.user, notes=form.cleaned_data["notes"]
                )
            except services.ClinicError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Notes saved.")
                return redirect(visit)
    return TemplateResponse(
        request, "clinic/visit_detail.html", _visit_context(request, visit, form=form)
    )


def _refuse_notes(request: HttpRequest, visit: Visit) -> HttpResponse:
    if visit.is_signed:
        raise PermissionDenied("This visit is signed; add an addendum instead.")
    refusal = services.visit_writer_refusal(visit, request.user)
    if not request.user.has_perm("clinic.change_visit"):
        raise PermissionDenied(refusal or "Your role does not change visits.")
    # A page opened before a colleague took the visit over: the text typed stays on the
    # page with the reason, nothing is saved.
    form = VisitNotesForm(request.POST, instance=visit)
    form.is_valid()
    form.add_error(None, refusal)
    return TemplateResponse(
        request,
        "clinic/visit_detail.html",
        _visit_context(request, visit, form=form),
        status=403,
    )


@require("clinic.sign_visit")
@shows_clinical("visit")
def visit_sign(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit(pk)
    missing = [] if visit.is_signed else selectors.missing_before_signing(visit)
    # Signing without what is missing is a deliberate choice, checked here, not in the page.
    unconfirmed = bool(missing) and request.POST.get("confirm_missing") != "yes"
    if request.method == "POST" and not unconfirmed:
        try:
            services.visit_sign(visit=visit, user=request.user)
        except services.ClinicError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "Visit signed. It is now read-only; use an addendum to add to it."
            )
        return redirect(visit)
    if not visit.is_signed and visit.practitioner_id != request.user.pk:
        messages.error(request, services.visit_writer_refusal(visit, request.user))
        return redirect(visit)
    context = _visit_context(request, visit)
    context["missing"] = missing
    context["confirm_error"] = request.method == "POST" and unconfirmed
    return TemplateResponse(
        request, "clinic/visit_sign.html", context, status=400 if context["confirm_error"] else 200
    )


@require("clinic.record_clinical")
@shows_clinical("visit")
def visit_take_over(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit(pk)
    if visit.is_signed:
        messages.info(request, "This visit is signed: add an addendum instead.")
        return redirect(visit)
    if visit.practitioner_id == request.user.pk:
        messages.info(request, "This visit is already yours.")
        return redirect(visit)
    form = TakeOverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            takeover = services.visit_take_over(
                visit=visit, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ClinicError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"You took this visit over from {_name(takeover.taken_from)}: "
                "you write in it and sign it now.",
            )
            return redirect(visit)
    return TemplateResponse(
        request,
        "clinic/visit_take_over.html",
        {"form": form, "visit": visit, "episode": visit.episode, "patient": visit.episode.patient},
    )


@require_POST
@require("clinic.add_addendum")
@shows_clinical("visit")
def addendum_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit(pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.addendum_add(visit=visit, author=request.user, **form.cleaned_data)
        except services.ClinicError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Addendum added.")
        return redirect(visit)
    return TemplateResponse(
        request,
        "clinic/visit_detail.html",
        _visit_context(request, visit, addendum_form=form),
        status=400,
    )


@require("clinic.view_audit_log")
@shows_clinical("page")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The log shows old and new values of clinical records: reading it is logged too."""
    form = AuditFilterForm(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if form.is_valid():
        data = form.cleaned_data
        if data["patient"]:
            patient = Patient.objects.filter(identifier__iexact=data["patient"].strip()).first()
            patient_id = patient.pk if patient else -1
            entries = entries.filter(
                Q(additional_data__patient_id=patient_id)
                | Q(content_type__model="patient", object_id=patient_id)
                # A page of many patients lists them all: [3, 12, 40] as text, on either
                # database (SQLite has no JSON containment).
                | Q(additional_data__patient_ids__regex=rf"(^|[^0-9]){patient_id}([^0-9]|$)")
            )
        if data["user"]:
            entries = entries.filter(actor__username__icontains=data["user"].strip())
        if data["account"]:
            User = get_user_model()
            account = User.objects.filter(username__iexact=data["account"].strip()).first()
            entries = entries.filter(
                content_type=ContentType.objects.get_for_model(User),
                object_id=account.pk if account else -1,
            )
        if data["date_from"]:
            entries = entries.filter(timestamp__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(timestamp__date__lte=data["date_to"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    _name_patients_shown(page)
    return TemplateResponse(request, "clinic/audit_log.html", {"form": form, "page": page})


def _name_patients_shown(entries) -> None:
    """`entry.patients_shown`: the clinic numbers of the patients a page of many showed."""
    listed = {entry.pk: (entry.additional_data or {}).get("patient_ids") for entry in entries}
    wanted = {patient for ids in listed.values() if ids for patient in ids}
    numbers = (
        dict(Patient.objects.filter(pk__in=wanted).values_list("pk", "identifier"))
        if wanted
        else {}
    )
    for entry in entries:
        entry.patients_shown = [numbers.get(pk, f"#{pk}") for pk in listed[entry.pk] or []]


def _saved_details(form: PatientEditForm, saved: Patient) -> list[dict]:
    """The saved value of each field, shown beside the user's own input to compare."""
    rows = []
    for name in PatientForm.Meta.fields:
        value = getattr(saved, name)
        if name == "sex":
            shown = saved.get_sex_display()
        elif name == "contact_consent":
            shown = "Yes" if value else "No"
        elif name == "date_of_birth":
            shown = f"{value.day} {value:%b %Y}"
        else:
            shown = value
        rows.append(
            {
                "label": form[name].label,
                "value": shown,
                "differs": form.cleaned_data.get(name) != value,
            }
        )
    return rows


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _identity(data: dict) -> dict:
    return {key: data[key] for key in ("given_name", "family_name", "date_of_birth")}


def _get_visit(pk: int) -> Visit:
    try:
        return selectors.visit_with_context(pk)
    except Visit.DoesNotExist:
        raise Http404("No such visit.") from None


def _visit_context(request, visit: Visit, **extra) -> dict:
    sections = visit_sections.visible_to(request.user)
    context = {
        "sections": [
            {"section": section, "context": section.context(request, visit)} for section in sections
        ],
        # One place to write: a registered note (SOAP) replaces the plain box, unless this
        # visit was written in the plain box before.
        "show_notes": bool(visit.notes) or not visit_sections.replace_notes(sections),
        "visit": visit,
        "episode": visit.episode,
        "patient": visit.episode.patient,
        "addenda": visit.addenda.select_related("author"),
        "addendum_form": AddendumForm(),
        "takeovers": visit.takeovers.select_related("taken_from", "taken_by"),
        "can_sign": (
            not visit.is_signed
            and request.user.has_perm("clinic.sign_visit")
            and visit.practitioner_id == request.user.pk
        ),
    }
    if not visit.is_signed:
        # Another physio's draft is shown read-only, with why and the way to take it over.
        context["write_refusal"] = services.visit_writer_refusal(visit, request.user)
        context["can_take_over"] = (
            visit.practitioner_id != request.user.pk
            and request.user.has_perm("clinic.record_clinical")
        )
    context.update(extra)
    return context
