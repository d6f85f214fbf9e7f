import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Assessment, Measurement, RedFlagAlert, WorkingDiagnosis
from clinic import selectors
from clinic.diary import selectors as diary_selectors
from clinic.models import Appointment, EpisodeOfCare, TimeOff, Visit, WorkingHours
from tests.clinic.diary_helpers import at
from treatments.models import DeliveredIntervention, TreatmentPlan, VisitNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_clinic():
    call_command("seed_demo", patients=25, seed=3, quiet=True)


def test_demo_visits_have_assessments_scores_plans_and_treatment(demo_clinic):
    visits = Visit.objects.count()
    assert Assessment.objects.count() == visits
    assert Measurement.objects.filter(measure_code="nprs").count() == visits
    assert WorkingDiagnosis.objects.exists()
    assert TreatmentPlan.objects.count() == Visit.objects.values("episode").distinct().count()
    assert DeliveredIntervention.objects.exists()


def test_demo_diary_has_past_and_future_appointments_that_never_overlap(demo_clinic):
    now = timezone.now()
    assert Appointment.objects.filter(status="attended", visit__isnull=False).exists()
    assert Appointment.objects.filter(status="booked", start__gt=now).exists()
    by_physio: dict[int, list] = {}
    for row in Appointment.objects.exclude(status="cancelled").order_by("start"):
        by_physio.setdefault(row.practitioner_id, []).append(row)
    for rows in by_physio.values():
        for before, after in zip(rows, rows[1:], strict=False):
            assert before.end <= after.start, (before.pk, after.pk)


def test_demo_physio_on_leave_has_nothing_booked_then(demo_clinic):
    (leave,) = TimeOff.objects.all()
    assert leave.reason == "Annual leave" and leave.first_day > timezone.localdate()
    assert (leave.last_day - leave.first_day).days == 4
    assert not Appointment.objects.filter(
        practitioner=leave.practitioner,
        start__date__gte=leave.first_day,
        start__date__lte=leave.last_day,
    ).exists()


# --- The clinic's hours, and notes that agree with the scores (issue 11) ---------------


def _on(weekday: int) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 + (weekday - today.weekday()) % 7)


def test_the_demo_physios_work_the_clinic_s_hours(demo_clinic):
    physios = selectors.physiotherapists()
    assert physios.count() == 3
    patterns = diary_selectors.weekly_patterns(physios.values_list("pk", flat=True))
    for physio in physios:
        pattern = patterns[physio.pk]
        assert pattern.problem(at(_on(0), "08:00"), at(_on(0), "08:30")) is None
        assert pattern.problem(at(_on(4), "19:30"), at(_on(4), "20:00")) is None
        assert "works 08:00–20:00 on Fridays" in pattern.problem(
            at(_on(4), "20:00"), at(_on(4), "20:30")
        )
        assert pattern.problem(at(_on(5), "14:30"), at(_on(5), "15:00")) is None
        assert "works 08:00–15:00 on Saturdays" in pattern.problem(
            at(_on(5), "15:00"), at(_on(5), "15:30")
        )
        assert "works no hours on Sundays" in pattern.problem(
            at(_on(6), "10:00"), at(_on(6), "10:30")
        )
        assert "Lunch" in pattern.problem(at(_on(2), "13:00"), at(_on(2), "13:30"))


def test_the_demo_has_a_working_day_around_now(demo_clinic):
    """Today or tomorrow has working hours left, whatever the day the demo is made."""
    physio = selectors.physiotherapists().first()
    pattern = diary_selectors.weekly_patterns([physio.pk])[physio.pk]
    today = timezone.localdate()
    days = [today, today + datetime.timedelta(days=1)]
    assert any(pattern.working(day) for day in days)
    # Every follow-up booked ahead is inside its physio's hours, outside the breaks.
    booked = Appointment.objects.filter(status="booked", start__gt=timezone.now())
    patterns = diary_selectors.weekly_patterns({row.practitioner_id for row in booked})
    assert booked.exists()
    for appointment in booked:
        assert (
            patterns[appointment.practitioner_id].problem(appointment.start, appointment.end)
            is None
        ), appointment


def test_seeding_again_keeps_the_hours_the_clinic_has(demo_clinic):
    physio = selectors.physiotherapists().first()
    WorkingHours.objects.filter(practitioner=physio, weekday=5).delete()  # no Saturdays
    hours = WorkingHours.objects.count()

    call_command("seed_demo", patients=2, seed=4, quiet=True)

    assert WorkingHours.objects.count() == hours
    assert not WorkingHours.objects.filter(practitioner=physio, weekday=5).exists()


def _nprs(visit: Visit) -> int:
    return round(visit.measurements.get(measure_code="nprs").value)


def test_each_demo_note_reports_the_visit_s_scores(demo_clinic):
    """The note's pain is the visit's NPRS, and its trend follows the NPRS."""
    checked = 0
    for episode in EpisodeOfCare.objects.prefetch_related("visits__measurements"):
        visits = sorted(episode.visits.all(), key=lambda visit: visit.starts_at)
        for before, visit in zip([None, *visits], visits, strict=False):
            note = VisitNote.objects.get(visit=visit).subjective
            pain = _nprs(visit)
            if before is None:
                assert f"NPRS {pain}/10." in note, (note, pain)
                continue
            previous = _nprs(before)
            trend = (
                "improving"
                if pain < previous
                else "about the same"
                if pain == previous
                else "a little worse"
            )
            assert note.startswith(f"Pain {pain}/10, {trend}."), (note, previous, pain)
            checked += 1
    assert checked > 20


def test_a_red_flag_is_in_the_note_of_the_visit_that_found_it():
    call_command("seed_demo", patients=80, seed=7, quiet=True)
    alerts = RedFlagAlert.objects.select_related("assessment__visit")
    assert alerts.exists()
    for alert in alerts:
        note = VisitNote.objects.get(visit=alert.assessment.visit).subjective
        assert "Red flags screened: none." not in note
        assert "Red flag: night pain that does not ease with rest" in note
    screened = VisitNote.objects.filter(subjective__contains="Red flags screened: none.")
    assert screened.count() == EpisodeOfCare.objects.count() - alerts.count()
