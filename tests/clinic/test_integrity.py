"""Nothing lost: two people editing the same record are told, signed records never change
by any path, and clinical records are never deleted."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.models import Assessment
from clinic import services
from clinic.models import Addendum, Patient, Visit
from tests.factories import EpisodeFactory, PatientFactory
from treatments.models import VisitNote

pytestmark = pytest.mark.django_db

DETAILS = {
    "given_name": "Jane",
    "family_name": "Doe",
    "date_of_birth": "1980-03-12",
    "sex": "female",
    "phone": "07700 900123",
    "email": "jane@example.org",
    "address": "1 High Street",
    "referrer": "Dr Khan",
    "contact_consent": "on",
}


def _edit_url(patient) -> str:
    return reverse("clinic:patient_update", args=[patient.pk])


def _revision_in(response) -> str:
    match = re.search(r'name="revision" value="(\d+)"', response.content.decode())
    assert match, "the edit form carries the revision it was opened at"
    return match.group(1)


# --- Patient details: no silent lost update ----------------------------------------------


def test_each_save_of_the_details_bumps_the_revision_and_says_who(client_for, front_desk, patient):
    client = client_for(front_desk)
    opened_at = _revision_in(client.get(_edit_url(patient)))
    client.post(_edit_url(patient), DETAILS | {"phone": "07700 900999", "revision": opened_at})
    patient.refresh_from_db()
    assert patient.phone == "07700 900999"
    assert patient.revision == int(opened_at) + 1
    assert patient.updated_by == front_desk


def test_a_stale_form_is_refused_with_who_and_when_and_the_input_kept(
    client, front_desk, physio, patient
):
    client.force_login(front_desk)
    front_desk_opened_at = _revision_in(client.get(_edit_url(patient)))
    client.force_login(physio)
    physio_opened_at = _revision_in(client.get(_edit_url(patient)))
    # The physio saves first...
    client.post(
        _edit_url(patient), DETAILS | {"phone": "07700 900111", "revision": physio_opened_at}
    )
    # ...then the front desk, from the form they opened before.
    client.force_login(front_desk)
    response = client.post(
        _edit_url(patient),
        DETAILS | {"email": "jane.doe@example.org", "revision": front_desk_opened_at},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Priya Shah changed these details at" in page
    assert "your changes are still in the form" in page
    # The user's input is still in the form; the saved details are shown beside it.
    assert 'value="jane.doe@example.org"' in page
    assert "The saved details" in page and "07700 900111" in page
    patient.refresh_from_db()
    assert patient.phone == "07700 900111" and patient.email == "jane@example.org"

    # Saving again, having seen the saved details, is a deliberate overwrite.
    client.post(
        _edit_url(patient),
        DETAILS
        | {
            "phone": "07700 900111",
            "email": "jane.doe@example.org",
            "revision": _revision_in(response),
        },
    )
    patient.refresh_from_db()
    assert patient.email == "jane.doe@example.org" and patient.phone == "07700 900111"
    assert patient.updated_by == front_desk


def test_the_saved_details_mark_what_differs_from_the_form(client, front_desk, physio, patient):
    client.force_login(physio)
    opened_at = _revision_in(client.get(_edit_url(patient)))
    services.patient_update(patient=patient, user=front_desk, phone="07700 900222")
    response = client.post(_edit_url(patient), DETAILS | {"revision": opened_at})
    saved = response.content.decode().split('id="saved-details"')[1]
    phone_row = saved.split("Phone")[1].split("</dd>")[0]
    email_row = saved.split("Email")[1].split("</dd>")[0]
    assert "differs" in phone_row and "07700 900222" in phone_row
    assert "differs" not in email_row
    assert '<dt class="col-sm-5">Address' in saved and "None" not in saved


def test_the_service_refuses_a_stale_revision(physio, front_desk, patient):
    services.patient_update(patient=patient, user=physio, revision=1, phone="07700 900333")
    with pytest.raises(services.StalePatientDetails, match="Priya Shah changed these details"):
        services.patient_update(patient=patient, user=front_desk, revision=1, phone="07700 900444")
    patient.refresh_from_db()
    assert patient.phone == "07700 900333" and patient.revision == 2


# --- Assessments and notes: the second user is told who changed it ----------------------


def test_two_users_on_one_draft_assessment_the_second_is_told_who(
    client, physio, other_physio, visit
):
    url = reverse("assessments:assessment_edit", args=[visit.pk, BUTTOCK_PAIN_V1.code])
    draft = {"action": "draft", "nprs__nprs": "5"}
    client.force_login(physio)
    client.post(url, draft | {"revision": ""})
    opened_at = str(Assessment.objects.get().revision)
    # Both have the draft open; Tom takes the visit over and saves first, then Priya takes
    # it back and saves from the page she had open.
    services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya's list")
    client.force_login(other_physio)
    client.post(url, draft | {"nprs__nprs": "4", "revision": opened_at})
    services.visit_take_over(visit=visit, user=physio, reason="Back from the meeting")
    client.force_login(physio)
    response = client.post(url, draft | {"nprs__nprs": "7", "revision": opened_at})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tom Reed saved this assessment at" in page
    assert "Your answers are still in the form" in page
    assessment = Assessment.objects.get()
    assert assessment.draft["nprs__nprs"] == ["4"]
    assert assessment.updated_by == other_physio


def test_two_users_on_one_note_the_second_is_told_who(client, physio, other_physio, visit):
    url = reverse("treatments:visit_note_save", args=[visit.pk])
    client.force_login(physio)
    client.post(url, {"subjective": "first", "revision": ""})
    opened_at = str(VisitNote.objects.get().revision)
    services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya's list")
    client.force_login(other_physio)
    client.post(url, {"subjective": "Tom's", "revision": opened_at})
    services.visit_take_over(visit=visit, user=physio, reason="Back from the meeting")
    client.force_login(physio)
    response = client.post(url, {"subjective": "Priya's", "revision": opened_at})
    assert "Tom Reed saved this note at" in response.content.decode()
    assert VisitNote.objects.get().subjective == "Tom's"


# --- Signed visits and addenda never change ----------------------------------------------


@pytest.fixture
def signed_visit(visit, physio):
    return services.visit_sign(visit=visit, user=physio)


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("root", "root@clinic.example", "pw")
    client.force_login(user)
    return client


def test_signing_still_goes_through_the_guards(physio, visit):
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"nprs": {"nprs": 6}}
    )
    services.visit_sign(visit=visit, user=physio)
    visit.refresh_from_db()
    assessment = Assessment.objects.get()
    assert visit.is_signed and assessment.is_signed
    assert assessment.signed_suggestions is not None


def test_a_signed_visit_cannot_be_saved_through_the_orm(signed_visit):
    signed_visit.notes = "changed afterwards"
    with pytest.raises(services.SignedRecordError, match="signed"):
        signed_visit.save()
    with pytest.raises(services.SignedRecordError):
        signed_visit.save(update_fields=["notes"])
    assert Visit.objects.get(pk=signed_visit.pk).notes != "changed afterwards"


def test_a_signed_visit_cannot_be_unsigned(signed_visit):
    signed_visit.status, signed_visit.signed_at, signed_visit.signed_by = "draft", None, None
    with pytest.raises(services.SignedRecordError):
        signed_visit.save()


def test_a_draft_visit_can_still_be_changed(visit):
    visit.notes = "still a draft"
    visit.save()
    assert Visit.objects.get(pk=visit.pk).notes == "still a draft"


def test_an_addendum_is_written_once(signed_visit, physio):
    addendum = services.addendum_add(
        visit=signed_visit, author=physio, text="Also reported calf pain.", reason="Omitted"
    )
    addendum.text = "Rewritten"
    with pytest.raises(services.SignedRecordError, match="add another addendum"):
        addendum.save()
    assert Addendum.objects.get().text == "Also reported calf pain."
    # Adding another is how a signed visit grows.
    services.addendum_add(visit=signed_visit, author=physio, text="And this.", reason="More")
    assert Addendum.objects.count() == 2


def test_the_admin_answers_a_change_to_a_signed_visit_without_an_error(
    superuser_client, signed_visit
):
    client = superuser_client
    url = reverse("admin:clinic_visit_change", args=[signed_visit.pk])
    response = client.post(
        url,
        {
            "episode": signed_visit.episode_id,
            "practitioner": signed_visit.practitioner_id,
            "starts_at_0": "2025-01-01",
            "starts_at_1": "09:00",
            "kind": "follow_up",
            "notes": "changed in the admin",
            "status": "signed",
            "signed_by": signed_visit.signed_by_id,
            "signed_at_0": "2025-01-01",
            "signed_at_1": "10:00",
        },
    )
    assert response.status_code == 403
    assert Visit.objects.get(pk=signed_visit.pk).notes != "changed in the admin"
    # The page itself opens, read-only.
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="notes"' not in page.content


# --- Nothing clinical is ever hard-deleted -----------------------------------------------


def test_a_patient_is_never_deleted():
    patient = PatientFactory()
    # The refusal is raised inside Django's delete transaction: callers get a rollback.
    with (
        pytest.raises(services.RecordDeletionError, match="archive the patient"),
        transaction.atomic(),
    ):
        patient.delete()
    with pytest.raises(services.RecordDeletionError), transaction.atomic():
        Patient.objects.filter(pk=patient.pk).delete()
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_episodes_visits_and_addenda_are_never_deleted(signed_visit, physio):
    draft = Visit.objects.create(episode=signed_visit.episode, practitioner=physio)
    empty_episode = EpisodeFactory(patient=signed_visit.episode.patient, physio=physio)
    for record in (draft, signed_visit, empty_episode):
        with (
            pytest.raises(services.RecordDeletionError, match="never deleted"),
            transaction.atomic(),
        ):
            record.delete()
    addendum = services.addendum_add(visit=signed_visit, author=physio, text="x", reason="y")
    with pytest.raises(services.RecordDeletionError, match="never deleted"), transaction.atomic():
        addendum.delete()
    assert Addendum.objects.count() == 1 and Visit.objects.count() == 2


def test_the_admin_offers_no_delete(superuser_client, signed_visit):
    client = superuser_client
    patient = signed_visit.episode.patient
    response = client.post(
        reverse("admin:clinic_patient_delete", args=[patient.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_an_admin_edit_makes_an_open_app_form_stale(client_for, superuser_client, patient):
    opened_at = patient.revision
    response = superuser_client.post(
        reverse("admin:clinic_patient_change", args=[patient.pk]),
        DETAILS | {"contact_consent": "on", "phone": "07700 900777"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "07700 900777" and patient.revision == opened_at + 1
    with pytest.raises(services.StalePatientDetails, match="root changed these details"):
        services.patient_update(patient=patient, revision=opened_at, phone="07700 900000")


def test_the_admin_cannot_sign_a_visit(superuser_client, visit):
    superuser_client.post(
        reverse("admin:clinic_visit_change", args=[visit.pk]),
        {
            "episode": visit.episode_id,
            "practitioner": visit.practitioner_id,
            "starts_at_0": "2025-01-01",
            "starts_at_1": "09:00",
            "kind": "follow_up",
            "notes": "",
            "status": "signed",
            "signed_by": visit.practitioner_id,
            "signed_at_0": "2025-01-01",
            "signed_at_1": "10:00",
        },
    )
    assert not Visit.objects.get(pk=visit.pk).is_signed
