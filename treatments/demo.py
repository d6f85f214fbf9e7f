"""Demo treatment: plans, consents and the interventions given at each visit, following
the working diagnosis (registered with clinic.seeding, after the assessments)."""

from collections.abc import Iterator

from django.utils import timezone

from assessments import host
from assessments.host import DemoContext, Visit
from assessments.models import WorkingDiagnosis
from assessments.reasoning import rulesets

from .kinds import CONSENT, CONTRAINDICATION_SCREEN, defaults, kinds
from .models import (
    Consent,
    ContraindicationScreen,
    DeliveredIntervention,
    Goal,
    TreatmentPlan,
    VisitNote,
)
from .summaries import rebuild_intervention_kinds

PARAMS = {
    "spinal_mobilization": {
        "level": "l4_l5",
        "side": "central",
        "technique": "central_pa",
        "grade": "III",
        "repetitions": 3,
    },
    "spinal_manipulation": {
        "level": "l5_s1",
        "side": "right",
        "technique": "rotation",
        "grade": "V",
    },
    "dry_needling": {
        "muscle": "gluteus_medius",
        "side": "right",
        "needles": 2,
        "needle_length_mm": 50,
        "needle_gauge_mm": 0.3,
        "local_twitch_response": "yes",
    },
    "soft_tissue_therapy": {
        "technique": "soft_tissue_release",
        "region": "piriformis",
        "minutes": 10,
    },
    "stretching": {"muscle": "piriformis", "hold_seconds": 30, "repetitions": 3, "per_day": 2},
    "core_stability": {
        "exercises": [
            {"name": "Dead bug", "sets": 3, "reps": 10, "setting": "home", "frequency": "daily"}
        ]
    },
    "exercise_programme": {
        "exercises": [
            {
                "name": "Glute bridge",
                "sets": 3,
                "reps": 12,
                "setting": "home",
                "frequency": "daily",
            },
            {
                "name": "Side-lying clam",
                "sets": 2,
                "reps": 15,
                "setting": "home",
                "frequency": "daily",
            },
        ]
    },
    "education": {"topic": ["condition_and_prognosis", "load_management"]},
}


def _params(code: str) -> dict:
    return kinds.get(code).validate(defaults(code) | PARAMS.get(code, {}))


def _soap_note(visit: Visit, text: str) -> VisitNote:
    """The clinic's demo note as a SOAP note: what the patient reports, then the plan."""
    if "Plan: " in text:
        subjective, plan = text.split("Plan: ", 1)
    else:
        first, _, plan = text.partition(". ")
        subjective = first + "."
    return VisitNote(
        visit_id=visit.id,
        subjective=subjective.strip(),
        plan=plan.strip(),
        updated_by_id=visit.practitioner_id,
    )


def seed_treatments(context: DemoContext) -> None:
    rng = context.rng
    diagnoses: dict[int, list[str]] = {}
    for row in (
        WorkingDiagnosis.objects.filter(episode_id__in=context.episode_ids)
        .order_by("episode_id", "id")
        .values_list("episode_id", "source_code")
    ):
        diagnoses.setdefault(row[0], []).append(row[1])
    episodes: dict[int, list[tuple[int, int, str]]] = {}
    notes: list[VisitNote] = []
    for batch in context.in_batches(
        host.visits().only("id", "episode_id", "practitioner_id", "starts_at"), context.visit_ids
    ):
        for visit in batch:
            episodes.setdefault(visit.episode_id, []).append(
                (visit.id, visit.practitioner_id, visit.starts_at)
            )
            if text := context.visit_notes.get(visit.id):
                notes.append(_soap_note(visit, text))
    validated = {kind.code: _params(kind.code) for kind in kinds}

    consents, screens, plans, interventions = [], [], [], []
    for episode_id, visits in episodes.items():
        visits.sort(key=lambda row: row[2])
        first_visit, physio_id, started = visits[0]
        planned = []
        for source in diagnoses.get(episode_id, []):
            planned += [
                code for code in rulesets.source_interventions(source) if code not in planned
            ]
        if not planned:
            planned = ["education", "exercise_programme"]
        consented = {
            code
            for code in planned
            if CONSENT in kinds.get(code).preconditions and rng.random() < 0.7
        }
        for code in consented:
            consents.append(
                Consent(
                    episode_id=episode_id,
                    intervention_kind=code,
                    given_on=timezone.localdate(started),
                    method=rng.choice(["verbal", "written"]),
                    right_to_withdraw_explained=True,
                    risks_discussed=[risk for risk, _ in kinds.get(code).consent_terms.risks],
                    recorded_by_id=physio_id,
                )
            )
            if CONTRAINDICATION_SCREEN in kinds.get(code).preconditions:
                screens.append(
                    ContraindicationScreen(
                        episode_id=episode_id, present=[], screened_by_id=physio_id
                    )
                )
        allowed = [
            code for code in planned if not kinds.get(code).preconditions or code in consented
        ]
        plans.append(
            (
                TreatmentPlan(
                    episode_id=episode_id,
                    planned_interventions=planned,
                    visit_interval_days=7,
                    planned_visits=rng.choice([4, 6, 8]),
                    updated_by_id=physio_id,
                ),
                episode_id,
            )
        )
        for visit_id, practitioner_id, _ in visits:
            for code in rng.sample(allowed, k=min(len(allowed), rng.randint(1, 3))):
                interventions.append(
                    DeliveredIntervention(
                        visit_id=visit_id,
                        kind=code,
                        params=validated[code],
                        recorded_by_id=practitioner_id,
                    )
                )

    context.bulk_create(Consent, iter(consents), total=len(consents))
    context.bulk_create(ContraindicationScreen, iter(screens), total=len(screens))
    plan_ids = context.bulk_create(TreatmentPlan, (plan for plan, _ in plans), total=len(plans))

    def goals() -> Iterator[Goal]:
        for plan_id in plan_ids:
            yield Goal(
                plan_id=plan_id,
                text="Sit for an hour without pain",
                measure_code="nprs",
                comparator="<=",
                target_value=2,
            )
            yield Goal(
                plan_id=plan_id,
                text="Back to usual activities",
                measure_code="odi",
                comparator="<=",
                target_value=20,
            )

    context.bulk_create(Goal, goals())
    context.bulk_create(DeliveredIntervention, iter(interventions), total=len(interventions))
    # The visit note is the SOAP note here (it replaces the clinic's plain box), so the
    # clinic's demo notes are written as SOAP notes.
    context.bulk_create(VisitNote, iter(notes), total=len(notes))
    # bulk_create sends no signal: the outcome report's kinds per episode, in one pass.
    rebuild_intervention_kinds(context.episode_ids)
    # Demo rows skip the audit log on purpose (see DemoContext.insert); the diary's
    # follow-ups due come from the plans' weekly interval.
    host.episodes().filter(pk__in=[episode_id for _, episode_id in plans]).update(
        follow_up_interval_days=7
    )
