"""The red-flag marker on the patient banner, the home page and the diary (issue 11): a
physio reads the flag, the front desk only that the physio comes first."""

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.host import MarkerSource, PatientMarker, patient_markers
from assessments.registry import AlreadyRegistered
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

FRONT_DESK = "See the physio before treatment"
PHYSIO = "Red flag: Possible cauda equina syndrome (no referral recorded yet)"


@pytest.fixture
def flagged(visit, physio):
    services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"rf_bladder_bowel": "yes"}
    )
    return visit.episode.patient


@pytest.fixture
def appointment(flagged, physio):
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    return AppointmentFactory(patient=flagged, practitioner=physio, start=start)


def diary_pages(appointment):
    day = f"?date={appointment.start:%Y-%m-%d}"
    return [
        reverse("clinic:diary_day") + day,
        reverse("clinic:diary_week", args=[appointment.practitioner_id]) + day,
    ]


def test_the_physio_reads_the_flag_wherever_the_patient_is_named(
    client_for, physio, flagged, appointment
):
    client = client_for(physio)
    banner = client.get(flagged.get_absolute_url()).content.decode()
    assert PHYSIO in banner
    home = client.get(reverse("clinic:home")).content.decode()
    assert "Patients with an open red flag" in home and flagged.full_name in home
    assert PHYSIO in home
    for url in diary_pages(appointment):
        page = client.get(url).content.decode()
        assert 'data-marker="red_flag">Red flag</span>' in page, url


def test_the_front_desk_reads_only_that_the_physio_comes_first(
    client_for, front_desk, flagged, appointment
):
    client = client_for(front_desk)
    pages = [
        flagged.get_absolute_url(),
        reverse("clinic:home"),
        reverse("clinic:appointment_detail", args=[appointment.pk]),
        *diary_pages(appointment),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert FRONT_DESK in page, url
        for clinical in ("Red flag", "red flag", "cauda equina", "bladder", "referral"):
            assert clinical not in page, (url, clinical)


def test_the_referral_and_the_clearance_show_on_the_marker(client_for, physio, flagged):
    alert = flagged.episodes.get().red_flag_alerts.get()
    services.red_flag_referral_record(
        alert=alert,
        user=physio,
        referred_to="emergency_department",
        urgency="emergency",
        referred_at=timezone.now(),
        method="phone",
    )
    client = client_for(physio)
    page = client.get(flagged.get_absolute_url()).content.decode()
    assert "Red flag: Possible cauda equina syndrome (referral recorded)" in page
    services.red_flag_clear(alert=alert, user=physio, reason="Seen in ED: MRI clear.")
    page = client.get(flagged.get_absolute_url()).content.decode()
    assert 'data-marker="red_flag"' not in page
    assert (
        "Patients with an open red flag" not in client.get(reverse("clinic:home")).content.decode()
    )


def test_a_patient_without_a_flag_has_no_marker(client_for, physio, front_desk):
    patient = PatientFactory()
    for user in (physio, front_desk):
        page = client_for(user).get(patient.get_absolute_url()).content.decode()
        assert 'data-marker="red_flag"' not in page and FRONT_DESK not in page


def test_the_markers_of_many_patients_take_one_query(
    django_assert_num_queries, physio, flagged, visit
):
    others = [PatientFactory() for _ in range(5)]
    with django_assert_num_queries(1):
        markers = patient_markers.for_patients([flagged.pk] + [p.pk for p in others], user=physio)
    assert list(markers) == [flagged.pk]


def test_a_marker_source_is_registered_once():
    source = MarkerSource(
        key="red_flag",
        title="x",
        front_desk_title="y",
        of_patients=lambda ids: {},
        patients_marked=lambda: [],
    )
    with pytest.raises(AlreadyRegistered):
        patient_markers.register(source)


def test_a_marker_keeps_its_clinical_words_from_the_front_desk(physio, front_desk):
    marker = PatientMarker(
        key="k", label="Red flag", detail="Possible serious pathology", front_desk_label="Ask"
    )
    assert marker.shown_to(physio) == marker
    assert marker.shown_to(front_desk) == PatientMarker(key="k", label="Ask", front_desk_label="")


def test_the_diary_runs_as_many_queries_with_flagged_patients(
    client_for, front_desk, physio, appointment, visit
):
    # The markers of every patient in the grid come in one query.
    client = client_for(front_desk)
    url = diary_pages(appointment)[0]
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for hour in (11, 12, 13):
        AppointmentFactory(practitioner=physio, start=appointment.start.replace(hour=hour))
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)


def test_the_physios_home_page_logs_the_flagged_patients_it_shows(client_for, physio, flagged):
    client_for(physio).get(reverse("clinic:home"))
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert flagged.pk in entry.additional_data.get(
        "patient_ids", [entry.additional_data.get("patient_id")]
    )
