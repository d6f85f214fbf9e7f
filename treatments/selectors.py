"""Reads of the treatments app over several models, each in a fixed number of queries."""

import json

from django.db.models import Prefetch

from assessments.host import EpisodeOfCare, Patient, Visit
from assessments.selectors import episode_rulesets, open_red_flags, working_diagnosis

from .kinds import CONSENT, RED_FLAGS_CLEAR, kinds, labels_in_words
from .models import (
    AdverseEvent,
    DeliveredIntervention,
    Exercise,
    Goal,
    TreatmentPlan,
    VisitNote,
)
from .services import active_consent, latest_screen, red_flag_screen_recorded


def visit_interventions(visit: Visit) -> list[DeliveredIntervention]:
    return list(
        visit.interventions.filter(removed_at__isnull=True)
        .select_related("recorded_by", "updated_by")
        .prefetch_related("adverse_events__recorded_by")
    )


def last_visit_interventions(visit: Visit) -> list[DeliveredIntervention]:
    """What the episode's last visit before this one gave (the last that gave anything):
    a follow-up repeats it. Two queries."""
    earlier = DeliveredIntervention.objects.filter(
        visit__episode=visit.episode_id,
        visit__starts_at__lte=visit.starts_at,
        removed_at__isnull=True,
    ).exclude(visit=visit)
    last_visit = (
        earlier.order_by("-visit__starts_at", "-visit_id")
        .values_list("visit_id", flat=True)
        .first()
    )
    if last_visit is None:
        return []
    return list(earlier.filter(visit=last_visit).select_related("visit").order_by("pk"))


def exercise_library() -> list[dict]:
    """The library's exercises the form offers: each name with what it fills in, as JSON
    for the page's script."""
    return [
        {"name": exercise.name, "fills": json.dumps(exercise.row_defaults())}
        for exercise in Exercise.objects.filter(active=True)
    ]


def last_note_plan(visit: Visit) -> str:
    """The plan of the episode's last note before this visit: where a follow-up starts."""
    plan = (
        VisitNote.objects.filter(
            visit__episode=visit.episode_id, visit__starts_at__lte=visit.starts_at
        )
        .exclude(visit=visit)
        .exclude(plan="")
        .order_by("-visit__starts_at", "-visit_id")
        .values_list("plan", flat=True)
        .first()
    )
    return plan or ""


def interventions_given(visit: Visit) -> bool:
    """True once the visit records an intervention not removed (one query)."""
    return DeliveredIntervention.objects.filter(visit=visit, removed_at__isnull=True).exists()


def note_written(visit: Visit) -> bool:
    """True once the visit's SOAP note has something in one of its parts (one query)."""
    note = VisitNote.objects.filter(visit=visit).first()
    parts = [note.subjective, note.objective, note.analysis, note.plan] if note else []
    return any(part.strip() for part in parts)


def plan_saved(episode_id: int) -> bool:
    """True once the episode has a treatment plan (one query)."""
    return TreatmentPlan.objects.filter(episode=episode_id).exists()


def missing_in_visit(sender, *, visit: Visit, **kwargs) -> list[str]:
    """Receiver of assessments.host.visit_missing: the SOAP note, the interventions and the
    episode's plan, asked as the step bar asks them (sections.py)."""
    missing = []
    if not note_written(visit):
        missing.append("No SOAP note.")
    if not interventions_given(visit):
        missing.append("No interventions recorded.")
    if not plan_saved(visit.episode_id):
        missing.append("No treatment plan.")
    return missing


def suggested_kinds(episode: EpisodeOfCare) -> list[str]:
    """Kinds the working diagnosis suggests (clinical spec, section 3), in order; none
    while a red flag waits to be cleared."""
    if open_red_flags(episode):
        return []
    rulesets = episode_rulesets(episode)
    codes: list[str] = []
    for diagnosis in working_diagnosis(episode):
        suggesting = next((r for r in rulesets if diagnosis.source_code in r.sources), None)
        for code in suggesting.source_interventions[diagnosis.source_code] if suggesting else ():
            if code in kinds and code not in codes:
                codes.append(code)
    return codes


def safety_status(episode: EpisodeOfCare) -> dict:
    return {
        "consents": [
            (kind, active_consent(episode, kind.code))
            for kind in kinds
            if CONSENT in kind.preconditions
        ],
        "screen": latest_screen(episode),
        "open_flags": open_red_flags(episode),
        "red_flag_blocks": labels_in_words(kinds.needing(RED_FLAGS_CLEAR)),
        "red_flag_screen": red_flag_screen_recorded(episode),
    }


def episode_plan(episode: EpisodeOfCare) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(episode=episode).prefetch_related("goals").first()


def patient_plans(patient: Patient) -> list[EpisodeOfCare]:
    return list(
        patient.episodes.select_related("treatment_plan").prefetch_related(
            Prefetch("treatment_plan__goals", Goal.objects.all())
        )
    )


def adverse_events():
    return AdverseEvent.objects.select_related(
        "intervention__visit__episode__patient", "recorded_by"
    ).order_by("-recorded_at")


def episode_interventions(episode: EpisodeOfCare):
    return (
        DeliveredIntervention.objects.filter(visit__episode=episode, removed_at__isnull=True)
        .select_related("visit")
        .order_by("visit__starts_at", "id")
    )
