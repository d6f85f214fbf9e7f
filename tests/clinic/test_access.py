"""How refusals look to a user; every URL × role is declared in tests/test_permissions.py."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_forbidden_page_is_in_the_app_layout(client_for, front_desk, visit):
    response = client_for(front_desk).get(reverse("clinic:visit_detail", args=[visit.pk]))
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.content
    assert b"Log out" in response.content


def test_missing_record_is_a_404_in_the_app_layout(client_for, physio):
    response = client_for(physio).get(reverse("clinic:patient_detail", args=[999999]))
    assert response.status_code == 404
    assert b"There is no such record" in response.content


def test_user_without_role_is_told_why(client_for, no_role_user):
    response = client_for(no_role_user).get(reverse("clinic:home"))
    assert b"Your account has no role yet" in response.content
    assert b"Patients</a>" not in response.content


def test_navigation_shows_only_what_the_role_may_use(client_for, front_desk, clinic_admin):
    page = client_for(front_desk).get(reverse("clinic:home")).content.decode()
    assert "Patients" in page and "Audit log" not in page
    page = client_for(clinic_admin).get(reverse("clinic:home")).content.decode()
    assert "Audit log" in page


def test_front_desk_sees_demographics_but_no_clinical_content(client_for, front_desk, visit):
    visit.notes = "MARKER-clinical-note"
    visit.save()
    page = client_for(front_desk).get(
        reverse("clinic:patient_detail", args=[visit.episode.patient.pk])
    )
    content = page.content.decode()
    assert visit.episode.patient.identifier in content
    assert "MARKER-clinical-note" not in content
    assert "Right buttock pain" not in content
