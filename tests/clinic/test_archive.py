"""Patients are archived, never deleted: out of the lists, searches, home page and diary;
the record, the reports and the audit log keep them."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from clinic import scheduling, services
from clinic.models import Patient
from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PHYSIOTHERAPIST
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory, VisitFactory
from treatments.reports import GroupBy, ReportFilters, outcome_report

pytestmark = pytest.mark.django_db


def _archive(patient, user, reason="Registered twice") -> Patient:
    return services.patient_archive(patient=patient, user=user, reason=reason)


def _archive_url(patient) -> str:
    return reverse("clinic:patient_archive", args=[patient.pk])


def _unarchive_url(patient) -> str:
    return reverse("clinic:patient_unarchive", args=[patient.pk])


def test_only_the_clinic_admin_role_may_archive():
    def may(role: str) -> bool:
        return Group.objects.get(name=role).permissions.filter(codename="archive_patient").exists()

    assert may(CLINIC_ADMIN)
    assert not may(PHYSIOTHERAPIST) and not may(FRONT_DESK)


def test_the_clinic_admin_confirms_with_a_reason(client_for, clinic_admin, patient):
    client = client_for(clinic_admin)
    page = client.get(_archive_url(patient))
    assert page.status_code == 200
    assert b"Archive Jane Doe?" in page.content
    refused = client.post(_archive_url(patient), {"reason": ""})
    assert b"This field is required" in refused.content
    assert not Patient.objects.get(pk=patient.pk).is_archived

    response = client.post(_archive_url(patient), {"reason": "Registered twice"}, follow=True)
    patient.refresh_from_db()
    assert patient.is_archived
    assert patient.archived_by == clinic_admin and patient.archive_reason == "Registered twice"
    assert b"is archived" in response.content


@pytest.mark.parametrize("role", ["physio", "front_desk"])
def test_other_roles_cannot_archive_or_unarchive(request, client_for, clinic_admin, patient, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(_archive_url(patient)).status_code == 403
    assert client.post(_archive_url(patient), {"reason": "x"}).status_code == 403
    _archive(patient, clinic_admin)
    assert client.post(_unarchive_url(patient)).status_code == 403
    assert Patient.objects.get(pk=patient.pk).is_archived


def test_archived_patients_leave_the_list_and_the_search(client_for, front_desk, clinic_admin):
    kept = PatientFactory(given_name="Jane", family_name="Kept")
    gone = _archive(PatientFactory(given_name="Jane", family_name="Gone"), clinic_admin)
    client = client_for(front_desk)

    def listing(**params) -> str:
        return client.get(reverse("clinic:patient_list"), params).content.decode()

    assert "Kept" in listing() and "Gone" not in listing()
    assert "Kept" in listing(q="Jane") and "Gone" not in listing(q="Jane")
    assert "Gone" not in listing(q=gone.identifier)
    # "Show archived" is the Clinic admin's: for others the parameter changes nothing.
    assert "Gone" not in listing(q="Jane", archived="1")
    assert "Show archived" not in listing()
    assert kept.identifier in listing()


def test_the_clinic_admin_can_show_archived_patients(client_for, clinic_admin):
    PatientFactory(given_name="Jane", family_name="Kept")
    _archive(PatientFactory(given_name="Jane", family_name="Gone"), clinic_admin)
    client = client_for(clinic_admin)
    hidden = client.get(reverse("clinic:patient_list"), {"q": "Jane"}).content.decode()
    assert "Show archived" in hidden and "Gone" not in hidden
    shown = client.get(reverse("clinic:patient_list"), {"q": "Jane", "archived": "1"})
    page = shown.content.decode()
    assert "Gone" in page and "Kept" in page and "Archived</span>" in page


@pytest.mark.parametrize("role", ["physio", "clinic_admin", "front_desk"])
def test_the_record_still_opens_with_an_archived_banner(
    request, client_for, clinic_admin, visit, role
):
    patient = visit.episode.patient
    services.visit_sign(visit=visit, user=visit.practitioner)
    _archive(patient, clinic_admin, reason="Moved away")
    response = client_for(request.getfixturevalue(role)).get(patient.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="archived-banner"' in page and "Moved away" in page
    if role == "clinic_admin":
        assert _unarchive_url(patient) in page
    else:
        assert _unarchive_url(patient) not in page


def test_unarchive_brings_the_patient_back(client_for, clinic_admin, patient):
    _archive(patient, clinic_admin)
    client = client_for(clinic_admin)
    confirm = client.get(_unarchive_url(patient))
    assert b"Bring Jane Doe back?" in confirm.content
    client.post(_unarchive_url(patient))
    patient.refresh_from_db()
    assert not patient.is_archived and patient.archived_by is None
    assert b"Doe" in client.get(reverse("clinic:patient_list")).content


def test_archiving_waits_for_unsigned_visits_and_booked_appointments(clinic_admin, physio, visit):
    patient = visit.episode.patient
    with pytest.raises(services.ClinicError, match="unsigned visits"):
        _archive(patient, clinic_admin)
    services.visit_sign(visit=visit, user=physio)
    AppointmentFactory(patient=patient, practitioner=physio)
    with pytest.raises(services.ClinicError, match="cancel them"):
        _archive(patient, clinic_admin)
    assert not Patient.objects.get(pk=patient.pk).is_archived


def test_the_archive_page_says_why_it_is_refused(client_for, clinic_admin, visit):
    response = client_for(clinic_admin).post(
        _archive_url(visit.episode.patient), {"reason": "Moved away"}
    )
    assert response.status_code == 200
    assert b"unsigned visits" in response.content


def test_home_page_worklist_leaves_archived_patients_out(client_for, clinic_admin, physio):
    kept = EpisodeFactory(physio=physio, patient=PatientFactory(family_name="Kept"))
    gone = EpisodeFactory(physio=physio, patient=PatientFactory(family_name="Gone"))
    _archive(gone.patient, clinic_admin)
    page = client_for(physio).get(reverse("clinic:home")).content.decode()
    assert kept.patient.full_name in page and gone.patient.full_name not in page


def test_the_diary_does_not_offer_archived_patients(client_for, front_desk, clinic_admin):
    kept = PatientFactory(given_name="Jane", family_name="Kept")
    gone = _archive(PatientFactory(given_name="Jane", family_name="Gone"), clinic_admin)
    client = client_for(front_desk)
    search = client.get(reverse("clinic:appointment_create"), {"q": "Jane"}).content.decode()
    assert kept.identifier in search and gone.identifier not in search
    prefilled = client.get(reverse("clinic:appointment_create"), {"patient": gone.pk})
    assert gone.identifier not in prefilled.content.decode()
    posted = client.post(reverse("clinic:appointment_create"), {"patient": gone.identifier})
    assert "is archived" in posted.content.decode()


def test_booking_an_archived_patient_is_refused(clinic_admin, physio):
    gone = _archive(PatientFactory(), clinic_admin)
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(scheduling.SchedulingError, match="archived"):
        scheduling.book(
            practitioner=physio,
            patient=gone,
            start=start,
            end=start + datetime.timedelta(minutes=30),
            kind="follow_up",
        )


def test_no_new_episode_for_an_archived_patient(clinic_admin, physio):
    gone = _archive(PatientFactory(), clinic_admin)
    with pytest.raises(services.ClinicError, match="archived"):
        services.episode_open(patient=gone, physio=physio, complaint="Buttock pain", side="left")


def test_follow_ups_due_leave_archived_patients_out(clinic_admin, physio):
    kept = EpisodeFactory(physio=physio, follow_up_interval_days=7)
    gone = EpisodeFactory(physio=physio, follow_up_interval_days=7)
    for episode in (kept, gone):
        services.visit_sign(
            visit=VisitFactory(
                episode=episode, starts_at=timezone.now() - datetime.timedelta(days=10)
            ),
            user=physio,
        )
    _archive(gone.patient, clinic_admin)
    due = scheduling.follow_ups_due(within_days=7).due
    assert [episode.pk for episode in due] == [kept.pk]


def test_archived_patients_stay_in_reports_and_the_audit_log(
    client_for, clinic_admin, physio, visit
):
    patient = visit.episode.patient
    services.visit_sign(visit=visit, user=physio)
    before = outcome_report(group_by=GroupBy.PHYSIO, filters=ReportFilters()).total.episodes
    _archive(patient, clinic_admin)
    after = outcome_report(group_by=GroupBy.PHYSIO, filters=ReportFilters()).total.episodes
    assert before == after == 1
    changes = LogEntry.objects.get_for_object(patient).filter(action=LogEntry.Action.UPDATE)
    assert any("archived_at" in entry.changes_dict for entry in changes)
    audit = client_for(clinic_admin).get(
        reverse("clinic:audit_log"), {"patient": patient.identifier}
    )
    assert audit.status_code == 200 and b"Registered twice" in audit.content
