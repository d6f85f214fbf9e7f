import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import host
from assessments.host import visit_sections
from clinic import services
from clinic.models import EpisodeOfCare, Visit
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def test_physio_opens_an_episode(client_for, physio, patient):
    today = timezone.localdate().isoformat()
    response = client_for(physio).post(
        reverse("clinic:episode_create", args=[patient.pk]),
        {"complaint": "Left buttock pain", "side": "left", "physio": physio.pk, "opened_on": today},
    )
    assert response.status_code == 302
    episode = EpisodeOfCare.objects.get()
    assert (episode.complaint, episode.status, episode.physio) == (
        "Left buttock pain",
        "open",
        physio,
    )


def test_episode_onset_in_the_future_is_refused(client_for, physio, patient):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client_for(physio).post(
        reverse("clinic:episode_create", args=[patient.pk]),
        {
            "complaint": "Pain",
            "side": "left",
            "physio": physio.pk,
            "opened_on": timezone.localdate().isoformat(),
            "onset_date": future,
        },
    )
    assert b"onset date cannot be in the future" in response.content
    assert not EpisodeOfCare.objects.exists()


def test_start_visit_defaults_to_initial_then_follow_up(client_for, physio, episode):
    client = client_for(physio)
    page = client.get(reverse("clinic:visit_start", args=[episode.pk]))
    assert page.context["form"].initial["kind"] == "initial"
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("clinic:visit_start", args=[episode.pk]), {"kind": "initial", "starts_at": now}
    )
    visit = Visit.objects.get()
    assert response["Location"] == visit.get_absolute_url()
    page = client.get(reverse("clinic:visit_start", args=[episode.pk]))
    assert page.context["form"].initial["kind"] == "follow_up"


def test_sign_visit_needs_confirmation_then_locks_it(client_for, physio, visit):
    client = client_for(physio)
    confirm = client.get(reverse("clinic:visit_sign", args=[visit.pk]))
    assert b"Sign this visit?" in confirm.content
    visit.refresh_from_db()
    assert visit.status == "draft"
    # Nothing is recorded in it: the page lists what is missing, and signing without it
    # needs the tick, checked by the server.
    page = confirm.content.decode()
    for missing in ("No assessment saved.", "No outcome measures recorded.", "No SOAP note."):
        assert f"<li>{missing}</li>" in page
    assert "<li>No interventions recorded.</li>" in page
    # What the step bar says is not done yet is listed as well.
    assert "<li>No working diagnosis confirmed.</li>" in page
    assert "<li>No treatment plan.</li>" in page
    refused = client.post(reverse("clinic:visit_sign", args=[visit.pk]))
    assert refused.status_code == 400
    assert "Tick that you sign without these" in refused.content.decode()
    visit.refresh_from_db()
    assert visit.status == "draft"
    client.post(reverse("clinic:visit_sign", args=[visit.pk]), {"confirm_missing": "yes"})
    visit.refresh_from_db()
    assert visit.is_signed and visit.signed_by == physio and visit.signed_at is not None
    page = client.get(visit.get_absolute_url())
    assert page.context["form"] is None
    assert b"Save notes" not in page.content


def test_signed_visit_notes_cannot_be_changed_by_post(client_for, physio, visit):
    services.visit_sign(visit=visit, user=physio)
    response = client_for(physio).post(visit.get_absolute_url(), {"notes": "rewritten"})
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.notes == ""


def test_signed_visit_cannot_be_changed_by_the_service(physio, visit):
    services.visit_sign(visit=visit, user=physio)
    with pytest.raises(host.SignedRecordError):
        services.visit_update(visit=visit, user=physio, notes="changed")


def test_only_the_treating_practitioner_signs(client_for, other_physio, visit):
    client_for(other_physio).post(reverse("clinic:visit_sign", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.status == "draft"


def test_addendum_is_shown_under_a_signed_visit(client_for, physio, visit):
    services.visit_sign(visit=visit, user=physio)
    client = client_for(physio)
    client.post(
        reverse("clinic:addendum_add", args=[visit.pk]),
        {"reason": "Late entry", "text": "Patient phoned: pain eased."},
    )
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "Patient phoned: pain eased." in page and "Late entry" in page


def test_addendum_without_reason_says_why(client_for, physio, visit):
    services.visit_sign(visit=visit, user=physio)
    response = client_for(physio).post(
        reverse("clinic:addendum_add", args=[visit.pk]), {"reason": "", "text": "x"}
    )
    assert response.status_code == 400
    assert b"This field is required" in response.content


def test_addendum_on_a_draft_is_refused(client_for, physio, visit):
    response = client_for(physio).post(
        reverse("clinic:addendum_add", args=[visit.pk]), {"reason": "r", "text": "x"}, follow=True
    )
    assert b"Addenda are for signed visits" in response.content
    assert not visit.addenda.exists()


def test_discharge_needs_drafts_signed_first(client_for, physio, visit):
    client = client_for(physio)
    data = {"reason": "goals_met", "closed_on": timezone.localdate().isoformat(), "notes": ""}
    response = client.post(reverse("clinic:episode_discharge", args=[visit.episode.pk]), data)
    assert b"Sign or finish the draft visits" in response.content
    services.visit_sign(visit=visit, user=physio)
    client.post(reverse("clinic:episode_discharge", args=[visit.episode.pk]), data)
    visit.episode.refresh_from_db()
    assert visit.episode.status == "discharged" and visit.episode.discharge_reason == "goals_met"


def test_no_visit_in_a_discharged_episode(physio, episode):
    services.episode_discharge(episode=episode, reason="goals_met")
    episode.refresh_from_db()
    with pytest.raises(host.ClinicError, match="open episode"):
        services.visit_start(episode=episode, practitioner=physio, kind="follow_up")


def test_record_page_queries_do_not_grow_with_visits(
    client_for, physio, episode, django_assert_max_num_queries
):
    client = client_for(physio)
    VisitFactory(episode=episode)
    url = episode.patient.get_absolute_url()
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    VisitFactory.create_batch(15, episode=episode)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_visit_page_offers_one_place_to_write_the_note(client_for, physio, visit):
    # The treatments app's SOAP note replaces the clinic's plain box: no second note.
    page = client_for(physio).get(visit.get_absolute_url()).content.decode()
    assert "Visit note (SOAP)" in page and "Save note<" in page
    assert "Clinical notes" not in page and "Save notes" not in page


def test_a_visit_written_in_the_plain_box_keeps_it(client_for, physio, visit):
    visit.notes = "Pain 4/10, improving."
    visit.save()
    client = client_for(physio)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "Clinical notes" in page and "Pain 4/10, improving." in page and "Save notes" in page
    services.visit_sign(visit=visit, user=physio)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "Pain 4/10, improving." in page and "Save notes" not in page


def test_without_a_note_section_the_plain_box_is_the_note(client_for, physio, visit, monkeypatch):
    monkeypatch.delitem(visit_sections._entries, "note")
    page = client_for(physio).get(visit.get_absolute_url()).content.decode()
    assert "Clinical notes" in page and "Save notes" in page
    assert "Visit note (SOAP)" not in page


def test_a_walk_in_opens_the_episode_and_starts_the_visit_in_one_step(client_for, physio, patient):
    response = client_for(physio).post(
        reverse("clinic:episode_create", args=[patient.pk]),
        {
            "complaint": "Left buttock pain",
            "side": "left",
            "physio": physio.pk,
            "opened_on": timezone.localdate().isoformat(),
            "action": "start_visit",
        },
    )
    visit = Visit.objects.get()
    assert response["Location"] == visit.get_absolute_url()
    assert (visit.episode.complaint, visit.kind, visit.practitioner) == (
        "Left buttock pain",
        "initial",
        physio,
    )


def test_a_visit_a_week_ahead_is_refused_with_the_reason(client_for, physio, episode):
    next_week = timezone.localtime() + datetime.timedelta(days=7)
    response = client_for(physio).post(
        reverse("clinic:visit_start", args=[episode.pk]),
        {"kind": "follow_up", "starts_at": next_week.strftime("%Y-%m-%dT%H:%M")},
    )
    assert "A visit cannot start more than an hour from now." in response.content.decode()
    assert not Visit.objects.exists()
