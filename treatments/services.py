"""Every write of the treatments app, with the safety rules the system enforces."""

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction
from django.utils import timezone

from assessments.models import AssessmentStatus
from assessments.selectors import open_red_flags
from clinic import services as clinic_services
from clinic.models import EpisodeOfCare, Visit

from .kinds import CONSENT, CONTRAINDICATION_SCREEN, RED_FLAGS_CLEAR, kinds, validate_params
from .models import (
    AdverseEvent,
    Consent,
    ContraindicationScreen,
    DeliveredIntervention,
    Goal,
    TreatmentPlan,
    VisitNote,
)
from .safety import DRY_NEEDLING_RISKS, evaluate_screen


class TreatmentError(Exception):
    """A rule was broken; the message says why, for the user."""


class SafetyError(TreatmentError):
    """An intervention is not allowed yet; `missing` says what must be recorded first."""

    def __init__(self, message: str, *, missing: str) -> None:
        super().__init__(message)
        self.missing = missing


RED_FLAG_ITEMS_PREFIX = "rf_"


def _validated(instance) -> None:
    # The model's rules (date ranges, one-line fields) as a TreatmentError.
    clinic_services.validated(instance, error=TreatmentError)


def _check_visit_open(visit: Visit) -> None:
    if visit.is_signed:
        raise TreatmentError(
            "This visit is signed: its treatment is read-only. Add an addendum instead."
        )


def check_preconditions(*, episode: EpisodeOfCare, kind_code: str) -> None:
    """Raise SafetyError explaining the first precondition of the kind not met."""
    kind = kinds.get(kind_code)
    label = kind.label
    if CONSENT in kind.preconditions and not active_consent(episode, kind_code):
        raise SafetyError(
            f"{label} needs the patient's recorded consent for this episode (date, verbal or "
            "written, risks discussed, right to withdraw). Record the consent first.",
            missing=CONSENT,
        )
    if CONTRAINDICATION_SCREEN in kind.preconditions:
        screen = latest_screen(episode)
        if screen is None:
            raise SafetyError(
                f"{label} needs a contraindication screen for this episode. Record the screen first.",
                missing=CONTRAINDICATION_SCREEN,
            )
        outcome = screen.outcome
        if outcome.blocking:
            found = ", ".join(item.label.lower() for item in outcome.blocking)
            raise SafetyError(
                f"{label} is contraindicated: the screen of {screen.screened_at:%d %b %Y} found {found}.",
                missing=CONTRAINDICATION_SCREEN,
            )
        if outcome.cautions and not screen.justification.strip():
            raise SafetyError(
                f"{label}: the screen found cautions that need a recorded clinical justification.",
                missing=CONTRAINDICATION_SCREEN,
            )
    if RED_FLAGS_CLEAR in kind.preconditions:
        flags = open_red_flags(episode)
        if flags:
            raise SafetyError(
                f"{label} is blocked: a red flag ({flags[0].get_outcome_display().lower()}) has not "
                "been recorded as cleared by a clinician.",
                missing=RED_FLAGS_CLEAR,
            )
        if not red_flag_screen_recorded(episode):
            raise SafetyError(
                f"{label} needs a red-flag screen: answer the red-flag questions of the assessment "
                "in this episode first.",
                missing=RED_FLAGS_CLEAR,
            )


def active_consent(episode: EpisodeOfCare, kind_code: str) -> Consent | None:
    return (
        Consent.objects.filter(
            episode=episode, intervention_kind=kind_code, withdrawn_on__isnull=True
        )
        .order_by("-given_on", "-id")
        .first()
    )


def latest_screen(episode: EpisodeOfCare) -> ContraindicationScreen | None:
    return (
        ContraindicationScreen.objects.filter(episode=episode)
        .order_by("-screened_at", "-id")
        .first()
    )


def red_flag_screen_recorded(episode: EpisodeOfCare) -> bool:
    """A saved assessment of the episode answered at least one red-flag question."""
    answers = episode.visits.filter(
        assessments__status__in=[AssessmentStatus.SAVED, AssessmentStatus.SIGNED]
    ).values_list("assessments__answers", flat=True)
    return any(
        value in ("yes", "no")
        for answer in answers
        if answer
        for code, value in answer.items()
        if code.startswith(RED_FLAG_ITEMS_PREFIX)
    )


@transaction.atomic
def intervention_record(
    *,
    visit: Visit,
    user,
    kind_code: str,
    params: Mapping[str, object],
    notes: str = "",
    intervention: DeliveredIntervention | None = None,
) -> DeliveredIntervention:
    """Add (or, given `intervention`, change) an intervention of a draft visit."""
    visit = Visit.objects.select_for_update().select_related("episode").get(pk=visit.pk)
    _check_visit_open(visit)
    cleaned = validate_params(kind_code, params)
    check_preconditions(episode=visit.episode, kind_code=kind_code)
    if intervention is None:
        intervention = DeliveredIntervention(visit=visit, kind=kind_code, recorded_by=user)
    elif intervention.visit_id != visit.pk or intervention.removed_at:
        raise TreatmentError("This intervention is not part of this visit.")
    intervention.params = cleaned
    intervention.notes = notes
    _validated(intervention)
    intervention.save()
    return intervention


@transaction.atomic
def intervention_remove(*, intervention: DeliveredIntervention, user) -> None:
    visit = Visit.objects.select_for_update().get(pk=intervention.visit_id)
    _check_visit_open(visit)
    # Kept, marked removed: clinical rows are never hard-deleted.
    intervention.removed_at = timezone.now()
    intervention.save()


@transaction.atomic
def consent_record(
    *,
    episode: EpisodeOfCare,
    user,
    intervention_kind: str,
    given_on: date,
    method: str,
    risks_discussed: Iterable[str],
    right_to_withdraw_explained: bool,
    notes: str = "",
) -> Consent:
    risks = list(dict.fromkeys(risks_discussed))
    if not right_to_withdraw_explained:
        raise TreatmentError("Consent needs the right to withdraw explained to the patient.")
    if intervention_kind == "dry_needling":
        missing = [label for code, label in DRY_NEEDLING_RISKS if code not in risks]
        if missing:
            raise TreatmentError(
                "Before dry needling every risk must be discussed; not ticked: "
                + ", ".join(label.lower() for label in missing)
                + "."
            )
    consent = Consent(
        episode=episode,
        intervention_kind=intervention_kind,
        given_on=given_on,
        method=method,
        risks_discussed=risks,
        right_to_withdraw_explained=True,
        notes=notes,
        recorded_by=user,
    )
    _validated(consent)
    consent.save()
    return consent


@transaction.atomic
def screen_record(
    *, episode: EpisodeOfCare, user, present: Iterable[str], justification: str = ""
) -> ContraindicationScreen:
    present = list(dict.fromkeys(present))
    outcome = evaluate_screen(present)
    if outcome.cautions and not outcome.blocking and not justification.strip():
        found = ", ".join(item.label.lower() for item in outcome.cautions)
        raise TreatmentError(f"Record the clinical justification for needling despite: {found}.")
    screen = ContraindicationScreen(
        episode=episode, present=present, justification=justification.strip(), screened_by=user
    )
    screen.save()
    return screen


@transaction.atomic
def adverse_event_record(
    *, intervention: DeliveredIntervention, user, event_type: str, severity: str, action_taken: str
) -> AdverseEvent:
    # An adverse event may be recorded after signing: it is an addition, not a change.
    event = AdverseEvent(
        intervention=intervention,
        event_type=event_type,
        severity=severity,
        action_taken=action_taken,
        recorded_by=user,
    )
    _validated(event)
    event.save()
    return event


@transaction.atomic
def visit_note_save(*, visit: Visit, user, revision: int | None = None, **fields) -> VisitNote:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _check_visit_open(visit)
    note = VisitNote.objects.select_for_update().filter(visit=visit).first()
    if note is not None and revision is not None and note.revision != revision:
        who = note.updated_by.get_full_name() or note.updated_by.username
        raise TreatmentError(
            f"{who} saved this note at {timezone.localtime(note.updated_at):%H:%M} after you "
            "opened it. Your text is still in the form: merge it with theirs and save again."
        )
    if note is None:
        note = VisitNote(visit=visit)
    else:
        note.revision += 1
    for name, value in fields.items():
        setattr(note, name, value)
    note.updated_by = user
    _validated(note)
    note.save()
    return note


@transaction.atomic
def plan_save(
    *,
    episode: EpisodeOfCare,
    user,
    planned_interventions: Iterable[str],
    visit_interval_days: int,
    planned_visits: int,
    next_review_on: date | None,
    notes: str,
    goals: list[Mapping[str, object]],
) -> TreatmentPlan:
    unknown = [code for code in planned_interventions if code not in kinds]
    if unknown:
        raise TreatmentError(f"Unknown intervention: {', '.join(unknown)}.")
    plan = TreatmentPlan.objects.select_for_update().filter(
        episode=episode
    ).first() or TreatmentPlan(episode=episode)
    plan.planned_interventions = list(dict.fromkeys(planned_interventions))
    plan.visit_interval_days = visit_interval_days
    plan.planned_visits = planned_visits
    plan.next_review_on = next_review_on
    plan.notes = notes
    plan.updated_by = user
    _validated(plan)
    plan.save()
    plan.goals.all().delete()
    for goal in goals:
        row = Goal(plan=plan, **goal)
        _validated(row)
        row.save()
    # The clinic's diary computes follow-ups due from this interval.
    clinic_services.episode_set_follow_up(episode=episode, interval_days=visit_interval_days)
    return plan
