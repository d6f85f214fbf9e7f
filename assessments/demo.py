"""Demo assessments: plausible findings at each initial visit, scores at every visit, the
suggestions and a confirmed working diagnosis (registered with clinic.seeding)."""

import dataclasses
import random
from collections.abc import Iterator

from django.utils import timezone

from . import host, measures, reasoning, summaries
from .buttock_pain import BUTTOCK_PAIN_V1
from .host import DemoContext, Visit
from .models import Assessment, AssessmentStatus, Measurement, RedFlagAlert, WorkingDiagnosis

NO_RED_FLAGS = {code: "no" for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")}
RED_FLAG_NOTE = "Red flag: night pain that does not ease with rest; GP review requested."

# Presentations the clinic sees, loosely after the spec's worked examples (section 7).
PRESENTATIONS: tuple[dict, ...] = (
    {  # proximal hamstring tendinopathy
        "pain_regions": ["ischial_tuberosity"],
        "pain_quality": "precise_localized",
        "pain_constancy": "constant",
        "aggravating": ["sitting", "lunging_squatting"],
        "low_back_pain": "no",
        "tender_ischial_tuberosity": "yes",
        "test_puranen_orava": "positive",
        "test_modified_bent_knee_stretch": "positive",
        "test_slump": "negative",
        "mechanism": "running",
    },
    {  # referred from the lumbar spine
        "pain_regions": ["lumbar", "mid_buttock"],
        "pain_quality": "deep_aching_diffuse",
        "low_back_pain": "yes",
        "repeated_movements_centralization": "yes",
        "lumbar_stiff_segments": ["l4_l5"],
        "mechanism": "lift",
        "aggravating": ["bending", "sitting"],
    },
    {  # piriformis syndrome
        "pain_regions": ["deep_gluteal_piriformis", "posterior_thigh"],
        "tender_piriformis": "yes",
        "aggravating": ["sitting"],
        "test_fair": "positive",
        "leg_pain": "above_knee",
        "pain_quality": "precise_localized",
        "test_slr": "negative",
    },
    {  # sacroiliac joint
        "pain_regions": ["sij_psis", "groin"],
        "groin_pain": "yes",
        "low_back_pain": "no",
        "test_sij_distraction": "positive",
        "test_sij_thigh_thrust": "positive",
        "test_sij_compression": "positive",
        "repeated_movements_centralization": "no",
        "muscle_shortening": ["hip_flexors"],
    },
    {  # myofascial trigger points and chronic thickening
        "pain_regions": ["gluteus_medius"],
        "pain_quality": "deep_aching_diffuse",
        "pain_site_variable": "yes",
        "trigger_point_gluteus_medius": "yes",
        "muscle_shortening": ["gluteus_medius"],
        "muscle_thickening": ["gluteals"],
    },
)


def _baseline_scores(rng: random.Random) -> dict[str, float]:
    return {
        "nprs": rng.randint(5, 8),
        "odi": rng.randint(8, 25),  # sum of 10 sections, 0-50
        "lefs": rng.randint(30, 55),
        "psfs": rng.randint(2, 5),
    }


def _answers_for(code: str, level: float, rng: random.Random) -> dict[str, int | str]:
    if code == "nprs":
        return {"nprs": max(0, min(10, round(level)))}
    if code == "grc":
        return {"grc": max(-7, min(7, round(level)))}
    if code == "odi":
        total = max(0, min(50, round(level)))
        sections = [total // 10 + (1 if i < total % 10 else 0) for i in range(10)]
        return {f"odi_{i + 1}": min(5, value) for i, value in enumerate(sections)}
    if code == "lefs":
        total = max(0, min(80, round(level)))
        return {
            f"lefs_{i + 1}": min(4, total // 20 + (1 if i < total % 20 else 0)) for i in range(20)
        }
    score = max(0, min(10, round(level)))
    return {
        "psfs_1_activity": "Sitting at work",
        "psfs_1": score,
        "psfs_2_activity": "Running",
        "psfs_2": max(0, score - 1),
    }


def seed_assessments(context: DemoContext) -> None:
    rng = context.rng
    visits = host.visits().only(
        "id", "episode_id", "starts_at", "status", "kind", "practitioner_id"
    )
    by_episode: dict[int, list[Visit]] = {}
    for batch in context.in_batches(visits, context.visit_ids):
        for visit in batch:
            by_episode.setdefault(visit.episode_id, []).append(visit)
    episode_patient: dict[int, int] = {}
    for batch in context.in_batches(host.episodes().only("id", "patient_id"), context.episode_ids):
        episode_patient.update({episode.id: episode.patient_id for episode in batch})

    now = timezone.now()
    assessments: list[Assessment] = []
    plans: list[tuple[Assessment, dict[str, dict], Visit]] = []
    diagnoses: list[WorkingDiagnosis] = []
    alerts: list[tuple[Assessment, Visit]] = []
    for episode_id, episode_visits in by_episode.items():
        episode_visits.sort(key=lambda visit: visit.starts_at)
        findings = dict(rng.choice(PRESENTATIONS))
        findings |= NO_RED_FLAGS
        findings["pain_side"] = rng.choice(["left", "right", "right", "bilateral"])
        red_flag = rng.random() < 0.02
        if red_flag:
            findings["rf_night_pain_unremitting"] = "yes"
            first = episode_visits[0].id
            if first in context.visit_notes:  # the note says what the screen found
                context.visit_notes[first] = context.visit_notes[first].replace(
                    "Red flags screened: none.", RED_FLAG_NOTE
                )
        baseline = _baseline_scores(rng)
        improvement = rng.uniform(0.15, 0.75)
        steps = max(1, len(episode_visits) - 1)
        # The pain each visit's note reports (clinic.seeding's course of care), when the
        # host drew one: every score follows it, so a note never contradicts its scores.
        pains = [context.visit_pain.get(visit.id) for visit in episode_visits]
        if None not in pains:
            baseline["nprs"] = pains[0]
        result = reasoning.suggest(findings)
        for index, visit in enumerate(episode_visits):
            if None in pains:
                progress = improvement * index / steps
                nprs = baseline["nprs"] * (1 - progress)
            else:
                nprs = pains[index]
                progress = (pains[0] - nprs) / pains[0] if pains[0] else 0.0
            answers: dict[str, object] = {}
            if index == 0:
                answers |= findings
            answers["nprs"] = _answers_for("nprs", nprs, rng)
            if index == 0 or index == len(episode_visits) - 1:
                answers["odi"] = _answers_for("odi", baseline["odi"] * (1 - progress), rng)
                answers["lefs"] = _answers_for(
                    "lefs", baseline["lefs"] + (80 - baseline["lefs"]) * progress, rng
                )
                answers["psfs"] = _answers_for(
                    "psfs", baseline["psfs"] + (10 - baseline["psfs"]) * progress, rng
                )
            if index > 0:
                answers["grc"] = _answers_for("grc", 7 * progress + rng.uniform(-1, 1), rng)
            signed = visit.status == "signed"
            assessment = Assessment(
                visit_id=visit.id,
                template_code=BUTTOCK_PAIN_V1.code,
                template_version=BUTTOCK_PAIN_V1.version,
                answers=answers,
                status=AssessmentStatus.SIGNED if signed else AssessmentStatus.SAVED,
                signed_suggestions=dataclasses.asdict(result) if signed and index == 0 else None,
                created_by_id=visit.practitioner_id,
                updated_by_id=visit.practitioner_id,
            )
            assessments.append(assessment)
            plans.append((assessment, answers, visit))
            if index == 0 and red_flag:
                alerts.append((assessment, visit))
        if result.sources and not red_flag:
            lead = episode_visits[0]
            for position, suggestion in enumerate(result.sources[:2]):
                diagnoses.append(
                    WorkingDiagnosis(
                        episode_id=episode_id,
                        source_code=suggestion.code,
                        is_main=position == 0,
                        was_suggested=True,
                        confirmed_by_id=lead.practitioner_id,
                        confirmed_at=lead.starts_at,
                    )
                )

    context.bulk_create(Assessment, iter(assessments), total=len(assessments))

    def measurements() -> Iterator[Measurement]:
        for assessment, answers, visit in plans:
            for code in ("nprs", "odi", "lefs", "psfs", "grc"):
                if code not in answers:
                    continue
                score = measures.score(code, answers[code])
                yield Measurement(
                    patient_id=episode_patient[visit.episode_id],
                    episode_id=visit.episode_id,
                    visit_id=visit.id,
                    assessment_id=assessment.pk,
                    measure_code=code,
                    value=score.value,
                    unit=score.unit,
                    scoring_version=score.scoring_version,
                    missing_items=score.missing_items,
                    raw=score.raw,
                    scored_at=visit.starts_at,
                )

    context.bulk_create(Measurement, measurements())
    # bulk_create sends no signal: the outcome report's per-episode summaries are built
    # from the new scores in one set-based pass.
    summaries.rebuild_summaries(context.episode_ids)
    context.bulk_create(WorkingDiagnosis, iter(diagnoses), total=len(diagnoses))
    context.bulk_create(
        RedFlagAlert,
        (
            RedFlagAlert(
                episode_id=visit.episode_id,
                assessment_id=assessment.pk,
                outcome="serious_pathology",
                items=["rf_night_pain_unremitting"],
                raised_by_id=visit.practitioner_id,
                cleared_at=now if visit.status == "signed" else None,
                cleared_by_id=visit.practitioner_id if visit.status == "signed" else None,
                clearance_reason="GP review: mechanical pain, no serious pathology."
                if visit.status == "signed"
                else "",
            )
            for assessment, visit in alerts
        ),
    )
