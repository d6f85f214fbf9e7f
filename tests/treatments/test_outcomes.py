"""The patient's progress: per measure across visits, on the patient record and the visit
page; goals against the latest scores; FHIR Observations of the stored scores."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.observation import Observation

from assessments.fhir.observations import measurement_observation
from assessments.models import Measurement
from tests.factories import VisitFactory
from treatments.models import Goal, TreatmentPlan
from treatments.outcomes import BASELINE_ONLY, episode_outcomes, patient_progress, visit_progress
from treatments.templatetags.charts import line_geometry

START = timezone.make_aware(datetime.datetime(2025, 3, 3, 9, 0))
UNITS = {"nprs": "points", "odi": "%", "lefs": "points", "psfs": "points", "grc": "points"}


def _visits(episode, physio, series: dict[str, list[float | None]]):
    """One visit per position in the series, a score for each measure with a value."""
    length = max(len(values) for values in series.values())
    visits = []
    for number in range(length):
        visit = VisitFactory(
            episode=episode,
            practitioner=physio,
            starts_at=START + datetime.timedelta(days=7 * number),
        )
        visits.append(visit)
        for code, values in series.items():
            if number < len(values) and values[number] is not None:
                Measurement.objects.create(
                    patient=episode.patient,
                    episode=episode,
                    visit=visit,
                    measure_code=code,
                    value=values[number],
                    unit=UNITS[code],
                    scoring_version="1",
                    scored_at=visit.starts_at,
                )
    return visits


@pytest.mark.django_db
def test_baseline_latest_change_and_verdict_per_measure(episode, physio):
    _visits(
        episode,
        physio,
        {
            "nprs": [7, 6, 4],  # −3: important improvement
            "odi": [30, None, 36],  # +6, 20 %: no important change
            "lefs": [50, 40],  # −10 (higher is better): worse
            "psfs": [4],  # baseline only
            "grc": [None, 2, 3],  # +3, judged alone
        },
    )
    outcomes = {outcome.code: outcome for outcome in episode_outcomes(episode)}
    assert list(outcomes) == ["nprs", "odi", "lefs", "psfs", "grc"]
    nprs = outcomes["nprs"]
    assert (nprs.baseline, nprs.latest, nprs.change) == (7, 4, -3)
    assert nprs.percent_change == pytest.approx(-42.857, abs=0.001)
    assert nprs.verdict == "important improvement"
    assert outcomes["odi"].verdict == "no important change"
    assert outcomes["lefs"].verdict == "worse"
    assert outcomes["psfs"].verdict == BASELINE_ONLY
    grc = outcomes["grc"]
    assert grc.baseline is None and grc.change is None
    assert grc.verdict == "important improvement"


@pytest.mark.django_db
def test_goals_against_the_latest_values(episode, physio):
    _visits(episode, physio, {"nprs": [7, 3], "odi": [40, 30]})
    plan = TreatmentPlan.objects.create(
        episode=episode, visit_interval_days=7, planned_visits=6, updated_by=physio
    )
    Goal.objects.create(
        plan=plan, text="Sit through a film", measure_code="nprs", comparator="<=", target_value=3
    )
    Goal.objects.create(
        plan=plan, text="Less disability", measure_code="odi", comparator="<=", target_value=20
    )
    Goal.objects.create(
        plan=plan, text="Better LEFS", measure_code="lefs", comparator=">=", target_value=60
    )
    Goal.objects.create(plan=plan, text="Back to running")
    [progress] = patient_progress(episode.patient)
    assert [(status.goal.text, status.label) for status in progress.goals] == [
        ("Sit through a film", "met"),
        ("Less disability", "not yet"),
        ("Better LEFS", "no score yet"),
        ("Back to running", "not measured"),
    ]
    nprs = progress.outcomes[0]
    assert nprs.targets == (3.0,)


@pytest.mark.django_db
def test_visit_page_shows_progress_up_to_that_visit(client_for, episode, physio):
    visits = _visits(episode, physio, {"nprs": [8, 6, 2]})
    progress = visit_progress(visits[1])
    assert [row.value for row in progress.outcomes[0].points] == [8, 6]
    page = client_for(physio).get(reverse("clinic:visit_detail", args=[visits[1].pk]))
    html = page.content.decode()
    assert 'id="visit-section-progress"' in html
    assert "Baseline <strong>8</strong> → latest <strong>6</strong>" in html
    assert "important improvement" in html


@pytest.mark.django_db
def test_patient_record_section_has_table_and_accessible_chart(client_for, episode, physio):
    _visits(episode, physio, {"nprs": [8, 5, 3], "odi": [44, 30]})
    html = client_for(physio).get(episode.patient.get_absolute_url()).content.decode()
    assert 'id="section-progress"' in html
    assert html.count('<svg class="outcome-chart"') == 2
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    assert "Numeric Pain Rating Scale: 8 → 3 points" in html  # the chart's title
    assert "<caption" in html  # and its table
    assert "−5" in html or "-5" in html


@pytest.mark.django_db
def test_front_desk_sees_no_progress(client_for, front_desk, episode, physio):
    _visits(episode, physio, {"nprs": [8, 5]})
    html = client_for(front_desk).get(episode.patient.get_absolute_url()).content.decode()
    assert "section-progress" not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_visits(client_for, episode, physio):
    client = client_for(physio)
    visits = _visits(episode, physio, {"nprs": [8, 7], "odi": [40, 35]})
    record, visit_page = episode.patient.get_absolute_url(), visits[-1].get_absolute_url()
    with CaptureQueriesContext(connection) as section:
        patient_progress(episode.patient)
    assert len(section) == 3
    with CaptureQueriesContext(connection) as section:
        visit_progress(visits[-1])
    assert len(section) == 2
    before = (_queries(client, record), _queries(client, visit_page))
    more = _visits(episode, physio, {"nprs": [6] * 18, "odi": [30] * 18, "lefs": [50] * 18})
    for number, visit in enumerate(more):  # after the first two
        visit.starts_at = START + datetime.timedelta(days=14 + 7 * number)
        visit.save()
        visit.measurements.update(scored_at=visit.starts_at)
    assert episode.visits.count() == 20
    after = (_queries(client, record), _queries(client, more[-1].get_absolute_url()))
    assert before == after


@pytest.mark.django_db
def test_discharge_summary_still_shows_outcomes(client_for, episode, physio):
    _visits(episode, physio, {"nprs": [8, 3]})
    html = client_for(physio).get(reverse("treatments:discharge_summary", args=[episode.pk]))
    assert "important improvement" in html.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "value", "loinc"),
    [("nprs", 6, "72514-3"), ("odi", 35.6, "97909-6"), ("lefs", 50, None), ("psfs", 4.5, None)],
)
def test_measurement_row_as_fhir_observation(episode, physio, code, value, loinc):
    [visit] = _visits(episode, physio, {code: [value]})
    row = Measurement.objects.get(visit=visit)
    resource = measurement_observation(row)
    observation = Observation.model_validate(resource)
    assert observation.status == "final"
    assert observation.category[0].coding[0].code == "survey"
    assert observation.subject.reference == f"Patient/patient-{episode.patient_id}"
    assert observation.encounter.reference == f"Encounter/encounter-{visit.pk}"
    assert float(observation.valueQuantity.value) == value
    codings = observation.code.coding or []
    assert [coding.code for coding in codings] == ([loinc] if loinc else [])
    if code == "odi":
        assert "moderate disability" in observation.interpretation[0].text


def test_line_geometry_uses_the_whole_range_and_spaces_visits_evenly():
    points, ticks = line_geometry(
        [10, 5, 0], ["a", "b", "c"], minimum=0, maximum=10, width=100, height=60,
        pad_left=0, pad_right=0, pad_top=0, pad_bottom=0,
    )  # fmt: skip
    assert [(p.x, p.y) for p in points] == [(0, 0), (50, 30), (100, 60)]
    assert [tick.label for tick in ticks] == ["0", "5", "10"]
    [single], _ = line_geometry([5], ["a"], minimum=0, maximum=10, width=100, height=60)
    assert single.x > 0  # a lone point sits in the middle
