"""The step bar: from the visit page the physio goes assessment, diagnosis, treatment,
note, plan and sign, each step saying what is still missing, the next one first."""

import re

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from tests.treatments.conftest import CLEAR_RED_FLAGS
from treatments import services

pytestmark = pytest.mark.django_db


def _steps(html: str) -> list[str]:
    """Each step's title and state as the bar shows them, e.g. "2. Diagnosis None confirmed yet"."""
    bar = re.search(r'<nav class="visit-steps.*?</nav>', html, re.S)
    assert bar, "the page has no step bar"
    items = re.findall(r"<li>(.*?)</li>", bar.group(0), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def _next(html: str) -> str:
    return re.search(r'href="([^"]+)">Next: ([^<]+)</a>', html).group(2)


def test_a_new_visit_shows_every_step_missing_and_the_assessment_next(client_for, physio, visit):
    html = client_for(physio).get(visit.get_absolute_url()).content.decode()
    assert _steps(html) == [
        "1. Assessment Not started",
        "2. Diagnosis None confirmed yet",
        "3. Interventions None recorded yet",
        "4. SOAP note Not written yet",
        "5. Plan No plan yet",
        "6. Sign Not signed yet",
    ]
    assert _next(html) == "Assessment"
    assert (
        f'href="{reverse("assessments:assessment_edit", args=[visit.pk, "buttock_pain"])}"' in html
    )


def test_each_save_moves_the_next_step_on(client_for, physio, visit):
    client = client_for(physio)
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers=CLEAR_RED_FLAGS
    )
    html = client.get(visit.get_absolute_url()).content.decode()
    assert _steps(html)[0] == "1. Assessment ✓ Done"
    assert _next(html) == "Diagnosis"

    client.post(
        reverse("assessments:working_diagnosis_confirm", args=[visit.episode_id]),
        {"source": ["piriformis_syndrome"], "next": visit.get_absolute_url()},
    )
    html = client.get(visit.get_absolute_url()).content.decode()
    assert _steps(html)[1] == "2. Diagnosis ✓ Done"
    assert _next(html) == "Interventions"

    services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={}, notes=""
    )
    response = client.post(
        reverse("treatments:visit_note_save", args=[visit.pk]),
        {"subjective": "Better", "revision": services.NOT_YET_SAVED},
    )
    # Saved, the physio is back at the step bar, the plan next.
    assert response.url.endswith("#visit-steps")
    html = client.get(visit.get_absolute_url()).content.decode()
    assert _steps(html)[2:4] == ["3. Interventions ✓ Done", "4. SOAP note ✓ Done"]
    assert _next(html) == "Plan"


def test_the_step_pages_show_the_bar_with_their_own_step_current(client_for, physio, visit):
    client = client_for(physio)
    html = client.get(
        reverse("assessments:assessment_edit", args=[visit.pk, "buttock_pain"])
    ).content.decode()
    assert re.search(r'aria-current="step">\s*<span class="fw-semibold">1. Assessment', html)
    assert _next(html) == "Diagnosis"
    plan_url = reverse("treatments:plan_edit", args=[visit.episode_id])
    html = client.get(plan_url, {"next": visit.get_absolute_url()}).content.decode()
    assert re.search(r'aria-current="step">\s*<span class="fw-semibold">5. Plan', html)
    html = client.get(reverse("clinic:visit_sign", args=[visit.pk])).content.decode()
    assert re.search(r'aria-current="step">\s*<span class="fw-semibold">6. Sign', html)


def test_the_plan_step_comes_back_to_the_visit(client_for, physio, visit):
    client = client_for(physio)
    html = client.get(visit.get_absolute_url()).content.decode()
    plan_link = re.search(r'href="(/episodes/\d+/plan/[^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.post(
        plan_link, {"visit_interval_days": "7", "planned_visits": "4", "revision": "0"}
    )
    assert response.status_code == 302
    assert response.url == f"{visit.get_absolute_url()}#visit-steps"


def test_a_follow_up_is_assessed_with_the_measures_and_keeps_the_diagnosis(
    client_for, physio, visit
):
    from tests.factories import VisitFactory

    client = client_for(physio)
    client.post(
        reverse("assessments:working_diagnosis_confirm", args=[visit.episode_id]),
        {"source": ["piriformis_syndrome"], "next": visit.get_absolute_url()},
    )
    follow_up = VisitFactory(episode=visit.episode, practitioner=physio, kind="follow_up")
    html = client.get(follow_up.get_absolute_url()).content.decode()
    assert _steps(html)[1] == "2. Diagnosis ✓ Done"
    url = reverse("assessments:assessment_edit", args=[follow_up.pk, "follow_up_measures"])
    assert f'href="{url}">Next: Assessment' in html


def test_no_step_bar_for_a_colleague_or_a_signed_visit(client_for, physio, other_physio, visit):
    assert (
        "visit-steps" not in client_for(other_physio).get(visit.get_absolute_url()).content.decode()
    )
    client = client_for(physio)
    signed = client.post(reverse("clinic:visit_sign", args=[visit.pk]), {"confirm_missing": "yes"})
    assert signed.status_code == 302
    assert "visit-steps" not in client.get(visit.get_absolute_url()).content.decode()


def test_the_visit_page_follows_the_steps_treatment_then_note(client_for, physio, visit):
    """A tester's 'Next: SOAP note' under the treatment pointed back up the page: the note
    sat above the treatment though the steps put interventions first."""
    html = client_for(physio).get(visit.get_absolute_url()).content.decode()
    assert html.index('id="visit-section-treatment"') < html.index('id="visit-section-note"')
