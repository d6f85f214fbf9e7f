"""Every write of the treatments app, with the safety rules the system enforces."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from assessments import host, saving
from assessments.host import EpisodeOfCare, Visit
from assessments.models import AssessmentStatus
from assessments.selectors import open_red_flags

from .kinds import (
    CONSENT,
    CONTRAINDICATION_SCREEN,
    RED_FLAGS_CLEAR,
    kinds,
    labels_in_words,
    validate_params,
)
from .models import (
    AdverseEvent,
    Consent,
    ContraindicationScreen,
    DeliveredIntervention,
    Goal,
    TreatmentPlan,
    VisitNote,
)
from .safety import evaluate_screen


class TreatmentError(Exception):
    """A rule was broken; the message says why, for the user."""


class SafetyError(TreatmentError):
    """An intervention is not allowed yet; `missing` says what must be recorded first."""

    def __init__(
        self, message: str, *, missing: str, red_flags: Sequence = (), blocked_in_words: str = ""
    ) -> None:
        super().__init__(message)
        self.missing = missing
        # The open red-flag alerts that block the kind, for the page to show first, and
        # every kind they block.
        self.red_flags = list(red_flags)
        self.blocked_in_words = blocked_in_words


class StaleRecord(TreatmentError):
    """Someone saved this after the form was opened: refused, not merged; `current` is
    what they saved, for the page to show beside the user's input."""

    def __init__(self, message: str, *, current) -> None:
        super().__init__(message)
        self.current = current


# What a form opened before the first row existed carries as its revision (a note, a
# plan) or as the consent or screen it was opened with: a save from it that finds a row
# saved since is a clash like any other.
NOT_YET_SAVED = 0

RED_FLAG_ITEMS_PREFIX = "rf_"


def _validated(instance, **checks) -> None:
    # The model's rules (date ranges, one-line fields) as a TreatmentError.
    saving.validated(instance, error=TreatmentError, **checks)


def _who(user) -> str:
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M on %d %b %Y}"


def _lock_episode(episode: EpisodeOfCare) -> EpisodeOfCare:
    """Lock the episode: writes of its one-per rows (the plan, the consent in force, the
    latest screen) wait for one another, first saves included, and the next read sees what
    the one before committed (SQLite's IMMEDIATE transaction does the same)."""
    return host.episodes().select_for_update().get(pk=episode.pk)


def _check_visit_open(visit: Visit) -> None:
    if visit.is_signed:
        raise TreatmentError(
            "This visit is signed: its treatment is read-only. Add an addendum instead."
        )


def check_episode_open(episode: EpisodeOfCare, *, what: str) -> None:
    """Refuse a record that only matters for treatment still to come, once discharged."""
    closed_on = (
        host.episodes()
        .filter(pk=episode.pk, status=host.EPISODE_DISCHARGED)
        .values_list("closed_on", flat=True)
        .first()
    )
    if closed_on is not None:
        raise TreatmentError(
            f"This episode was discharged on {closed_on:%-d %b %Y}: no treatment follows in "
            f"it, so {what} is not recorded now. Open a new episode for new treatment."
        )


def check_preconditions(*, episode: EpisodeOfCare, kind_code: str) -> None:
    """Raise SafetyError explaining the first precondition of the kind not met.

    An open red flag comes first and decides: nothing else recorded (a consent, a
    screen) would allow the kind, so the physio is not sent to record one."""
    kind = kinds.get(kind_code)
    label = kind.label
    if RED_FLAGS_CLEAR in kind.preconditions:
        flags = open_red_flags(episode)
        if flags:
            raise SafetyError(
                f"{label} is blocked: a red flag ({flags[0].get_outcome_display().lower()}) has not "
                "been recorded as cleared by a clinician.",
                missing=RED_FLAGS_CLEAR,
                red_flags=flags,
                blocked_in_words=labels_in_words(kinds.needing(RED_FLAGS_CLEAR)),
            )
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
    if RED_FLAGS_CLEAR in kind.preconditions and not red_flag_screen_recorded(episode):
        raise SafetyError(
            f"{label} needs a red-flag screen: answer the red-flag questions of the assessment "
            "in this episode first.",
            missing=RED_FLAGS_CLEAR,
        )


def active_consent(episode: EpisodeOfCare, kind_code: str) -> Consent | None:
    """The consent to the kind in force in the episode (one at most: see Consent)."""
    return (
        Consent.objects.filter(
            episode=episode,
            intervention_kind=kind_code,
            withdrawn_on__isnull=True,
            superseded_at__isnull=True,
        )
        .select_related("recorded_by")
        .first()
    )


def latest_screen(episode: EpisodeOfCare) -> ContraindicationScreen | None:
    return (
        ContraindicationScreen.objects.filter(episode=episode)
        .select_related("screened_by")
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
    keep_saved: Collection[str] = (),
) -> DeliveredIntervention:
    """Add (or, given `intervention`, change) an intervention of a draft visit.

    `keep_saved` names params the caller did not send at all (a form without the exercise
    rows, an older page, a script): their saved values stay. A param sent empty is
    cleared, as the form that showed it asked."""
    visit = host.services().check_visit_writer(visit, user)
    _check_visit_open(visit)
    if intervention is not None:
        # Read under the visit's lock, which every change to its interventions takes.
        intervention.refresh_from_db()
        if intervention.visit_id != visit.pk or intervention.removed_at:
            raise TreatmentError("This intervention is not part of this visit.")
        saved = intervention.params
        params = {**params, **{code: saved[code] for code in keep_saved if code in saved}}
    cleaned = validate_params(kind_code, params)
    check_preconditions(episode=visit.episode, kind_code=kind_code)
    if intervention is None:
        intervention = DeliveredIntervention(visit=visit, kind=kind_code, recorded_by=user)
    intervention.params = cleaned
    intervention.notes = notes
    intervention.updated_by = user
    _validated(intervention)
    intervention.save()
    return intervention


@transaction.atomic
def intervention_remove(*, intervention: DeliveredIntervention, user) -> None:
    visit = host.services().check_visit_writer(intervention.visit, user)
    _check_visit_open(visit)
    # Kept, marked removed: clinical rows are never hard-deleted.
    intervention.removed_at = timezone.now()
    intervention.updated_by = user
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
    reason: str = "",
    replaces: int | None = None,
) -> Consent:
    """Record the patient's consent; it replaces the one in force for the kind, if any.

    `replaces` is the consent in force when the form was opened (its id, NOT_YET_SAVED
    for none): a consent recorded by someone else since is not replaced unawares
    (StaleRecord). None skips that check. After discharge it needs a `reason`."""
    late_reason = host.services().check_after_discharge(
        episode=episode, what="the consents", reason=reason
    )
    risks = list(dict.fromkeys(risks_discussed))
    if not right_to_withdraw_explained:
        raise TreatmentError("Consent needs the right to withdraw explained to the patient.")
    kind = kinds.get(intervention_kind)
    terms = kind.consent_terms
    # The risks of this kind only: never another kind's (spec section 5).
    foreign = [code for code in risks if code not in dict(terms.risks)]
    if foreign:
        raise TreatmentError(
            f"Not a risk of {kind.label.lower()}: {', '.join(foreign)}. Tick only the risks "
            "the form lists."
        )
    if terms.every_risk:
        missing = [label for code, label in terms.risks if code not in risks]
        if missing:
            raise TreatmentError(
                f"Before {kind.label.lower()} every risk must be discussed; not ticked: "
                + ", ".join(label.lower() for label in missing)
                + "."
            )
    episode = _lock_episode(episode)
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
    if late_reason and given_on > episode.closed_on:
        raise TreatmentError(
            "A consent recorded after discharge is a late record of one given during the "
            f"episode: the date cannot be after the discharge ({episode.closed_on:%-d %b %Y})."
        )
    current = active_consent(episode, intervention_kind)
    if current is not None and replaces is not None and current.pk != replaces:
        if _same_consent(current, consent):
            return current  # the same consent posted twice (a double click)
        raise _stale_consent(current)
    if current is not None:
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
    # The one-in-force rule is the database's; a refusal of it is answered just below.
    _validated(consent, validate_constraints=False)
    taken = saving.insert_unless_taken(
        consent, taken=lambda: active_consent(episode, intervention_kind)
    )
    if taken is not None:
        raise _stale_consent(taken)
    if late_reason:
        host.services().later_addition_record(
            episode=episode,
            user=user,
            what="Consent",
            change=(
                f"{consent.get_method_display()} consent to "
                f"{consent.get_intervention_kind_display().lower()} recorded, given on "
                f"{given_on:%-d %b %Y}."
            ),
            reason=late_reason,
        )
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, user, withdrawn_on: date | None = None, reason: str = ""
) -> Consent:
    """The patient withdraws a consent: it is kept, marked withdrawn, and the intervention
    it allowed is blocked until consent is recorded again."""
    late_reason = host.services().check_after_discharge(
        episode=consent.episode, what="the consents", reason=reason
    )
    consent = Consent.objects.select_for_update().select_related("episode").get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise TreatmentError(
            f"This consent was already withdrawn on {consent.withdrawn_on:%-d %b %Y}."
        )
    withdrawn_on = withdrawn_on or timezone.localdate()
    if withdrawn_on > timezone.localdate():
        raise TreatmentError("The date the consent was withdrawn cannot be in the future.")
    if withdrawn_on < consent.given_on:
        raise TreatmentError(
            f"The consent cannot be withdrawn before it was given ({consent.given_on:%-d %b %Y})."
        )
    consent.withdrawn_on = withdrawn_on
    consent.full_clean()
    consent.save()
    if late_reason:
        host.services().later_addition_record(
            episode=consent.episode,
            user=user,
            what="Consent",
            change=(
                f"Consent to {consent.get_intervention_kind_display().lower()} (given on "
                f"{consent.given_on:%-d %b %Y}) withdrawn on {withdrawn_on:%-d %b %Y}."
            ),
            reason=late_reason,
        )
    return consent


def _same_consent(saved: Consent, new: Consent) -> bool:
    return (
        saved.given_on == new.given_on
        and saved.method == new.method
        and sorted(saved.risks_discussed) == sorted(new.risks_discussed)
        and saved.notes == new.notes
    )


def _stale_consent(current: Consent) -> StaleRecord:
    return StaleRecord(
        f"{_who(current.recorded_by)} recorded the patient's consent to "
        f"{current.get_intervention_kind_display().lower()} at {_when(current.recorded_at)} "
        f"after you opened this form ({current.get_method_display().lower()}, given on "
        f"{current.given_on:%d %b %Y}). Your entries are still in the form: record them only "
        "if they should replace that consent.",
        current=current,
    )


@transaction.atomic
def screen_record(
    *,
    episode: EpisodeOfCare,
    user,
    present: Iterable[str],
    justification: str = "",
    follows: int | None = None,
) -> ContraindicationScreen:
    """Record a contraindication screen; the latest is the one the safety rules read.

    `follows` is the latest screen when the form was opened (its id, NOT_YET_SAVED for
    none): one recorded by someone else since is not followed unawares (StaleRecord).
    None skips that check."""
    check_episode_open(episode, what="a contraindication screen")
    present = list(dict.fromkeys(present))
    justification = justification.strip()
    outcome = evaluate_screen(present)
    if outcome.cautions and not outcome.blocking and not justification:
        found = ", ".join(item.label.lower() for item in outcome.cautions)
        raise TreatmentError(f"Record the clinical justification for needling despite: {found}.")
    episode = _lock_episode(episode)
    current = latest_screen(episode)
    if current is not None and follows is not None and current.pk != follows:
        if sorted(current.present) == sorted(present) and current.justification == justification:
            return current  # the same screen posted twice (a double click)
        found = current.outcome.blocking + current.outcome.cautions
        raise StaleRecord(
            f"{_who(current.screened_by)} recorded a contraindication screen at "
            f"{_when(current.screened_at)} after you opened this form (found: "
            f"{', '.join(item.label.lower() for item in found) or 'nothing'}). Your answers "
            "are still in the form: record them if they should be the latest screen.",
            current=current,
        )
    screen = ContraindicationScreen(
        episode=episode, present=present, justification=justification, screened_by=user
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


def _note(visit: Visit) -> VisitNote | None:
    return (
        VisitNote.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(visit=visit)
        .first()
    )


def _stale_note(note: VisitNote) -> StaleRecord:
    return StaleRecord(
        f"{_who(note.updated_by)} saved this note at {_when(note.updated_at)} after you "
        "opened it. Your text is still in the form: merge it with theirs (below) and save "
        "again.",
        current=note,
    )


@transaction.atomic
def visit_note_save(*, visit: Visit, user, revision: int | None = None, **fields) -> VisitNote:
    """Save the visit's SOAP note. `revision` is the one the form was opened at
    (NOT_YET_SAVED before the first save): a note saved by someone since is refused
    (StaleRecord), not replaced. None skips that check."""
    visit = host.services().check_visit_writer(visit, user)
    _check_visit_open(visit)
    note = _note(visit)
    if note is not None and revision is not None and note.revision != revision:
        if all(getattr(note, name) == value for name, value in fields.items()):
            return note  # the same note posted twice (a double click)
        raise _stale_note(note)
    if note is None:
        note = VisitNote(visit=visit)
    else:
        note.revision += 1
    for name, value in fields.items():
        setattr(note, name, value)
    note.updated_by = user
    # One note per visit: the lock above serialises first saves; the database's refusal,
    # should a writer skip it, is answered below.
    _validated(note, validate_unique=False)
    if note._state.adding:
        taken = saving.insert_unless_taken(note, taken=lambda: _note(visit))
        if taken is not None:
            raise _stale_note(taken)
    else:
        note.save()
    return note


def _plan(episode: EpisodeOfCare) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(episode=episode)
        .first()
    )


def _stale_plan(plan: TreatmentPlan) -> StaleRecord:
    return StaleRecord(
        f"{_who(plan.updated_by)} saved this treatment plan at {_when(plan.updated_at)} "
        "after you opened it. Your plan is still in the form: check it against the saved "
        "plan below and save again.",
        current=plan,
    )


# A goal's fields, with what a goal given without them has.
GOAL_FIELDS = {"text": "", "measure_code": "", "comparator": "", "target_value": None}


def _same_plan(plan: TreatmentPlan, fields: Mapping[str, object], goals: list) -> bool:
    saved_goals = [tuple(getattr(goal, name) for name in GOAL_FIELDS) for goal in plan.goals.all()]
    posted_goals = [
        tuple(goal.get(name, default) for name, default in GOAL_FIELDS.items()) for goal in goals
    ]
    return (
        all(getattr(plan, name) == value for name, value in fields.items())
        and saved_goals == posted_goals
    )


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
    reason: str = "",
    revision: int | None = None,
) -> TreatmentPlan:
    """Save the episode's treatment plan. `revision` is the one the form was opened at
    (NOT_YET_SAVED before the first save): a plan saved by someone since is refused
    (StaleRecord), not replaced. None skips that check. After discharge it needs a
    `reason`."""
    late_reason = host.services().check_after_discharge(
        episode=episode, what="the treatment plan", reason=reason
    )
    unknown = [code for code in planned_interventions if code not in kinds]
    if unknown:
        raise TreatmentError(f"Unknown intervention: {', '.join(unknown)}.")
    episode = _lock_episode(episode)
    plan = _plan(episode)
    fields = {
        "planned_interventions": list(dict.fromkeys(planned_interventions)),
        "visit_interval_days": visit_interval_days,
        "planned_visits": planned_visits,
        "next_review_on": next_review_on,
        "notes": notes,
    }
    if plan is not None and revision is not None and plan.revision != revision:
        if _same_plan(plan, fields, goals):
            return plan  # the same plan posted twice (a double click on "Save plan")
        raise _stale_plan(plan)
    if plan is None:
        plan = TreatmentPlan(episode=episode)
    else:
        plan.revision += 1
    notes_before = plan.notes
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.updated_by = user
    # One plan per episode: the lock above serialises first saves; the database's
    # refusal, should a writer skip it, is answered below.
    _validated(plan, validate_unique=False)
    if plan._state.adding:
        taken = saving.insert_unless_taken(plan, taken=lambda: _plan(episode))
        if taken is not None:
            raise _stale_plan(taken)
    else:
        plan.save()
    plan.goals.all().delete()
    for goal in goals:
        row = Goal(plan=plan, **goal)
        _validated(row)
        row.save()
    # The clinic's diary computes follow-ups due from this interval.
    host.services().episode_set_follow_up(episode=episode, interval_days=visit_interval_days)
    if late_reason:
        host.services().later_addition_record(
            episode=episode,
            user=user,
            what="Treatment plan",
            change=_plan_change(plan, goals, notes_before=notes_before),
            reason=late_reason,
        )
    return plan


def _plan_change(
    plan: TreatmentPlan, goals: list[Mapping[str, object]], *, notes_before: str
) -> str:
    change = (
        f"Every {plan.visit_interval_days} days, {plan.planned_visits} visits planned"
        + (f", review on {plan.next_review_on:%-d %b %Y}" if plan.next_review_on else "")
        + "."
    )
    if plan.planned_interventions:
        change += (
            " Interventions: "
            + ", ".join(kinds.get(code).label.lower() for code in plan.planned_interventions)
            + "."
        )
    if goals:
        change += " Goals: " + "; ".join(str(Goal(**goal)) for goal in goals) + "."
    # The notes are part of the plan the summary sent out: a change to them is one too.
    if plan.notes:
        change += f" Notes: {plan.notes}"
    elif notes_before:
        change += " Notes removed."
    return change
