import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Assessment, Measurement, WorkingDiagnosis
from clinic.models import Appointment, TimeOff, Visit
from treatments.models import DeliveredIntervention, TreatmentPlan

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
