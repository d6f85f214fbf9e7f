"""The diary pages: day and week views, booking, the follow-ups worklist, calendar feeds.
Each parses the request, calls `services` (writes) or `selectors` (reads) and renders.

The front desk uses every page here except starting a visit; nothing on them is clinical
(no notes, no complaint): an episode is shown by its physio only, unless the user may read
clinical records.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

import icalendar
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.access import require
from assessments.audit import shows_clinical
from assessments.host import ClinicError
from assessments.redirects import safe_next

from .. import selectors as clinic_selectors
from ..forms import (
    AppointmentForm,
    AppointmentTimeForm,
    CancelAppointmentForm,
    ContactAttemptForm,
    StartVisitForm,
)
from ..models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CalendarFeed,
    ContactOutcome,
    EpisodeOfCare,
    Patient,
    Side,
)
from . import permissions, selectors, services
from .times import Grid, appointment_length

WORKLIST_WINDOWS = (7, 14, 28)


def _day_from(request: HttpRequest) -> date:
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()
    # Days at the ends of the calendar overflow when the grid adds a day or a week.
    return day if date(1900, 1, 1) <= day <= date(2200, 12, 31) else timezone.localdate()


def _grid(grid: Grid) -> dict:
    return {"columns": grid.columns, "table": grid.table}


def _book_query(request: HttpRequest) -> str:
    """Carry a patient chosen before opening the diary into its one-click booking links."""
    patient = request.GET.get("patient", "")
    return urlencode({"patient": patient}) if patient.isdigit() else ""


@require("clinic.view_appointment")
def diary_day(request: HttpRequest) -> HttpResponse:
    """All physios side by side for one day."""
    day = _day_from(request)
    return render(
        request,
        "clinic/diary/day.html",
        {
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "today": timezone.localdate(),
            **_grid(selectors.day_grid(day, user=request.user)),
            "book_query": _book_query(request),
        },
    )


@require("clinic.view_appointment")
def diary_week(request: HttpRequest, practitioner_pk: int) -> HttpResponse:
    """One physio's week, Monday to Sunday (weekend days only when they work or are booked)."""
    physio = get_object_or_404(clinic_selectors.physiotherapists(), pk=practitioner_pk)
    day = _day_from(request)
    monday = day - timedelta(days=day.weekday())
    return render(
        request,
        "clinic/diary/week.html",
        {
            "physio": physio,
            "physios": clinic_selectors.physiotherapists(),
            "day": day,
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "today": timezone.localdate(),
            **_grid(selectors.week_grid(physio, monday, user=request.user)),
            "book_query": _book_query(request),
        },
    )


# --- Booking -----------------------------------------------------------------------------


@require("clinic.add_appointment")
def appointment_create(request: HttpRequest) -> HttpResponse:
    """The booking form. GET parameters prefill it: `patient`, `practitioner`, `start`
    (ISO), `kind`; `episode` (from the worklist) fills the patient, their physio and the
    next free slot near the follow-up's due date; `propose=1` proposes the next free slot
    of the chosen physio. A new patient (no episode of care yet) is booked for an initial
    assessment, with the first free physio and time proposed unless chosen."""
    physios = clinic_selectors.physiotherapists()
    params = request.GET
    episode = _open_episode(params.get("episode"))
    patient = episode.patient if episode else _patient(params.get("patient"))
    new_patient = patient is not None and not patient.episodes.exists()
    default_kind = AppointmentKind.INITIAL if new_patient else AppointmentKind.FOLLOW_UP
    initial = {
        "patient": patient.identifier if patient else "",
        "kind": params.get("kind") or default_kind,
        "practitioner": episode.physio_id if episode else params.get("practitioner"),
        "start": params.get("start"),
        "episode": episode.pk if episode else None,
    }
    if initial["kind"] not in AppointmentKind.values:
        initial["kind"] = default_kind
    proposed = None
    due_on = selectors.follow_up_due_on(episode) if episode else None
    if patient and not initial["practitioner"]:
        initial["practitioner"] = (
            EpisodeOfCare.objects.open()
            .filter(patient=patient)
            .values_list("physio_id", flat=True)
            .first()
        )
    if request.method == "GET" and not initial["start"]:
        length = appointment_length(initial["kind"])
        physio_id = _int(initial["practitioner"])
        if new_patient and not physio_id:
            # Whoever is free first: a new patient has no physio yet.
            found = selectors.first_free_slot(
                practitioner_ids=list(physios.values_list("pk", flat=True)),
                near=timezone.localdate(),
                length=length,
            )
            if found:
                initial["practitioner"], proposed = found
            else:
                messages.warning(request, "No physio has a free slot in the next four weeks.")
        elif (
            (episode or params.get("propose") or new_patient)
            and physio_id
            and physios.filter(pk=physio_id).exists()
        ):
            near = due_on or timezone.localdate()
            proposed = selectors.next_free_slot(practitioner_id=physio_id, near=near, length=length)
            if proposed is None:
                messages.warning(request, "No free slot in the next four weeks: choose a time.")
        if proposed:
            initial["start"] = timezone.localtime(proposed).strftime("%Y-%m-%dT%H:%M")
    form = AppointmentForm(request.POST or None, physios=physios, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        minutes = data["minutes"] or settings.APPOINTMENT_MINUTES[data["kind"]]
        try:
            appointment = services.book(
                practitioner=data["practitioner"],
                patient=data["patient"],
                start=data["start"],
                end=data["start"] + timedelta(minutes=minutes),
                kind=data["kind"],
                episode=data["episode"],
                notes=data["notes"],
                created_by=request.user,
                allow_past=permissions.may_backfill(request.user),
            )
        except services.SchedulingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Booked: {appointment.patient.full_name} with "
                f"{services.display_name(appointment.practitioner)}, "
                f"{services.time_range(appointment)}.",
            )
            day = timezone.localtime(appointment.start).date()
            return redirect(f"{reverse('clinic:diary_day')}?date={day:%Y-%m-%d}")
    query = params.get("q", "").strip()
    matches = []
    if query and not patient:
        keep = {k: v for k, v in params.items() if k not in {"q", "patient"}}
        matches = [
            (match, "?" + urlencode({**keep, "patient": match.pk}))
            for match in Patient.objects.active().search(query)[:10]
        ]
    return render(
        request,
        "clinic/diary/appointment_form.html",
        {
            "form": form,
            "patient": patient,
            "proposed": proposed,
            "follow_up_due_on": due_on,
            "new_patient": new_patient,
            "proposed_physio": (
                physios.filter(pk=_int(initial["practitioner"])).first() if proposed else None
            ),
            "physio_chosen": bool(params.get("practitioner") or episode),
            "query": query,
            "matches": matches,
            "searched": bool(query),
            "params": {k: v for k, v in params.items() if k not in {"q", "patient"}},
        },
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _patient(pk) -> Patient | None:
    pk = _int(pk)
    return Patient.objects.active().filter(pk=pk).first() if pk else None


def _open_episode(pk) -> EpisodeOfCare | None:
    pk = _int(pk)
    if not pk:
        return None
    return EpisodeOfCare.objects.open().select_related("patient").filter(pk=pk).first()


def _get_appointment(pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("patient", "practitioner", "episode", "created_by"),
        pk=pk,
    )


@require("clinic.view_appointment")
@shows_clinical("episode")
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment(pk)
    return TemplateResponse(
        request,
        "clinic/diary/appointment_detail.html",
        {
            "appointment": appointment,
            "patient": appointment.patient,
            # The episode (its complaint) only for those who may read clinical records.
            "episode": appointment.episode if permissions.may_read_clinical(request.user) else None,
            "can_start_visit": permissions.may_start_visit(request.user, appointment),
            "today": timezone.localdate(),
            "started": appointment.start <= timezone.now(),
        },
    )


@require("clinic.change_appointment")
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment(pk)
    physios = clinic_selectors.physiotherapists()
    form = AppointmentTimeForm(
        request.POST or None,
        physios=physios,
        initial={
            "practitioner": appointment.practitioner_id,
            "start": timezone.localtime(appointment.start).strftime("%Y-%m-%dT%H:%M"),
            "minutes": appointment.minutes,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        minutes = data["minutes"] or settings.APPOINTMENT_MINUTES[appointment.kind]
        try:
            moved = services.reschedule(
                appointment=appointment,
                practitioner=data["practitioner"],
                start=data["start"],
                end=data["start"] + timedelta(minutes=minutes),
                allow_past=permissions.may_backfill(request.user),
            )
        except services.SchedulingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Moved to {services.time_range(moved)}.")
            return redirect(moved)
    return render(
        request,
        "clinic/diary/appointment_reschedule.html",
        {"form": form, "appointment": appointment, "patient": appointment.patient},
    )


@require("clinic.change_appointment")
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment(pk)
    form = CancelAppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel(appointment=appointment, reason=form.cleaned_data["reason"])
        except services.SchedulingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Appointment cancelled; the time is free again.")
            return redirect(appointment)
    return render(
        request,
        "clinic/diary/appointment_cancel.html",
        {"form": form, "appointment": appointment, "patient": appointment.patient},
    )


@require_POST
@require("clinic.change_appointment")
def appointment_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment(pk)
    try:
        appointment = services.check_in(appointment=appointment)
    except ClinicError as error:
        messages.error(request, str(error))
    else:
        if appointment.visit_id:
            messages.success(request, f"{appointment.patient.full_name} has arrived.")
        else:
            messages.success(
                request,
                f"{appointment.patient.full_name} has arrived. The physio will choose the "
                "episode of care and start the visit.",
            )
    return redirect(safe_next(request, appointment.get_absolute_url()))


@require_POST
@require("clinic.change_appointment")
def appointment_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment(pk)
    try:
        services.mark_no_show(appointment=appointment)
    except services.SchedulingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked as not attended; the patient is on the follow-ups list.")
    return redirect(appointment)


@require_POST
@require("clinic.change_appointment")
def appointment_undo_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _get_appointment(pk)
    try:
        services.undo_no_show(appointment=appointment)
    except services.SlotUnavailable as error:
        messages.error(request, f"{error} Book a new appointment instead.")
    except services.SchedulingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Booked again: check the patient in when they arrive.")
    return redirect(appointment)


@require("clinic.add_visit")
@require("clinic.view_clinical_record")
@shows_clinical("patient")
def appointment_start_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """The physio chooses the episode for an arrived patient, or names a new complaint,
    and starts the visit."""
    appointment = _get_appointment(pk)
    episodes = EpisodeOfCare.objects.open().filter(patient=appointment.patient)
    form = StartVisitForm(
        request.POST or None,
        episodes=episodes,
        can_open=request.user.has_perm("clinic.add_episodeofcare"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.start_visit(
                appointment=appointment,
                episode=form.cleaned_data.get("episode"),
                complaint=form.cleaned_data.get("complaint", "").strip(),
                side=form.cleaned_data.get("side") or Side.NOT_APPLICABLE,
            )
        except ClinicError as error:
            form.add_error(None, str(error))
        else:
            return redirect(visit)
    # The choice of episodes shows the patient's complaints.
    return TemplateResponse(
        request,
        "clinic/diary/appointment_start_visit.html",
        {"form": form, "appointment": appointment, "patient": appointment.patient},
    )


# --- Follow-ups due ------------------------------------------------------------------------


@require("clinic.view_appointment")
def follow_ups(request: HttpRequest) -> HttpResponse:
    within = _int(request.GET.get("within"))
    within = within if within in WORKLIST_WINDOWS else 14
    worklist = selectors.follow_ups_due(within_days=within)
    for row in [*worklist.due, *worklist.missed]:
        row.contact_label = ContactOutcome(row.contact_outcome).label if row.contact_outcome else ""
    return render(
        request,
        "clinic/diary/follow_ups.html",
        {
            "worklist": worklist,
            "within": within,
            "windows": WORKLIST_WINDOWS,
            "today": timezone.localdate(),
            "contact_form": ContactAttemptForm(),
        },
    )


@require_POST
@require("clinic.add_contactattempt")
def contact_attempt_add(request: HttpRequest) -> HttpResponse:
    form = ContactAttemptForm(request.POST)
    episode = _open_episode(request.POST.get("episode"))
    missed = None
    if not episode:
        missed_pk = _int(request.POST.get("missed_appointment"))
        missed = Appointment.objects.filter(pk=missed_pk, status=AppointmentStatus.NO_SHOW).first()
    if not form.is_valid() and "note" in form.errors:
        messages.error(request, f"The note was not logged: {' '.join(form.errors['note'])}")
    elif not form.is_valid() or not (episode or missed):
        messages.error(request, "Choose what happened when you called.")
    else:
        services.contact_attempt_add(
            patient=episode.patient if episode else missed.patient,
            episode=episode,
            missed_appointment=missed,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            created_by=request.user,
        )
        messages.success(request, "Contact attempt logged.")
    within = _int(request.POST.get("within")) or 14
    return redirect(f"{reverse('clinic:follow_ups')}?within={within}")


# --- Calendar feed -------------------------------------------------------------------------


@require("clinic.view_appointment")
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    permissions.require_own_diary(request.user)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(practitioner=request.user)
            messages.success(request, "Your calendar feed is turned off; the old link is dead.")
        else:
            services.calendar_feed_renew(practitioner=request.user)
            messages.success(request, "Your calendar feed has a new link; the old one is dead.")
        return redirect("clinic:calendar_feed_settings")
    feed = CalendarFeed.objects.filter(practitioner=request.user).first()
    return render(
        request,
        "clinic/diary/calendar_feed.html",
        {"feed_url": request.build_absolute_uri(feed.get_absolute_url()) if feed else None},
    )


@login_not_required
def calendar_feed(request: HttpRequest, practitioner_pk: int, token: str) -> HttpResponse:
    """A physio's appointments as iCalendar, for their phone's calendar: no login, the
    secret token in the URL is the key (revocable). Patients appear by initials and clinic
    number only, since the feed leaves the clinic for calendar services it does not control."""
    feed = services.calendar_feed_open(practitioner_pk=practitioner_pk, token=token)
    if feed is None:  # a wrong address, or a physio no longer active in the role
        raise Http404("No such calendar.")
    appointments = selectors.feed_appointments(feed)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Clinic records//Diary//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.CLINIC_NAME}: diary")
    host = request.get_host().split(":")[0]
    for appointment in appointments:
        event = icalendar.Event()
        event.add("uid", f"appointment-{appointment.pk}@{host}")
        event.add("dtstamp", appointment.updated_at)
        event.add("dtstart", appointment.start)
        event.add("dtend", appointment.end)
        event.add("summary", feed_summary(appointment))
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def feed_summary(appointment: Appointment) -> str:
    patient = appointment.patient
    initials = f"{patient.given_name[:1]}{patient.family_name[:1]}".upper()
    return f"{appointment.get_kind_display()}: {initials} ({patient.identifier})"
