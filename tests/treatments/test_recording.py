import datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from clinic import services as clinic_services
from treatments import services
from treatments.kinds import defaults, kinds
from treatments.models import AdverseEvent, Consent, DeliveredIntervention

pytestmark = pytest.mark.django_db

ALL_RISKS = ["bruising", "bleeding", "pain", "infection", "nerve_injury", "pneumothorax"]


def add_url(visit, kind):
    return reverse("treatments:intervention_add", args=[visit.pk, kind])


def consent(episode, physio, kind, **extra):
    given = {
        "given_on": timezone.localdate(),
        "method": "verbal",
        "risks_discussed": [code for code, _ in kinds.get(kind).consent_terms.risks],
        "right_to_withdraw_explained": True,
    }
    return services.consent_record(
        episode=episode, user=physio, intervention_kind=kind, **(given | extra)
    )


def test_soft_tissue_release_is_recorded_with_its_parameters(client_for, physio, visit):
    client = client_for(physio)
    page = client.get(add_url(visit, "soft_tissue_therapy"))
    assert page.context["form"].initial["minutes"] == 10  # sensible default, editable
    response = client.post(
        add_url(visit, "soft_tissue_therapy"),
        {"technique": "soft_tissue_release", "region": "piriformis", "minutes": "12"},
    )
    assert response.status_code == 302
    row = DeliveredIntervention.objects.get()
    assert row.params == {"technique": "soft_tissue_release", "region": "piriformis", "minutes": 12}
    visit_page = client.get(visit.get_absolute_url()).content.decode()
    assert "Soft tissue release" in visit_page and "12 min" in visit_page


def test_out_of_range_value_names_the_field_and_range(client_for, physio, visit):
    response = client_for(physio).post(
        add_url(visit, "stretching"), {"muscle": "piriformis", "hold_seconds": "500"}
    )
    assert response.status_code == 200
    assert "Hold (s) must be between 5 and 120." in response.content.decode()
    assert not DeliveredIntervention.objects.exists()


def test_exercise_programme_rows_and_printable_handout(client_for, physio, visit):
    client = client_for(physio)
    response = client.post(
        add_url(visit, "exercise_programme"),
        {
            "exercises-0-name": "Bridge",
            "exercises-0-sets": "3",
            "exercises-0-reps": "10",
            "exercises-0-setting": "home",
            "exercises-0-frequency": "daily",
            "exercises-1-name": "Clam",
            "exercises-1-sets": "2",
            "exercises-1-reps": "15",
        },
    )
    assert response.status_code == 302
    row = DeliveredIntervention.objects.get()
    assert [e["name"] for e in row.params["exercises"]] == ["Bridge", "Clam"]
    handout = client.get(reverse("treatments:exercise_handout", args=[row.pk])).content.decode()
    assert "Bridge" in handout and "Clam" in handout and "treatments/print.css" in handout


def test_exercise_row_error_names_the_row(client_for, physio, visit):
    response = client_for(physio).post(
        add_url(visit, "exercise_programme"),
        {
            "exercises-0-name": "Bridge",
            "exercises-0-sets": "3",
            "exercises-1-name": "Clam",
            "exercises-1-sets": "50",
        },
    )
    assert "Exercise 2: sets must be between 1 and 20." in response.content.decode()


def test_dry_needling_is_stopped_without_consent_then_allowed(client_for, physio, screened_visit):
    visit = screened_visit
    client = client_for(physio)
    data = {"muscle": "gluteus_medius", "side": "right", "needles": "2"}
    response = client.post(add_url(visit, "dry_needling"), data)
    assert response.status_code == 200
    assert "recorded consent for this episode" in response.content.decode()
    consent(visit.episode, physio, "dry_needling")
    response = client.post(add_url(visit, "dry_needling"), data)
    assert "needs a contraindication screen" in response.content.decode()
    services.screen_record(episode=visit.episode, user=physio, present=[])
    assert client.post(add_url(visit, "dry_needling"), data).status_code == 302
    assert DeliveredIntervention.objects.filter(kind="dry_needling").exists()


@pytest.mark.parametrize(
    "present",
    [["needle_phobia_or_refusal"], ["local_infection_or_skin_lesion"], ["lymphoedema_of_limb"]],
)
def test_blocking_contraindications_block_dry_needling(physio, screened_visit, present):
    consent(screened_visit.episode, physio, "dry_needling")
    services.screen_record(episode=screened_visit.episode, user=physio, present=present)
    with pytest.raises(services.SafetyError, match="contraindicated"):
        services.intervention_record(
            visit=screened_visit, user=physio, kind_code="dry_needling", params={}
        )


def test_cautions_need_a_clinical_justification(physio, screened_visit):
    consent(screened_visit.episode, physio, "dry_needling")
    with pytest.raises(services.TreatmentError, match="justification"):
        services.screen_record(episode=screened_visit.episode, user=physio, present=["diabetes"])
    services.screen_record(
        episode=screened_visit.episode,
        user=physio,
        present=["diabetes"],
        justification="Well controlled; skin intact; clean technique.",
    )
    services.intervention_record(
        visit=screened_visit, user=physio, kind_code="dry_needling", params={}
    )


def test_dry_needling_consent_needs_every_risk_discussed(physio, episode):
    with pytest.raises(services.TreatmentError, match="pneumothorax"):
        services.consent_record(
            episode=episode,
            user=physio,
            intervention_kind="dry_needling",
            given_on=timezone.localdate(),
            method="written",
            risks_discussed=ALL_RISKS[:-1],
            right_to_withdraw_explained=True,
        )
    with pytest.raises(services.TreatmentError, match="right to withdraw"):
        services.consent_record(
            episode=episode,
            user=physio,
            intervention_kind="dry_needling",
            given_on=timezone.localdate(),
            method="written",
            risks_discussed=ALL_RISKS,
            right_to_withdraw_explained=False,
        )
    with pytest.raises(services.TreatmentError, match="future"):
        services.consent_record(
            episode=episode,
            user=physio,
            intervention_kind="spinal_manipulation",
            given_on=timezone.localdate() + datetime.timedelta(days=1),
            method="verbal",
            risks_discussed=[],
            right_to_withdraw_explained=True,
        )


@pytest.mark.parametrize("kind", ["spinal_mobilization", "spinal_manipulation"])
def test_manual_therapy_needs_consent_and_a_clear_red_flag_screen(physio, visit, kind):
    params = defaults(kind) | {"level": "l4_l5"}
    consent(visit.episode, physio, kind)
    with pytest.raises(services.SafetyError, match="red-flag screen"):
        services.intervention_record(visit=visit, user=physio, kind_code=kind, params=params)
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"rf_trauma": "yes"}
    )
    with pytest.raises(services.SafetyError, match="red flag"):
        services.intervention_record(visit=visit, user=physio, kind_code=kind, params=params)
    alert = visit.episode.red_flag_alerts.get()
    assessment_services.red_flag_clear(alert=alert, user=physio, reason="X-ray: no fracture.")
    services.intervention_record(visit=visit, user=physio, kind_code=kind, params=params)


def test_mobilization_without_consent_is_refused(physio, screened_visit):
    with pytest.raises(services.SafetyError, match="consent"):
        services.intervention_record(
            visit=screened_visit, user=physio, kind_code="spinal_mobilization", params={}
        )


def test_suggested_interventions_come_first(client_for, physio, screened_visit):
    assessment_services.working_diagnosis_confirm(
        episode=screened_visit.episode, user=physio, source_codes=["lumbar_referred"]
    )
    page = client_for(physio).get(screened_visit.get_absolute_url())
    section = next(s for s in page.context["sections"] if s["section"].key == "treatment")
    assert [kind.code for kind in section["context"]["suggested"]] == [
        "spinal_mobilization",
        "spinal_manipulation",
        "core_stability",
        "exercise_programme",
    ]


def test_signed_visit_interventions_are_read_only(client_for, physio, visit):
    client = client_for(physio)
    client.post(add_url(visit, "stretching"), {"muscle": "piriformis", "hold_seconds": "30"})
    row = DeliveredIntervention.objects.get()
    clinic_services.visit_sign(visit=visit, user=physio)
    with pytest.raises(services.TreatmentError, match="signed"):
        services.intervention_record(
            visit=visit, user=physio, kind_code="stretching", params={}, intervention=row
        )
    with pytest.raises(services.TreatmentError, match="signed"):
        services.intervention_remove(intervention=row, user=physio)
    client.post(reverse("treatments:intervention_edit", args=[row.pk]), {"muscle": "hamstrings"})
    row.refresh_from_db()
    assert row.params["muscle"] == "piriformis"
    page = client.get(visit.get_absolute_url()).content.decode()
    assert reverse("treatments:intervention_edit", args=[row.pk]) not in page


def test_remove_asks_first_and_keeps_the_row(client_for, physio, visit):
    client = client_for(physio)
    client.post(add_url(visit, "stretching"), {"muscle": "piriformis"})
    row = DeliveredIntervention.objects.get()
    url = reverse("treatments:intervention_remove", args=[row.pk])
    assert b"Remove stretching from this visit?" in client.get(url).content
    client.post(url)
    row.refresh_from_db()
    assert row.removed_at is not None
    assert (
        "Stretching"
        not in client.get(visit.get_absolute_url())
        .content.decode()
        .split("Treatment given")[1]
        .split("Record an intervention")[0]
    )


def test_adverse_events_are_listed_for_the_clinic_admin(
    client_for, physio, clinic_admin, front_desk, visit
):
    row = services.intervention_record(visit=visit, user=physio, kind_code="stretching", params={})
    client_for(physio).post(
        reverse("treatments:adverse_event_add", args=[row.pk]),
        {"event_type": "Dizziness", "severity": "mild", "action_taken": "Rested 10 minutes."},
    )
    assert AdverseEvent.objects.get().event_type == "Dizziness"
    page = client_for(clinic_admin).get(reverse("treatments:adverse_event_list"))
    assert b"Dizziness" in page.content
    assert client_for(front_desk).get(reverse("treatments:adverse_event_list")).status_code == 403


def test_front_desk_cannot_record_treatment(client_for, front_desk, visit):
    assert client_for(front_desk).get(add_url(visit, "stretching")).status_code == 403
    assert not Consent.objects.exists()


def test_visit_page_names_the_consents_in_words(client_for, physio, visit):
    consent(visit.episode, physio, "dry_needling")
    page = client_for(physio).get(visit.get_absolute_url()).content.decode()
    assert "Dry needling <span" in page and "Spinal manipulation <span" in page


def test_consent_form_offers_today_in_a_date_field_the_browser_shows(client_for, physio, episode):
    page = client_for(physio).get(reverse("treatments:consent_add", args=[episode.pk]))
    assert f'value="{timezone.localdate().isoformat()}"' in page.content.decode()


# --- The exercise rows: a post without them leaves them alone ----------------------------


@pytest.fixture
def programme(visit, physio):
    return services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="exercise_programme",
        params={"exercises": [{"name": "Bridge", "sets": 3, "reps": 10}]},
        notes="Start gently",
    )


def edit_url(intervention):
    return reverse("treatments:intervention_edit", args=[intervention.pk])


def test_a_post_without_the_exercise_rows_keeps_them(client_for, physio, programme):
    # An older page, a script, a form without that block: nothing about the exercises.
    response = client_for(physio).post(edit_url(programme), {"notes": "Progressed well"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.notes == "Progressed well"
    assert programme.params["exercises"] == [{"name": "Bridge", "sets": 3, "reps": 10}]


def test_the_form_with_its_rows_emptied_removes_them(client_for, physio, programme):
    client = client_for(physio)
    form = client.get(edit_url(programme)).context["form"]
    assert "exercise_block" in form.fields
    emptied = {name: "" for name in form.fields if name.startswith("exercises-")}
    response = client.post(edit_url(programme), emptied | {"exercise_block": "shown"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert "exercises" not in programme.params


def test_the_form_with_its_rows_taken_out_removes_them(client_for, physio, programme):
    # The block was shown (its marker is posted) but every row was taken off the page.
    client_for(physio).post(edit_url(programme), {"exercise_block": "shown"})
    programme.refresh_from_db()
    assert "exercises" not in programme.params


def test_the_form_with_a_row_changed_saves_the_rows_it_carries(client_for, physio, programme):
    client_for(physio).post(
        edit_url(programme),
        {
            "exercise_block": "shown",
            "exercises-0-name": "Side plank",
            "exercises-0-sets": "2",
            "exercises-1-name": "",
        },
    )
    programme.refresh_from_db()
    assert programme.params["exercises"] == [{"name": "Side plank", "sets": 2}]


def test_the_page_sends_the_marker_inside_the_exercise_block(client_for, physio, programme):
    page = client_for(physio).get(edit_url(programme)).content.decode()
    block = page[page.index('<h2 class="h5 mt-3">Exercises</h2>') :]
    assert 'name="exercise_block"' in block[: block.index("</table>")]


def test_the_service_keeps_saved_params_it_is_told_were_not_sent(physio, visit, programme):
    services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="exercise_programme",
        params={},
        intervention=programme,
        keep_saved=["exercises"],
    )
    programme.refresh_from_db()
    assert programme.params["exercises"][0]["name"] == "Bridge"
    services.intervention_record(
        visit=visit, user=physio, kind_code="exercise_programme", params={}, intervention=programme
    )
    programme.refresh_from_db()
    assert "exercises" not in programme.params


def test_recording_consent_again_replaces_the_one_in_force_and_keeps_it(
    physio, other_physio, episode
):
    first = consent(episode, physio, "dry_needling")
    second = consent(episode, other_physio, "dry_needling", notes="Re-consented after a break")
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    assert services.active_consent(episode, "dry_needling") == second
    # Another kind's consent is its own.
    manipulation = consent(episode, physio, "spinal_manipulation")
    assert services.active_consent(episode, "spinal_manipulation") == manipulation


def test_the_database_keeps_one_consent_in_force_per_episode_and_kind(physio, episode):
    first = consent(episode, physio, "dry_needling")
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            episode=episode,
            intervention_kind="dry_needling",
            given_on=first.given_on,
            method="verbal",
            right_to_withdraw_explained=True,
            recorded_by=physio,
        )
    first.withdrawn_on = timezone.localdate()
    first.save()
    consent(episode, physio, "dry_needling")  # once withdrawn, a new one may be recorded


def test_a_consent_form_opened_before_another_was_recorded_is_refused(
    physio, other_physio, episode
):
    consent(episode, other_physio, "dry_needling")
    with pytest.raises(services.StaleRecord, match="Tom Reed recorded the patient's consent"):
        consent(episode, physio, "dry_needling", method="written", replaces=services.NOT_YET_SAVED)
    assert Consent.objects.count() == 1


def test_the_consent_form_says_a_consent_is_already_in_force(client_for, physio, episode):
    consent(episode, physio, "dry_needling")
    page = client_for(physio).get(
        reverse("treatments:consent_add", args=[episode.pk]) + "?kind=dry_needling"
    )
    assert "Consent to dry needling is already recorded for this episode" in page.content.decode()


def test_the_upgrade_keeps_in_force_the_consent_the_app_already_read(physio, episode):
    """Migration 0006: before it, recording consent again added a row and the app read the
    latest (by the day given) as the one in force; the others become superseded."""
    with connection.cursor() as cursor:  # the clinic as it was, before the constraint
        cursor.execute("DROP INDEX one_active_consent_per_episode_kind")
    today = timezone.localdate()
    rows = {
        name: Consent.objects.create(
            episode=episode,
            intervention_kind="dry_needling",
            given_on=today - datetime.timedelta(days=days),
            method="verbal",
            right_to_withdraw_explained=True,
            recorded_by=physio,
            withdrawn_on=today if name == "withdrawn" else None,
        )
        for name, days in [("latest", 1), ("earlier", 5), ("withdrawn", 0)]
    }
    import_module(
        "treatments.migrations.0006_plan_revision_one_active_consent"
    ).supersede_all_but_the_latest(apps, None)
    for row in rows.values():
        row.refresh_from_db()
    assert rows["latest"].superseded_at is None
    assert rows["earlier"].superseded_at is not None
    assert rows["withdrawn"].superseded_at is None  # withdrawn, and stays so
