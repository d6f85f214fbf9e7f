import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clinic import services
from clinic.models import Patient

pytestmark = pytest.mark.django_db


def test_viewing_a_record_is_logged_with_who_and_from_where(client_for, physio, patient):
    client_for(physio).get(patient.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_id=patient.pk)
    assert entry.actor == physio
    assert entry.remote_addr == "10.1.2.3"


def test_changes_are_logged_with_old_and_new_values(client_for, front_desk, patient):
    data = {
        "given_name": "Janet",
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
        "phone": "",
        "email": "",
        "address": "",
        "referrer": "",
    }
    client_for(front_desk).post(reverse("clinic:patient_update", args=[patient.pk]), data)
    entry = LogEntry.objects.get_for_object(patient).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == front_desk
    assert entry.changes_dict["given_name"] == ["Jane", "Janet"]


def test_clinical_changes_are_filed_under_the_patient(physio, visit):
    services.visit_sign(visit=visit, user=physio)
    patient_id = visit.episode.patient_id
    entries = LogEntry.objects.filter(additional_data__patient_id=patient_id)
    models = {entry.content_type.model for entry in entries}
    assert {"episodeofcare", "visit"} <= models


def test_admin_browses_the_log_by_patient_and_user(client_for, clinic_admin, physio, patient):
    other = Patient.objects.create(
        given_name="Other", family_name="Person", date_of_birth="1970-01-01"
    )
    client_for(physio).get(patient.get_absolute_url())
    client_for(physio).get(other.get_absolute_url())
    client = client_for(clinic_admin)
    page = client.get(reverse("clinic:audit_log"), {"patient": patient.identifier})
    reprs = {entry.object_repr for entry in page.context["page"]}
    assert str(patient) in reprs and str(other) not in reprs
    page = client.get(reverse("clinic:audit_log"), {"user": "physio"})
    assert all(entry.actor == physio for entry in page.context["page"])


def test_log_cannot_be_changed_or_deleted_in_the_admin(client_for, clinic_admin, physio, patient):
    client_for(physio).get(patient.get_absolute_url())
    entry = LogEntry.objects.first()
    client = client_for(clinic_admin)
    response = client.post(
        reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert response.status_code in (302, 403)
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_log_page_shows_changes_of_a_model_with_an_items_field(
    client_for, clinic_admin, physio, visit
):
    # A red-flag alert has a field named `items`; the page once crashed on it.
    from assessments import services as assessment_services
    from assessments.buttock_pain import BUTTOCK_PAIN_V1

    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"rf_trauma": "yes"}
    )
    page = client_for(clinic_admin).get(reverse("clinic:audit_log"))
    assert page.status_code == 200
    assert "rf_trauma" in page.content.decode()
