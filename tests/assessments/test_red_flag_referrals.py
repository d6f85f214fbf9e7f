"""The referral made for a red flag: recorded, shown with the alert, read-only once the
visit is signed, in the database too (issue 11)."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.host import RecordDeletionError, SignedRecordError
from assessments.models import RedFlagReferral
from clinic import services as clinic_services

pytestmark = pytest.mark.django_db


def add_url(alert):
    return reverse("assessments:red_flag_referral_add", args=[alert.pk])


def referral_of(alert, physio, **changes):
    fields = {
        "referred_to": "emergency_department",
        "referred_to_name": "St Mary's",
        "urgency": "emergency",
        "referred_at": timezone.now(),
        "method": "phone",
        "note": "Spoke to the ED registrar.",
    }
    return services.red_flag_referral_record(alert=alert, user=physio, **(fields | changes))


def test_the_physio_records_the_referral_from_the_alert(client_for, physio, alert, visit):
    client = client_for(physio)
    record = visit.episode.patient.get_absolute_url()
    assert "No referral recorded yet." in client.get(record).content.decode()
    form = client.get(add_url(alert)).content.decode()
    # Cauda equina: the spec's emergency, same-day referral is proposed.
    assert re.search(r'value="emergency"[^>]*checked', form)
    assert "Emergency: same day" in form
    response = client.post(
        add_url(alert),
        {
            "referred_to": "emergency_department",
            "referred_to_name": "St Mary's",
            "urgency": "emergency",
            "referred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "method": "phone",
            "note": "Spoke to the ED registrar.",
        },
    )
    assert response.status_code == 302
    referral = RedFlagReferral.objects.get()
    assert (referral.alert, referral.visit, referral.recorded_by) == (alert, visit, physio)
    page = client.get(record).content.decode()
    assert "Referral recorded: Emergency department (St Mary&#x27;s), emergency: same day" in page
    assert "No referral recorded yet." not in page
    # The visit page and the blocked intervention pages say it too.
    assert "Referral recorded" in client.get(visit.get_absolute_url()).content.decode()
    blocked = reverse("treatments:intervention_add", args=[visit.pk, "spinal_manipulation"])
    assert "Referral recorded" in client.get(blocked).content.decode()


def test_other_needs_a_name(client_for, physio, alert):
    with pytest.raises(services.AssessmentError, match="Name whom"):
        referral_of(alert, physio, referred_to="other", referred_to_name=" ")
    response = client_for(physio).post(
        add_url(alert),
        {
            "referred_to": "other",
            "urgency": "urgent",
            "referred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "method": "letter",
        },
    )
    assert response.status_code == 400
    assert "Name whom the patient was referred to." in response.content.decode()
    assert not RedFlagReferral.objects.exists()


def test_a_referral_is_not_dated_in_the_future_or_before_the_flag(physio, alert):
    with pytest.raises(services.AssessmentError, match="future"):
        referral_of(alert, physio, referred_at=timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(services.AssessmentError, match="before the flag was raised"):
        referral_of(alert, physio, referred_at=timezone.now() - datetime.timedelta(days=3))


def test_it_is_corrected_while_the_visit_is_a_draft_and_read_only_once_signed(
    client_for, physio, alert, visit
):
    referral = referral_of(alert, physio)
    referral_of(alert, physio, referral=referral, method="in_person")
    referral.refresh_from_db()
    assert referral.method == "in_person"
    clinic_services.visit_sign(visit=visit, user=physio)
    with pytest.raises(services.AssessmentError, match="read-only"):
        referral_of(alert, physio, referral=referral, method="email")
    referral.method = "email"
    refused = pytest.raises(SignedRecordError, match="red-flag referrals cannot be changed")
    with refused, transaction.atomic():
        referral.save()
    with pytest.raises(RecordDeletionError), transaction.atomic():
        referral.delete()
    referral.refresh_from_db()
    page = client_for(physio).get(reverse("assessments:red_flag_referral_edit", args=[referral.pk]))
    assert "this referral is read-only" in page.content.decode()
    assert "Save the referral" not in page.content.decode()
    client_for(physio).post(
        reverse("assessments:red_flag_referral_edit", args=[referral.pk]),
        {"referred_to": "gp", "urgency": "routine", "method": "email"},
    )
    referral.refresh_from_db()
    assert referral.method == "in_person"
    # A referral made later is still recorded: an addition, kept as recorded.
    late = referral_of(alert, physio, referred_to="gp", urgency="urgent", method="letter")
    assert late.visit == visit


def test_the_database_refuses_to_change_the_referral_of_a_signed_visit(physio, alert, visit):
    referral = referral_of(alert, physio)
    clinic_services.visit_sign(visit=visit, user=physio)
    for work in (
        lambda: RedFlagReferral.objects.filter(pk=referral.pk).update(method="email"),
        lambda: _sql(f"DELETE FROM {RedFlagReferral._meta.db_table} WHERE id = %s", [referral.pk]),
    ):
        with pytest.raises(SignedRecordError), transaction.atomic():
            work()
    assert RedFlagReferral.objects.get(pk=referral.pk).method == "phone"


def test_a_draft_visits_referral_is_updated_in_bulk_as_before(physio, alert):
    referral = referral_of(alert, physio)
    RedFlagReferral.objects.filter(pk=referral.pk).update(method="email")
    assert RedFlagReferral.objects.get(pk=referral.pk).method == "email"


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_recording_and_changing_a_referral_is_audited(physio, alert):
    referral = referral_of(alert, physio)
    referral_of(alert, physio, referral=referral, method="letter")
    entries = LogEntry.objects.get_for_object(referral)
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 1
    assert "method" in entries.get(action=LogEntry.Action.UPDATE).changes_dict


def test_front_desk_and_the_clinic_admin_cannot_open_it(
    client_for, physio, front_desk, clinic_admin, alert
):
    referral = referral_of(alert, physio)
    for user in (front_desk, clinic_admin):
        client = client_for(user)
        assert client.get(add_url(alert)).status_code == 403
        edit = reverse("assessments:red_flag_referral_edit", args=[referral.pk])
        assert client.get(edit).status_code == 403
