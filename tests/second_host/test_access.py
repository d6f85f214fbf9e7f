"""Carebook's reception, without the plugin's permissions, is refused every plugin page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_reception_gets_403_on_the_plugins_pages(client_for, receptionist, first_session):
    client = client_for(receptionist)
    urls = [
        reverse("assessments:assessment_edit", args=[first_session.pk, "buttock_pain"]),
        reverse("assessments:working_diagnosis_confirm", args=[first_session.episode_id]),
        reverse("treatments:intervention_add", args=[first_session.pk, "stretching"]),
        reverse("treatments:outcome_report"),
        reverse("treatments:patient_fhir_export", args=[first_session.episode.patient_id]),
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 403)


def test_reception_sees_the_client_but_no_clinical_section(
    client_for, receptionist, carebook_client
):
    page = client_for(receptionist).get(carebook_client.get_absolute_url())
    assert page.status_code == 200
    assert "carebook-section" not in page.content.decode()


def test_reception_cannot_open_a_session(client_for, receptionist, first_session):
    assert client_for(receptionist).get(first_session.get_absolute_url()).status_code == 403


def test_the_physio_has_every_plugin_permission(physio):
    from django.contrib.auth.models import Permission

    plugin = Permission.objects.filter(content_type__app_label__in=["assessments", "treatments"])
    assert plugin.exists()
    assert all(physio.has_perm(f"{p.content_type.app_label}.{p.codename}") for p in plugin)
