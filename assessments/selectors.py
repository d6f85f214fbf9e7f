"""Reads of the assessments app over several models, each in a fixed number of queries."""

from django.db.models import Prefetch

from .definitions import ItemType, templates
from .host import EpisodeOfCare, Patient, Visit
from .models import (
    Assessment,
    AssessmentStatus,
    Measurement,
    RedFlagAlert,
    RedFlagReferral,
    WorkingDiagnosis,
)
from .reasoning import RuleSet, rulesets


def open_red_flags(episode: EpisodeOfCare) -> list[RedFlagAlert]:
    """The episode's red flags not cleared yet, each with its referrals: two queries."""
    return list(
        episode.red_flag_alerts.filter(cleared_at__isnull=True)
        .select_related("raised_by")
        .prefetch_related(_referrals())
    )


def _referrals() -> Prefetch:
    return Prefetch("referrals", RedFlagReferral.objects.select_related("visit"))


def red_flags_clear(episode: EpisodeOfCare) -> bool:
    """True when no red flag of the episode waits to be cleared (treatments use this)."""
    return not RedFlagAlert.objects.filter(episode=episode, cleared_at__isnull=True).exists()


def working_diagnosis(episode: EpisodeOfCare) -> list[WorkingDiagnosis]:
    return list(
        episode.working_diagnoses.filter(withdrawn_at__isnull=True).select_related("confirmed_by")
    )


def working_diagnosis_confirmed(episode_id: int) -> bool:
    """True once the episode has a current working diagnosis: the step bar's diagnosis
    step and the list before signing both ask this (one query)."""
    return WorkingDiagnosis.objects.filter(episode=episode_id, withdrawn_at__isnull=True).exists()


def episode_rulesets(episode: EpisodeOfCare | int) -> list[RuleSet]:
    """The rule sets of the templates the episode was assessed with, in registration
    order (one query): what its working diagnosis may name and what that suggests."""
    codes = set(
        Assessment.objects.filter(visit__episode=episode).values_list("template_code", flat=True)
    )
    return [ruleset for ruleset in rulesets if ruleset.template_code in codes]


def episode_sources(episode: EpisodeOfCare | int) -> dict[str, str]:
    """The pain sources the episode's working diagnosis may name, with their labels:
    those of its assessments' rule sets; before any such assessment (a diagnosis from a
    referral letter), those of every registered rule set."""
    assessed = episode_rulesets(episode)
    if not assessed:
        return rulesets.sources()
    return {code: label for ruleset in assessed for code, label in ruleset.sources.items()}


def visit_assessments(visit: Visit) -> list[Assessment]:
    return list(visit.assessments.select_related("updated_by"))


def patient_summary(patient: Patient) -> list[EpisodeOfCare]:
    """Each episode with its working diagnosis and red flags (and their referrals): four
    queries."""
    return list(
        patient.episodes.prefetch_related(
            Prefetch(
                "working_diagnoses",
                WorkingDiagnosis.objects.filter(withdrawn_at__isnull=True),
                to_attr="current_diagnoses",
            ),
            Prefetch(
                "red_flag_alerts",
                RedFlagAlert.objects.select_related("cleared_by").prefetch_related(_referrals()),
                to_attr="alerts",
            ),
        )
    )


def missing_in_visit(sender, *, visit: Visit, **kwargs) -> list[str]:
    """Receiver of assessments.host.visit_missing: what the visit's assessment lacks."""
    assessments = list(visit.assessments.all())
    missing = []
    if not any(a.status == AssessmentStatus.SAVED for a in assessments):
        missing.append("No assessment saved.")
    if any(a.draft is not None for a in assessments):
        missing.append(
            "The assessment has draft answers not saved yet (signing waits until it is saved)."
        )
    for assessment in assessments:
        template = templates.get(assessment.template_code, assessment.template_version)
        flags = [item for item in template.items() if item.type == ItemType.RED_FLAG]
        unanswered = [i for i in flags if assessment.answers.get(i.code) not in ("yes", "no")]
        if unanswered:
            missing.append(
                f"{len(unanswered)} of {len(flags)} red-flag questions not answered yes or no."
            )
    if not Measurement.objects.filter(visit=visit).exists():
        missing.append("No outcome measures recorded.")
    if not working_diagnosis_confirmed(visit.episode_id):
        missing.append("No working diagnosis confirmed.")
    return missing
