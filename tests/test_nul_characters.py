"""A NUL character in anything typed or sent: PostgreSQL cannot store one, so it is removed
before it reaches the database, whatever the path (issue 10, part 4). Every test here
also runs on PostgreSQL, where each used to fail with a server error."""

import datetime

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.models import Assessment
from clinic import services as clinic_services
from clinic.models import Patient, TimeOff
from treatments import services as treatment_services
from treatments.models import DeliveredIntervention

pytestmark = pytest.mark.django_db

NUL = "\x00"


def _edit_url(visit) -> str:
    return reverse("assessments:assessment_edit", args=[visit.pk, "buttock_pain"])


def test_a_draft_with_a_nul_is_saved_without_it(client_for, physio, visit):
    response = client_for(physio).post(
        _edit_url(visit), {"history_notes": f"Pain at{NUL} night", "action": "draft"}
    )

    assert response.status_code == 302
    draft = Assessment.objects.get(visit=visit).draft
    assert draft["history_notes"] == ["Pain at night"]


def test_an_autosave_with_a_nul_is_saved_without_it(client_for, physio, visit):
    url = reverse("assessments:assessment_autosave", args=[visit.pk, "buttock_pain"])

    response = client_for(physio).post(url, {"history_notes": f"Sitting{NUL} hurts"})

    assert response.status_code == 200
    assert "Draft kept" in response.text
    assert Assessment.objects.get(visit=visit).draft["history_notes"] == ["Sitting hurts"]


def test_a_draft_saved_by_other_code_loses_the_nul_too(physio, visit):
    assessment_services.assessment_save_draft(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        form_data={"history_notes": [f"Worse{NUL} on stairs"], f"odd{NUL}key": ["x"]},
    )

    assert Assessment.objects.get(visit=visit).draft == {
        "history_notes": ["Worse on stairs"],
        "oddkey": ["x"],
    }


def test_a_form_field_with_a_nul_is_saved_without_it(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"),
        {
            "given_name": f"Ja{NUL}ne",
            "family_name": "Nul",
            "date_of_birth": "1970-01-01",
            "sex": "female",
            "referrer": f"Dr{NUL} Patel",
        },
    )

    assert response.status_code == 302
    patient = Patient.objects.get(family_name="Nul")
    assert (patient.given_name, patient.referrer) == ("Jane", "Dr Patel")


def test_intervention_params_with_a_nul_are_saved_without_it(client_for, physio, visit):
    treatment_services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="exercise_programme",
        params={"exercises": [{"name": f"Bri{NUL}dge", "sets": 3, "load": f"5{NUL} kg"}]},
    )
    url = reverse("treatments:intervention_add", args=[visit.pk, "electrotherapy"])
    response = client_for(physio).post(
        url, {"modality": "tens", "site": f"Left{NUL} buttock", "notes": f"Well{NUL} tolerated"}
    )

    assert response.status_code == 302
    exercises = DeliveredIntervention.objects.get(kind="exercise_programme").params["exercises"]
    assert exercises == [{"name": "Bridge", "sets": 3, "load": "5 kg"}]
    tens = DeliveredIntervention.objects.get(kind="electrotherapy")
    assert (tens.params["site"], tens.notes) == ("Left buttock", "Well tolerated")


def test_an_admin_text_with_a_nul_is_saved_without_it(client_for, clinic_admin, physio):
    client = client_for(clinic_admin)
    day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        reverse("admin:clinic_timeoff_add"),
        {
            "practitioner": physio.pk,
            "first_day": day.isoformat(),
            "last_day": day.isoformat(),
            "reason": f"Annual{NUL} leave",
        },
    )

    assert response.status_code == 302
    assert TimeOff.objects.get().reason == "Annual leave"
    assert client.get("/admin/clinic/patient/", {"q": f"Do{NUL}e"}).status_code == 200


def test_a_change_made_by_other_code_and_its_audit_entry_lose_the_nul(patient, physio):
    clinic_services.patient_update(patient=patient, user=physio, given_name=f"Ja{NUL}net")

    patient.refresh_from_db()
    assert patient.given_name == "Janet"
    entry = LogEntry.objects.get_for_object(patient).latest("timestamp")
    assert entry.changes_dict["given_name"] == ["Jane", "Janet"]


def test_a_nul_in_a_cookie_is_no_server_error(client):
    client.cookies["sessionid"] = f"abcdefgh{NUL}ijklmnop"
    response = client.get(reverse("clinic:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- Request headers and the path -----------------------------------------------------------

PASSWORD = "demo-password-1"  # UserFactory's


def _log_in(client, password: str, **headers):
    return client.post(reverse("login"), {"username": "physio", "password": password}, **headers)


def test_a_nul_in_the_user_agent_is_no_server_error_and_counts_towards_the_lock(client, physio):
    agent = f"Mozilla/5.0{NUL}"
    for _ in range(4):
        assert _log_in(client, "wrong", HTTP_USER_AGENT=agent).status_code == 200
    assert _log_in(client, "wrong", HTTP_USER_AGENT=agent).status_code == 429
    attempt = AccessAttempt.objects.get(username="physio")
    assert attempt.failures_since_start == 5
    assert attempt.user_agent == "Mozilla/5.0"

    response = _log_in(client, PASSWORD, HTTP_USER_AGENT=agent)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_login_with_a_nul_in_its_headers_is_recorded_without_it(client, physio):
    response = _log_in(
        client,
        PASSWORD,
        HTTP_USER_AGENT=f"Mozilla/5.0{NUL}",
        HTTP_ACCEPT=f"text/html{NUL}",
        HTTP_X_FORWARDED_FOR=f"203.0.113.7{NUL}",
    )

    assert response.status_code == 302
    access = AccessLog.objects.get(username="physio")
    assert (access.user_agent, access.http_accept) == ("Mozilla/5.0", "text/html")


def test_a_nul_in_the_path_is_removed_like_one_in_the_query_string(client, physio):
    response = client.post(f"/login/{NUL}", {"username": "physio", "password": "wrong"})

    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="physio").path_info == "/login/"
    assert client.get(f"/patients/{NUL}").status_code == 302  # to the login page
