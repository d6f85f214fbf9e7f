"""Only the visit's clinician writes into its draft; a colleague takes it over first
(recorded, shown on the visit), and the Clinic admin writes no clinical content at all."""

import html

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from assessments import host
from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.models import Assessment
from clinic import services
from clinic.models import Visit, VisitTakeover
from tests.assessments.test_assessment_pages import NO_RED_FLAGS
from treatments import services as treatment_services
from treatments.models import AdverseEvent, DeliveredIntervention, VisitNote

pytestmark = pytest.mark.django_db

NOT_YOURS = "This visit is Priya Shah's: take it over to write in it"
NOT_YOUR_ROLE = "Your role does not record clinical content"


@pytest.fixture
def stretch(visit, physio):
    """Priya's draft visit with one intervention of hers."""
    return treatment_services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={"hold_seconds": 30}
    )


def text(response) -> str:
    """The page as a reader sees it (Priya Shah's, not Priya Shah&#x27;s)."""
    return html.unescape(response.content.decode())


def assessment_url(visit):
    return reverse("assessments:assessment_edit", args=[visit.pk, BUTTOCK_PAIN_V1.code])


def autosave_url(visit):
    return reverse("assessments:assessment_autosave", args=[visit.pk, BUTTOCK_PAIN_V1.code])


def take_over(client, visit, reason="Priya is off sick; I saw the patient"):
    return client.post(reverse("clinic:visit_take_over", args=[visit.pk]), {"reason": reason})


# Every write into a visit, through its service.
WRITES = {
    "notes": lambda visit, user, stretch: services.visit_update(
        visit=visit, user=user, notes="Tom's notes"
    ),
    "assessment": lambda visit, user, stretch: assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=user, answers={"nprs": {"nprs": 4}}
    ),
    "assessment draft": lambda visit, user, stretch: assessment_services.assessment_save_draft(
        visit=visit, template=BUTTOCK_PAIN_V1, user=user, form_data={"history_notes": ["Tom"]}
    ),
    "SOAP note": lambda visit, user, stretch: treatment_services.visit_note_save(
        visit=visit, user=user, subjective="Tom's note"
    ),
    "intervention added": lambda visit, user, stretch: treatment_services.intervention_record(
        visit=visit, user=user, kind_code="education", params={}
    ),
    "intervention edited": lambda visit, user, stretch: treatment_services.intervention_record(
        visit=visit,
        user=user,
        kind_code="stretching",
        params={"hold_seconds": 60},
        intervention=stretch,
    ),
    "intervention removed": lambda visit, user, stretch: treatment_services.intervention_remove(
        intervention=stretch, user=user
    ),
}


def visit_contents(visit) -> dict:
    """What a write into the visit could change."""
    visit.refresh_from_db()
    return {
        "notes": visit.notes,
        "assessments": list(Assessment.objects.values_list("answers", "draft")),
        "soap": list(VisitNote.objects.values_list("subjective", flat=True)),
        "interventions": list(
            DeliveredIntervention.objects.order_by("pk").values_list("kind", "params", "removed_at")
        ),
    }


@pytest.mark.parametrize("write", WRITES)
def test_another_physio_cannot_write_into_the_draft_by_the_service(
    write, visit, stretch, other_physio
):
    before = visit_contents(visit)
    with pytest.raises(host.NotVisitClinician, match=NOT_YOURS):
        WRITES[write](visit, other_physio, stretch)
    assert visit_contents(visit) == before


@pytest.mark.parametrize("write", WRITES)
def test_the_clinic_admin_cannot_write_into_a_visit_by_the_service(
    write, visit, stretch, clinic_admin
):
    before = visit_contents(visit)
    with pytest.raises(host.NotVisitClinician, match=NOT_YOUR_ROLE):
        WRITES[write](visit, clinic_admin, stretch)
    assert visit_contents(visit) == before


# The same writes through the pages, as each form posts them.
def page_writes(visit, stretch) -> dict[str, tuple[str, dict]]:
    return {
        "notes": (visit.get_absolute_url(), {"notes": "Tom's notes"}),
        "assessment": (assessment_url(visit), {"nprs__nprs": "4", "action": "save"}),
        "assessment draft": (assessment_url(visit), {"nprs__nprs": "4", "action": "draft"}),
        "SOAP note": (
            reverse("treatments:visit_note_save", args=[visit.pk]),
            {"subjective": "Tom's note"},
        ),
        "intervention added": (
            reverse("treatments:intervention_add", args=[visit.pk, "education"]),
            {"topic": ["pain_science"]},
        ),
        "intervention edited": (
            reverse("treatments:intervention_edit", args=[stretch.pk]),
            {"hold_seconds": "60"},
        ),
        "intervention removed": (
            reverse("treatments:intervention_remove", args=[stretch.pk]),
            {},
        ),
    }


@pytest.mark.parametrize("write", WRITES)
def test_another_physio_is_refused_by_the_page_with_the_reason(
    write, client_for, visit, stretch, other_physio
):
    before = visit_contents(visit)
    url, data = page_writes(visit, stretch)[write]
    response = client_for(other_physio).post(url, data)
    assert response.status_code == 403
    assert NOT_YOURS in text(response)
    assert visit_contents(visit) == before


@pytest.mark.parametrize("write", WRITES)
def test_the_clinic_admin_is_refused_by_the_page(write, client_for, visit, stretch, clinic_admin):
    before = visit_contents(visit)
    url, data = page_writes(visit, stretch)[write]
    assert client_for(clinic_admin).post(url, data).status_code == 403
    assert visit_contents(visit) == before


def test_another_physios_autosave_is_not_kept(client_for, visit, physio, other_physio):
    assessment_services.assessment_save_draft(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, form_data={"history_notes": ["P"]}
    )
    response = client_for(other_physio).post(
        autosave_url(visit), {"history_notes": "Tom's"}, HTTP_HX_REQUEST="true"
    )
    assert "Draft not kept" in text(response)
    assert NOT_YOURS in text(response)
    assert Assessment.objects.get().draft == {"history_notes": ["P"]}


def test_a_refused_form_keeps_what_was_typed(client_for, visit, other_physio):
    response = client_for(other_physio).post(
        assessment_url(visit), {"history_notes": "Typed before the takeover", "action": "save"}
    )
    assert response.status_code == 403
    assert "Typed before the takeover" in text(response)


def test_another_physio_sees_the_draft_read_only_with_the_way_to_take_it_over(
    client_for, visit, stretch, physio, other_physio
):
    treatment_services.visit_note_save(visit=visit, user=physio, subjective="Priya's note")
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"nprs": {"nprs": 6}}
    )
    client = client_for(other_physio)
    page = text(client.get(visit.get_absolute_url()))
    assert "Priya's note" in page
    assert NOT_YOURS in page
    assert reverse("clinic:visit_take_over", args=[visit.pk]) in page
    # No form to write with: no note form, no intervention buttons, no sign button.
    assert reverse("treatments:visit_note_save", args=[visit.pk]) not in page
    assert reverse("treatments:intervention_edit", args=[stretch.pk]) not in page
    assert reverse("treatments:intervention_add", args=[visit.pk, "education"]) not in page
    assert reverse("clinic:visit_sign", args=[visit.pk]) not in page
    assert "Continue the assessment" not in page and "View assessment" in page
    assessment = client.get(assessment_url(visit))
    assert assessment.status_code == 200
    assert "assessment-form" not in text(assessment)
    assert NOT_YOURS in text(assessment)
    # The write pages send them back to the visit, saying why.
    edit = client.get(reverse("treatments:intervention_edit", args=[stretch.pk]), follow=True)
    assert edit.redirect_chain[-1][0] == visit.get_absolute_url()
    assert NOT_YOURS in text(edit)


def test_the_clinics_own_physio_still_writes_and_signs(client_for, visit, physio):
    client = client_for(physio)
    assert client.post(visit.get_absolute_url(), {"notes": "Priya's"}).status_code == 302
    assert (
        client.post(
            assessment_url(visit), NO_RED_FLAGS | {"nprs__nprs": "5", "action": "save"}
        ).status_code
        == 302
    )
    client.post(reverse("clinic:visit_sign", args=[visit.pk]), {"confirm_missing": "yes"})
    visit.refresh_from_db()
    assert visit.is_signed and visit.notes == "Priya's"


# --- Taking a visit over -----------------------------------------------------------------


def test_taking_over_asks_for_a_reason(client_for, visit, physio, other_physio):
    client = client_for(other_physio)
    page = text(client.get(reverse("clinic:visit_take_over", args=[visit.pk])))
    assert "Take over this visit from Priya Shah?" in page
    response = take_over(client, visit, reason="  ")
    assert response.status_code == 200
    assert "This field is required" in text(response)
    visit.refresh_from_db()
    assert visit.practitioner == physio and not VisitTakeover.objects.exists()


def test_a_takeover_is_recorded_shown_and_audited(client_for, visit, physio, other_physio):
    client = client_for(other_physio)
    response = take_over(client, visit, reason="Priya is off sick; I saw the patient")
    assert response.status_code == 302
    takeover = VisitTakeover.objects.get()
    assert (takeover.visit, takeover.taken_from, takeover.taken_by) == (
        visit,
        physio,
        other_physio,
    )
    assert takeover.reason == "Priya is off sick; I saw the patient"
    visit.refresh_from_db()
    assert visit.practitioner == other_physio
    page = text(client.get(visit.get_absolute_url()))
    assert "Taken over from Priya Shah by Tom Reed at" in page
    assert "Priya is off sick; I saw the patient" in page
    assert "Seen by Tom Reed" in page
    assert LogEntry.objects.get_for_object(takeover).filter(actor=other_physio).exists()
    change = LogEntry.objects.get_for_object(visit).get(
        actor=other_physio, action=LogEntry.Action.UPDATE
    )
    assert "practitioner" in change.changes_dict


@pytest.mark.parametrize("write", WRITES)
def test_after_a_takeover_the_taker_writes_and_the_first_physio_cannot(
    write, visit, stretch, physio, other_physio
):
    services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya's list")
    WRITES[write](visit, other_physio, stretch)
    stretch.refresh_from_db()
    with pytest.raises(host.NotVisitClinician, match="This visit is Tom Reed's"):
        WRITES[write](visit, physio, stretch)


def test_after_a_takeover_the_taker_signs_and_the_first_physio_cannot(
    client_for, visit, physio, other_physio
):
    services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya's list")
    with pytest.raises(host.ClinicError, match="take it over"):
        services.visit_sign(visit=visit, user=physio)
    response = client_for(physio).post(visit.get_absolute_url(), {"notes": "Priya's late notes"})
    assert response.status_code == 403
    assert "This visit is Tom Reed's" in text(response)
    client = client_for(other_physio)
    assert (
        reverse("clinic:visit_sign", args=[visit.pk])
        in client.get(visit.get_absolute_url()).content.decode()
    )
    client.post(reverse("clinic:visit_sign", args=[visit.pk]), {"confirm_missing": "yes"})
    visit.refresh_from_db()
    assert visit.is_signed and visit.signed_by == other_physio


def test_the_clinic_admin_cannot_take_a_visit_over(client_for, visit, physio, clinic_admin):
    assert take_over(client_for(clinic_admin), visit).status_code == 403
    with pytest.raises(host.NotVisitClinician):
        services.visit_take_over(visit=visit, user=clinic_admin, reason="Tidying up")
    visit.refresh_from_db()
    assert visit.practitioner == physio and not VisitTakeover.objects.exists()


def test_a_signed_visit_or_your_own_is_not_taken_over(visit, physio, other_physio):
    with pytest.raises(host.ClinicError, match="already yours"):
        services.visit_take_over(visit=visit, user=physio, reason="Mine")
    services.visit_sign(visit=visit, user=physio)
    with pytest.raises(host.SignedRecordError, match="Add an addendum"):
        services.visit_take_over(visit=visit, user=other_physio, reason="Late")
    assert not VisitTakeover.objects.exists()


def test_a_takeover_is_never_changed_or_deleted(visit, other_physio):
    takeover = services.visit_take_over(visit=visit, user=other_physio, reason="Covering")
    takeover.reason = "Something else"
    with pytest.raises(host.SignedRecordError):
        takeover.save()
    with pytest.raises(host.RecordDeletionError):
        takeover.delete()


def test_the_visits_owner_changes_only_by_a_takeover_in_the_admin_too(client, visit):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@clinic.example", "pw")
    client.force_login(root)
    page = client.get(f"/admin/clinic/visit/{visit.pk}/change/").content.decode()
    assert 'name="practitioner"' not in page


def test_an_addendum_to_another_physios_draft_says_what_to_do(client_for, visit, other_physio):
    with pytest.raises(host.ClinicError, match="Priya Shah signs this one first"):
        services.addendum_add(visit=visit, author=other_physio, text="Seen too", reason="Cover")
    response = client_for(other_physio).post(
        reverse("clinic:addendum_add", args=[visit.pk]),
        {"text": "Seen too", "reason": "Cover"},
        follow=True,
    )
    assert "Priya Shah signs this one first, or take the visit over" in text(response)
    assert not visit.addenda.exists()


def test_an_edit_after_a_takeover_shows_who_edited(client_for, visit, stretch, other_physio):
    services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya's list")
    client = client_for(other_physio)
    response = client.post(
        reverse("treatments:intervention_edit", args=[stretch.pk]), {"hold_seconds": "45"}
    )
    assert response.status_code == 302
    stretch.refresh_from_db()
    assert stretch.updated_by == other_physio and stretch.recorded_by.username == "physio"
    page = text(client.get(visit.get_absolute_url()))
    assert "Recorded by Priya Shah, edited by Tom Reed at" in page


def test_an_intervention_edited_by_its_recorder_shows_no_edit_line(client_for, visit, stretch):
    treatment_services.intervention_record(
        visit=visit,
        user=stretch.recorded_by,
        kind_code="stretching",
        params={"hold_seconds": 45},
        intervention=stretch,
    )
    page = text(client_for(stretch.recorded_by).get(visit.get_absolute_url()))
    assert "edited by" not in page


def test_a_takeover_moves_the_draft_to_the_takers_worklist(client_for, visit, other_physio):
    services.visit_take_over(visit=visit, user=other_physio, reason="Covering Priya's list")
    assert Visit.objects.drafts().filter(practitioner=other_physio).get() == visit


# --- Adverse events: anyone who saw it records it, named on the visit ------------------------


def test_a_colleague_records_an_adverse_event_on_a_draft_visit_and_is_named(
    client_for, visit, physio, other_physio, stretch
):
    """Not a write into the draft: a reaction is reported by whoever saw it, at once (the
    visit's physio may be away), so the one-clinician rule does not hold it back. The
    visit says who recorded it, as the audit log does."""
    client = client_for(other_physio)
    response = client.post(
        reverse("treatments:adverse_event_add", args=[stretch.pk]),
        {"event_type": "Dizziness", "severity": "mild", "action_taken": "Sat down, water"},
    )

    assert response.status_code == 302
    page = text(client.get(visit.get_absolute_url()))
    assert "Adverse event: mild Dizziness, recorded by Tom Reed (physio2) at" in page
    event = AdverseEvent.objects.get()
    entry = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    assert entry.actor == other_physio
    visit.refresh_from_db()
    assert visit.practitioner == physio  # still Priya's visit to write in and sign
