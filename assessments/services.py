"""Every write of the assessments app."""

import dataclasses
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import host, measures, saving, selectors, summaries
from .definitions import ItemType, Template, templates, validate_answers
from .host import EpisodeOfCare, Visit
from .models import (
    Assessment,
    AssessmentStatus,
    Measurement,
    RedFlagAlert,
    RedFlagReferral,
    ReferralUrgency,
    ReferredTo,
    WorkingDiagnosis,
)
from .reasoning import Result, rulesets


class AssessmentError(Exception):
    """A rule was broken; the message is for the user."""


def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M on %d %b %Y")


class StaleRevision(AssessmentError):
    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment
        super().__init__(
            f"{_display_name(assessment.updated_by)} saved this assessment at "
            f"{_when(assessment.updated_at)} after you opened it. Your answers are still in "
            "the form: compare them with the saved ones below, then save again."
        )


class DuplicateReferral(AssessmentError):
    def __init__(self, referral: RedFlagReferral) -> None:
        self.referral = referral
        local = timezone.localtime(referral.referred_at)
        super().__init__(
            f"This referral is already recorded: {referral.to_whom}, "
            f"{referral.get_urgency_display().lower()}, by "
            f"{referral.get_method_display().lower()} on {local:%-d %b %Y} at {local:%H:%M}."
        )


def _lock_episode(episode_id: int) -> None:
    list(host.episodes().select_for_update().filter(pk=episode_id).values_list("pk"))


# The revision a form carries when it was opened before the assessment existed: a save
# from it that finds one saved since is a clash like any other.
NO_ASSESSMENT_YET = 0


def _lock(visit: Visit, template: Template) -> Assessment | None:
    return (
        # Through the visit: the assessment then knows its visit (and patient) without a
        # query, e.g. when a stale save shows it again.
        visit.assessments.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(template_code=template.code)
        .first()
    )


def _check_writable(
    visit: Visit, assessment: Assessment | None, revision: int | None, user
) -> None:
    if visit.is_signed or (assessment and assessment.is_signed):
        raise AssessmentError("This visit is signed: the assessment is read-only.")
    if (
        assessment is not None
        and revision is not None
        and assessment.revision != revision
        # The user's own autosave may land just before their Save: that is not a clash.
        and assessment.updated_by_id != user.pk
    ):
        raise StaleRevision(assessment)


def _save(assessment: Assessment, visit: Visit, template: Template) -> None:
    if not assessment._state.adding:
        assessment.save()
        return
    taken = saving.insert_unless_taken(assessment, taken=lambda: _lock(visit, template))
    if taken is not None:
        raise StaleRevision(taken)


DRAFT_VALUE_LIMIT = 5000  # characters in one answer: the form's longest (a text item)


def _check_draft_sizes(template: Template, form_data: Mapping[str, list[str]]) -> None:
    """A draft is kept unvalidated, but not at any size."""
    for name, values in form_data.items():
        longest = max((len(value) for value in values), default=0)
        if longest > DRAFT_VALUE_LIMIT:
            item = template.index.get(name.split("__")[0])
            label = item.label if item else name
            raise AssessmentError(
                f"{label}: keep it to at most {DRAFT_VALUE_LIMIT} characters (it has "
                f"{longest}). Nothing was saved; your input is still in the form."
            )


@transaction.atomic
def assessment_save_draft(
    *,
    visit: Visit,
    template: Template,
    user,
    form_data: Mapping[str, list[str]],
    revision: int | None = None,
) -> Assessment:
    """Keep the raw form input as it is, valid or not, so nothing typed is lost."""
    visit = host.services().check_visit_writer(visit, user)
    _check_draft_sizes(template, form_data)
    assessment = _lock(visit, template)
    _check_writable(visit, assessment, revision, user)
    if assessment is None:
        assessment = Assessment(
            visit=visit,
            template_code=template.code,
            template_version=template.version,
            created_by=user,
        )
    else:
        assessment.revision += 1
    assessment.draft = dict(form_data)
    assessment.updated_by = user
    _save(assessment, visit, template)
    return assessment


@transaction.atomic
def assessment_save(
    *,
    visit: Visit,
    template: Template,
    user,
    answers: Mapping[str, object],
    revision: int | None = None,
) -> Assessment:
    """Validate the answers against the template version, store them, extract the scores
    into Measurement rows and raise red-flag alerts on the episode."""
    visit = host.services().check_visit_writer(visit, user)
    assessment = _lock(visit, template)
    _check_writable(visit, assessment, revision, user)
    if assessment is not None and assessment.template_version != template.version:
        raise AssessmentError("This assessment was recorded with another template version.")
    normalised = validate_answers(template, answers)
    if assessment is None:
        assessment = Assessment(
            visit=visit,
            template_code=template.code,
            template_version=template.version,
            created_by=user,
        )
    else:
        assessment.revision += 1
    assessment.answers = normalised
    assessment.draft = None
    assessment.status = AssessmentStatus.SAVED
    assessment.updated_by = user
    _save(assessment, visit, template)
    _extract_measurements(assessment, template)
    result = _suggestions(template, normalised)
    if result is not None:
        _raise_red_flags(assessment, result, user)
    return assessment


def _suggestions(template: Template, answers: Mapping[str, object]) -> Result | None:
    """What the template's rule set suggests for the answers (None: it has no rule set)."""
    ruleset = rulesets.for_template(template.code)
    if ruleset is None:
        return None
    return ruleset.suggest(ruleset.findings_from_answers(template, answers))


def _extract_measurements(assessment: Assessment, template: Template) -> None:
    visit = assessment.visit
    # The episode's score summaries (for the outcome report) are refreshed once, at the
    # end: the deletes' signals are gathered and bulk_create sends none.
    with summaries.refreshing(visit.episode_id):
        _replace_measurements(assessment, template, visit)


def _replace_measurements(assessment: Assessment, template: Template, visit: Visit) -> None:
    Measurement.objects.filter(assessment=assessment).delete()
    rows = []
    for item in template.items():
        if item.type != ItemType.MEASURE or not assessment.answers.get(item.code):
            continue
        score = measures.score(item.measure, assessment.answers[item.code])
        rows.append(
            Measurement(
                patient_id=visit.episode.patient_id,
                episode_id=visit.episode_id,
                visit=visit,
                assessment=assessment,
                measure_code=score.measure_code,
                value=score.value,
                unit=score.unit,
                scoring_version=score.scoring_version,
                missing_items=score.missing_items,
                raw=score.raw,
                scored_at=visit.starts_at,
            )
        )
    # A score recorded elsewhere in the same visit (a follow-up note) is replaced.
    Measurement.objects.filter(
        visit=visit, measure_code__in=[row.measure_code for row in rows]
    ).delete()
    Measurement.objects.bulk_create(rows)


def _raise_red_flags(assessment: Assessment, result: Result, user) -> None:
    if not result.red_flags:
        return
    episode_id = assessment.visit.episode_id
    # Saves in two visits of the episode at once would each find no open alert and raise
    # it twice: the episode's row lock makes the second see the first's.
    _lock_episode(episode_id)
    open_outcomes = set(
        RedFlagAlert.objects.filter(episode_id=episode_id, cleared_at__isnull=True).values_list(
            "outcome", flat=True
        )
    )
    ruleset = rulesets.get(assessment.template_code)
    for outcome in result.red_flags:
        if outcome in open_outcomes:
            continue
        group = ruleset.red_flag_items(outcome)
        items = [code for code in result.red_flag_items if code in group]
        RedFlagAlert.objects.create(
            episode_id=episode_id,
            assessment=assessment,
            outcome=outcome,
            items=items,
            raised_by=user,
        )


CLEARANCE_REASON_LIMIT = 2000  # characters; the form's textarea says the same


@transaction.atomic
def red_flag_clear(*, alert: RedFlagAlert, user, reason: str) -> RedFlagAlert:
    alert = RedFlagAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.is_cleared:
        raise AssessmentError("This red flag was already cleared.")
    reason = reason.strip()
    if not reason:
        raise AssessmentError(
            "Say why the red flag is cleared (e.g. the medical review's outcome)."
        )
    if len(reason) > CLEARANCE_REASON_LIMIT:
        raise AssessmentError(
            f"Keep the reason to at most {CLEARANCE_REASON_LIMIT} characters "
            f"(it has {len(reason)})."
        )
    alert.cleared_at = timezone.now()
    alert.cleared_by = user
    alert.clearance_reason = reason
    alert.full_clean()
    alert.save()
    return alert


def referral_urgency_for(alert: RedFlagAlert) -> str:
    """The urgency the rule set gives the flag's group (emergency for cauda equina)."""
    group = rulesets.red_flag_group(alert.outcome)
    return ReferralUrgency(group.urgency) if group else ReferralUrgency.URGENT


@transaction.atomic
def red_flag_referral_record(
    *,
    alert: RedFlagAlert,
    user,
    referred_to: str,
    referred_to_name: str = "",
    urgency: str,
    referred_at,
    method: str,
    note: str = "",
    referral: RedFlagReferral | None = None,
) -> RedFlagReferral:
    """Record the referral made for a red flag (or, given `referral`, correct it).

    The referral belongs to the visit whose assessment raised the flag: it can be
    corrected while that visit is a draft; once signed, a new one may still be recorded
    (a late record), but none is changed. Red flags are the team's: any physio records."""
    alert = RedFlagAlert.objects.select_related("assessment__visit").get(pk=alert.pk)
    visit = alert.assessment.visit
    if referral is not None:
        referral = RedFlagReferral.objects.select_for_update().get(pk=referral.pk)
        if referral.alert_id != alert.pk:
            raise AssessmentError("This referral is not one of this red flag's.")
        if host.signed_visits().filter(pk=referral.visit_id).exists():
            raise AssessmentError(
                "The visit is signed: this referral is read-only. Add an addendum to the "
                "visit to correct it."
            )
    referred_to_name = referred_to_name.strip()
    if referred_to == ReferredTo.OTHER and not referred_to_name:
        raise AssessmentError("Name whom the patient was referred to.")
    if referred_at is not None and timezone.localdate(referred_at) < timezone.localdate(
        alert.raised_at
    ):
        raise AssessmentError(
            "A referral for this red flag cannot be dated before the flag was raised "
            f"({timezone.localtime(alert.raised_at):%-d %b %Y})."
        )
    if referral is None:
        referral = RedFlagReferral(alert=alert, visit=visit, recorded_by=user)
    referral.referred_to = referred_to
    referral.referred_to_name = referred_to_name
    referral.urgency = urgency
    referral.referred_at = referred_at
    referral.method = method
    referral.note = note.strip()
    referral.updated_by = user
    same = _same_referral(referral)
    if same is not None:
        raise DuplicateReferral(same)
    saving.validated(referral, error=AssessmentError)
    if referral._state.adding:
        taken = saving.insert_unless_taken(referral, taken=lambda: _same_referral(referral))
        if taken is not None:
            raise DuplicateReferral(taken)
    else:
        referral.save()
    return referral


def _same_referral(referral: RedFlagReferral) -> RedFlagReferral | None:
    """The referral already recorded for the alert that this one repeats, field for field
    (the database holds one: `referral_recorded_once`)."""
    return (
        RedFlagReferral.objects.filter(
            alert_id=referral.alert_id,
            referred_to=referral.referred_to,
            referred_to_name=referral.referred_to_name,
            urgency=referral.urgency,
            method=referral.method,
            referred_at=referral.referred_at,
        )
        .exclude(pk=referral.pk)
        .first()
    )


@transaction.atomic
def working_diagnosis_confirm(
    *,
    episode: EpisodeOfCare,
    user,
    source_codes: Iterable[str],
    main: str = "",
    suggested: Iterable[str] = (),
    reason: str = "",
) -> list[WorkingDiagnosis]:
    """Set the episode's working diagnosis: `main` is the source the clinician marked as
    the main one (it may be left out when only one source is chosen), the others are
    differentials. Codes no longer chosen are withdrawn, never deleted. After discharge
    the change needs a `reason` and is kept as an addition to the summary."""
    late_reason = host.services().check_after_discharge(
        episode=episode, what="the working diagnosis", reason=reason
    )
    codes = list(dict.fromkeys(source_codes))
    if not codes:
        raise AssessmentError("Choose at least one pain source for the working diagnosis.")
    sources = selectors.episode_sources(episode)
    unknown = [code for code in [*codes, main] if code and code not in sources]
    if unknown:
        raise ValidationError(
            f"{unknown[0]!r} is not a pain source of this episode's assessments.",
            code="unknown_source",
            params={"source": unknown[0]},
        )
    main = main_diagnosis_check(codes, main)
    suggested = set(suggested)
    # Two confirmations at once, before any diagnosis: the second waits, then finds the
    # first's rows (one per source) and changes them, as a later confirmation does.
    _lock_episode(episode.pk)
    now = timezone.now()
    existing = {
        row.source_code: row
        for row in WorkingDiagnosis.objects.select_for_update().filter(episode=episode)
    }

    def confirm(code: str) -> WorkingDiagnosis:
        row = existing.pop(code, None) or WorkingDiagnosis(episode=episode, source_code=code)
        row.is_main = code == main
        row.was_suggested = code in suggested
        row.confirmed_by = user
        row.confirmed_at = now
        row.withdrawn_at = None
        if row._state.adding:
            taken = saving.insert_unless_taken(
                row,
                taken=lambda: (
                    WorkingDiagnosis.objects.filter(episode=episode, source_code=code)
                    .select_related("confirmed_by")
                    .first()
                ),
            )
            if taken is not None:
                raise AssessmentError(
                    f"{_display_name(taken.confirmed_by)} confirmed a working diagnosis at "
                    f"{_when(taken.confirmed_at)}, while you were confirming yours: look at "
                    "theirs, then confirm again."
                )
        else:
            row.save()
        return row

    # The former main one stops being it (a differential now, or withdrawn) before the new
    # one is saved: the database holds one main diagnosis per episode at any moment.
    differentials = [confirm(code) for code in codes if code != main]
    withdrawn = [row for row in existing.values() if row.withdrawn_at is None]
    for row in withdrawn:
        row.withdrawn_at = now
        row.save()
    chosen = [confirm(main), *differentials]
    if late_reason:
        host.services().later_addition_record(
            episode=episode,
            user=user,
            what="Working diagnosis",
            change=_diagnosis_change(chosen, withdrawn),
            reason=late_reason,
        )
    return chosen


def main_diagnosis_check(codes: list[str], main: str) -> str:
    """The main diagnosis among the chosen sources: the one marked, or the only one."""
    if not main and len(codes) == 1:
        return codes[0]
    if not main:
        raise AssessmentError(
            "Mark which pain source is the main diagnosis; the others you tick are differentials."
        )
    if main not in codes:
        raise AssessmentError(
            f"{rulesets.source_label(main)} is marked as the main diagnosis but not ticked: tick it, or mark "
            "one of the ticked sources as the main one."
        )
    return main


def _diagnosis_change(chosen: list[WorkingDiagnosis], withdrawn: list[WorkingDiagnosis]) -> str:
    def label(row: WorkingDiagnosis) -> str:
        name = row.label
        return name if row.is_main else f"{name} (differential)"

    change = "Now " + ", ".join(label(row) for row in chosen) + "."
    if withdrawn:
        change += " Withdrawn: " + ", ".join(row.label for row in withdrawn) + "."
    return change


def is_empty(template: Template, assessment: Assessment) -> bool:
    """No red-flag question answered yes or no, no measure scored and no note written:
    nothing a clinician can vouch for by signing."""
    answers = assessment.answers
    for item in template.items():
        value = answers.get(item.code)
        if item.type == ItemType.RED_FLAG and value in ("yes", "no"):
            return False
        if item.type == ItemType.MEASURE and value:
            return False
        if item.type == ItemType.TEXT and str(value or "").strip():
            return False
    return True


def freeze_on_signing(sender, *, visit: Visit, user, **kwargs) -> None:
    """Receiver of assessments.host.visit_signing: freeze each assessment with the
    suggestions shown at this moment; refuse while unsaved draft input is pending."""
    for assessment in Assessment.objects.select_for_update().filter(visit=visit):
        if assessment.draft is not None:
            raise ValidationError(
                "The assessment has draft answers that are not saved yet: open it, save it "
                "(or correct what it asks), then sign."
            )
        template = templates.get(assessment.template_code, assessment.template_version)
        if is_empty(template, assessment):
            raise ValidationError(
                "The assessment records nothing yet: no red-flag question answered, no "
                "outcome measure and no note. Complete it before signing."
            )
        result = _suggestions(template, assessment.answers)
        if result is not None:
            assessment.signed_suggestions = dataclasses.asdict(result)
        assessment.status = AssessmentStatus.SIGNED
        assessment.save()
