"""Nothing lost: two people editing the same record are told, signed records never change
by any path, and clinical records are never deleted."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import host
from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.models import Assessment
from clinic import services
from clinic.models import Addendum, Patient, Visit
from tests.assessments.test_assessment_pages import NO_RED_FLAGS
from tests.factories import EpisodeFactory, PatientFactory
from treatments.models import Consent, ContraindicationScreen, TreatmentPlan, VisitNote

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


# --- First saves: a form opened before anything was saved is a stale form too ------------


def _opened(client, url: str, name: str = "revision") -> str:
    page = client.get(url).content.decode()
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="(\d+)"', page)
    assert match, f"the form carries {name}"
    return match.group(1)


def test_two_physios_on_a_new_assessment_the_second_is_told_who(
    physio, other_physio, visit, client_for
):
    url = reverse("assessments:assessment_edit", args=[visit.pk, BUTTOCK_PAIN_V1.code])
    priya, tom = Client(), Client()
    priya.force_login(physio)
    tom.force_login(other_physio)
    # One clinician writes at a time: Tom covers the visit, then Priya takes it back with
    # her form still open from before.
    priya_opened = _opened(priya, url)
    services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya's list")
    tom_opened = _opened(tom, url)
    assert priya_opened == tom_opened == "0"
    tom.post(url, NO_RED_FLAGS | {"action": "save", "nprs__nprs": "4", "revision": tom_opened})
    services.visit_take_over(visit=visit, user=physio, reason="Back from the meeting")
    response = priya.post(
        url, NO_RED_FLAGS | {"action": "save", "nprs__nprs": "7", "revision": priya_opened}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tom Reed saved this assessment at" in page
    assert "Your answers are still in the form" in page
    assert response.context["form"].data["nprs__nprs"] == "7"
    assert "The saved answers" in page  # Tom's, to compare with hers
    assessment = Assessment.objects.get()
    assert assessment.answers["nprs"] == {"nprs": 4} and assessment.updated_by == other_physio
    # Told, she saves again: a deliberate overwrite.
    again = priya.post(url, dict(response.context["form"].data.lists()))
    assert again.status_code == 302
    assert Assessment.objects.get().answers["nprs"] == {"nprs": 7}


def test_two_physios_on_a_new_note_the_second_is_told_who_and_sees_the_saved_note(
    physio, other_physio, visit
):
    url = reverse("treatments:visit_note_save", args=[visit.pk])
    priya, tom = Client(), Client()
    priya.force_login(physio)
    tom.force_login(other_physio)
    priya_opened = _opened(priya, visit.get_absolute_url())
    services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya's list")
    tom_opened = _opened(tom, visit.get_absolute_url())
    tom.post(url, {"subjective": "Tom's note", "revision": tom_opened})
    services.visit_take_over(visit=visit, user=physio, reason="Back from the meeting")
    response = priya.post(url, {"subjective": "Priya's note", "revision": priya_opened})
    page = response.content.decode()
    assert "Tom Reed saved this note at" in page
    assert "Priya&#x27;s note</textarea>" in page  # her text, in the form
    assert "The saved note" in page and "Tom&#x27;s note" in page
    assert VisitNote.objects.get().subjective == "Tom's note"
    again = priya.post(url, dict(response.context["form"].data.lists()))
    assert again.status_code == 302
    assert VisitNote.objects.get().subjective == "Priya's note"


PLAN = {
    "planned_interventions": ["stretching"],
    "visit_interval_days": "7",
    "planned_visits": "6",
    "goal-0-text": "Sit through a film",
}


def test_two_physios_on_a_new_plan_the_second_is_told_who_and_sees_the_saved_plan(
    physio, other_physio, episode
):
    url = reverse("treatments:plan_edit", args=[episode.pk])
    priya, tom = Client(), Client()
    priya.force_login(physio)
    tom.force_login(other_physio)
    priya_opened, tom_opened = _opened(priya, url), _opened(tom, url)
    assert priya_opened == tom_opened == "0"
    tom.post(url, PLAN | {"planned_visits": "4", "revision": tom_opened})
    response = priya.post(url, PLAN | {"goal-0-text": "Run 5 km", "revision": priya_opened})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tom Reed saved this treatment plan at" in page
    assert 'value="Run 5 km"' in page
    assert "The saved plan" in page and "Sit through a film" in page
    plan = TreatmentPlan.objects.get()
    assert plan.planned_visits == 4 and plan.updated_by == other_physio
    again = priya.post(url, dict(response.context["form"].data.lists()))
    assert again.status_code == 302
    assert [goal.text for goal in TreatmentPlan.objects.get().goals.all()] == ["Run 5 km"]


def test_a_double_click_on_the_first_save_plan_is_one_plan_and_no_error(physio, episode):
    url = reverse("treatments:plan_edit", args=[episode.pk])
    client = Client()
    client.force_login(physio)
    posted = PLAN | {"revision": _opened(client, url)}
    first, second = client.post(url, posted), client.post(url, posted)
    assert first.status_code == second.status_code == 302
    plan = TreatmentPlan.objects.get()
    assert plan.revision == 1 and [goal.text for goal in plan.goals.all()] == ["Sit through a film"]


CONSENT = {
    "kind": "dry_needling",
    "method": "verbal",
    "risks_discussed": [
        "bruising",
        "bleeding",
        "pain",
        "infection",
        "nerve_injury",
        "pneumothorax",
    ],
    "right_to_withdraw_explained": "on",
}


def test_two_physios_recording_consent_the_second_is_told_who(physio, other_physio, episode):
    url = reverse("treatments:consent_add", args=[episode.pk]) + "?kind=dry_needling"
    priya, tom = Client(), Client()
    priya.force_login(physio)
    tom.force_login(other_physio)
    today = timezone.localdate().isoformat()
    priya_opened = _opened(priya, url, "replaces")
    tom_opened = _opened(tom, url, "replaces")
    tom.post(url, CONSENT | {"given_on": today, "replaces": tom_opened})
    response = priya.post(
        url,
        CONSENT
        | {"given_on": today, "method": "written", "notes": "Leaflet given"}
        | {"replaces": priya_opened},
    )
    page = response.content.decode()
    assert "Tom Reed recorded the patient&#x27;s consent to dry needling at" in page
    assert "(verbal, given on" in page and "Leaflet given</textarea>" in page
    (consent,) = Consent.objects.all()
    assert consent.recorded_by == other_physio
    # Recording it now replaces Tom's, which is kept.
    again = priya.post(url, dict(response.context["form"].data.lists()))
    assert again.status_code == 302, again.context["form"].errors
    in_force = Consent.objects.get(superseded_at__isnull=True)
    assert in_force.method == "written" and Consent.objects.count() == 2


def test_a_screen_form_opened_before_another_screen_was_recorded_is_told(
    physio, other_physio, episode
):
    url = reverse("treatments:screen_add", args=[episode.pk])
    priya, tom = Client(), Client()
    priya.force_login(physio)
    tom.force_login(other_physio)
    priya_opened, tom_opened = _opened(priya, url, "follows"), _opened(tom, url, "follows")
    tom.post(url, {"present": ["lymphoedema_of_limb"], "follows": tom_opened})
    response = priya.post(url, {"present": [], "follows": priya_opened})
    page = response.content.decode()
    assert "Tom Reed recorded a contraindication screen at" in page
    assert "(found: lymphoedema of the limb)" in page
    assert ContraindicationScreen.objects.get().screened_by == other_physio
    assert priya.post(url, dict(response.context["form"].data.lists())).status_code == 302
    assert ContraindicationScreen.objects.count() == 2


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
    with pytest.raises(host.SignedRecordError, match="signed"):
        signed_visit.save()
    with pytest.raises(host.SignedRecordError):
        signed_visit.save(update_fields=["notes"])
    assert Visit.objects.get(pk=signed_visit.pk).notes != "changed afterwards"


def test_a_signed_visit_cannot_be_unsigned(signed_visit):
    signed_visit.status, signed_visit.signed_at, signed_visit.signed_by = "draft", None, None
    with pytest.raises(host.SignedRecordError):
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
    with pytest.raises(host.SignedRecordError, match="add another addendum"):
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
        pytest.raises(host.RecordDeletionError, match="archive the patient"),
        transaction.atomic(),
    ):
        patient.delete()
    with pytest.raises(host.RecordDeletionError), transaction.atomic():
        Patient.objects.filter(pk=patient.pk).delete()
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_episodes_visits_and_addenda_are_never_deleted(signed_visit, physio):
    draft = Visit.objects.create(episode=signed_visit.episode, practitioner=physio)
    empty_episode = EpisodeFactory(patient=signed_visit.episode.patient, physio=physio)
    for record in (draft, signed_visit, empty_episode):
        with (
            pytest.raises(host.RecordDeletionError, match="never deleted"),
            transaction.atomic(),
        ):
            record.delete()
    addendum = services.addendum_add(visit=signed_visit, author=physio, text="x", reason="y")
    with pytest.raises(host.RecordDeletionError, match="never deleted"), transaction.atomic():
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
