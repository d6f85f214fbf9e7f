import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from clinic import services as clinic_services
from tests.factories import VisitFactory
from treatments import services
from treatments.models import TreatmentPlan, VisitNote

pytestmark = pytest.mark.django_db


def test_plan_with_goals_sets_the_follow_up_interval(client_for, physio, episode):
    client = client_for(physio)
    response = client.post(
        reverse("treatments:plan_edit", args=[episode.pk]),
        {
            "planned_interventions": ["stretching", "core_stability"],
            "visit_interval_days": "7",
            "planned_visits": "6",
            "next_review_on": (timezone.localdate() + datetime.timedelta(days=28)).isoformat(),
            "goal-0-text": "Sit through a film",
            "goal-0-measure_code": "nprs",
            "goal-0-comparator": "<=",
            "goal-0-target_value": "2",
            "goal-1-text": "Back to running",
        },
    )
    assert response.status_code == 302
    plan = TreatmentPlan.objects.get()
    assert plan.planned_interventions == ["stretching", "core_stability"]
    assert [str(goal) for goal in plan.goals.all()] == [
        "Sit through a film (NPRS <= 2)",
        "Back to running",
    ]
    episode.refresh_from_db()
    assert episode.follow_up_interval_days == 7


def test_a_measurable_goal_needs_its_whole_target(client_for, physio, episode):
    response = client_for(physio).post(
        reverse("treatments:plan_edit", args=[episode.pk]),
        {
            "visit_interval_days": "7",
            "planned_visits": "6",
            "goal-0-text": "Less pain",
            "goal-0-measure_code": "nprs",
        },
    )
    assert "needs the measure, at most / at least, and a value" in response.content.decode()
    assert not TreatmentPlan.objects.exists()


def test_goal_target_outside_the_measure_range_is_refused(client_for, physio, episode):
    response = client_for(physio).post(
        reverse("treatments:plan_edit", args=[episode.pk]),
        {
            "visit_interval_days": "7",
            "planned_visits": "6",
            "goal-0-text": "Less pain",
            "goal-0-measure_code": "nprs",
            "goal-0-comparator": "<=",
            "goal-0-target_value": "12",
        },
    )
    assert "NPRS targets must be between 0 and 10." in response.content.decode()


def test_goal_met_or_not_yet():
    from treatments.models import Goal

    goal = Goal(text="Less pain", measure_code="nprs", comparator="<=", target_value=2)
    assert goal.met_by(2) is True and goal.met_by(3) is False and goal.met_by(None) is None


def test_soap_note_is_saved_and_read_only_after_signing(client_for, physio, visit):
    client = client_for(physio)
    client.post(
        reverse("treatments:visit_note_save", args=[visit.pk]),
        {
            "subjective": "Sleeping better",
            "objective": "SLR 70°",
            "analysis": "Improving",
            "plan": "Progress loading",
            "revision": "",
        },
    )
    assert VisitNote.objects.get().subjective == "Sleeping better"
    clinic_services.visit_sign(visit=visit, user=physio)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "Sleeping better" in page and "Save note" not in page
    response = client.post(
        reverse("treatments:visit_note_save", args=[visit.pk]), {"subjective": "changed"}
    )
    assert VisitNote.objects.get().subjective == "Sleeping better"
    assert response.status_code == 400


def test_the_patient_record_lists_each_visit_with_its_note(client_for, physio, visit):
    client = client_for(physio)
    client.post(
        reverse("treatments:visit_note_save", args=[visit.pk]),
        {"subjective": "Sleeping better", "plan": "Progress loading", "revision": ""},
    )
    earlier = VisitFactory(episode=visit.episode, practitioner=physio, notes="Plain note")
    empty = VisitFactory(episode=visit.episode, practitioner=physio)
    VisitNote.objects.create(visit=empty, updated_by=physio)  # saved with nothing in it
    page = client.get(visit.episode.patient.get_absolute_url())
    (episodes,) = [
        s["context"]["episodes"] for s in page.context["sections"] if s["section"].key == "episodes"
    ]
    lines = {v.pk: v.summary for episode in episodes for v in episode.visits.all()}
    assert lines == {
        visit.pk: "Sleeping better Progress loading",
        earlier.pk: "Plain note",
        empty.pk: "",
    }
    assert "Sleeping better Progress loading" in page.content.decode()


def test_a_stale_note_is_not_overwritten_silently(client_for, physio, other_physio, visit):
    client_for(physio).post(
        reverse("treatments:visit_note_save", args=[visit.pk]),
        {"subjective": "first", "revision": ""},
    )
    note = VisitNote.objects.get()
    client_for(physio).post(
        reverse("treatments:visit_note_save", args=[visit.pk]),
        {"subjective": "second", "revision": str(note.revision)},
    )
    response = client_for(physio).post(
        reverse("treatments:visit_note_save", args=[visit.pk]),
        {"subjective": "third", "revision": str(note.revision)},
    )
    assert "after you opened it" in response.content.decode()
    assert VisitNote.objects.get().subjective == "second"


def test_discharge_summary_shows_diagnosis_interventions_and_outcomes(client_for, physio, visit):
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"nprs": {"nprs": 7}}
    )
    services.intervention_record(visit=visit, user=physio, kind_code="stretching", params={})
    clinic_services.visit_sign(visit=visit, user=physio)
    follow_up = VisitFactory(episode=visit.episode, practitioner=physio)
    assessment_services.assessment_save(
        visit=follow_up, template=BUTTOCK_PAIN_V1, user=physio, answers={"nprs": {"nprs": 2}}
    )
    assessment_services.working_diagnosis_confirm(
        episode=visit.episode, user=physio, source_codes=["piriformis"]
    )
    page = client_for(physio).get(reverse("treatments:discharge_summary", args=[visit.episode.pk]))
    content = page.content.decode()
    assert "Piriformis" in content and "Stretching × 1" in content
    assert "important improvement" in content
    assert "treatments/print.css" in content


def test_a_next_page_off_the_site_is_ignored(client_for, physio, episode):
    response = client_for(physio).post(
        reverse("treatments:plan_edit", args=[episode.pk]),
        {"visit_interval_days": "7", "planned_visits": "6", "next": "https://evil.example/"},
    )
    assert response["Location"] == episode.patient.get_absolute_url()
