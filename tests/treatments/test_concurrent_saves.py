"""First saves at the same moment: ten physios open a visit's new SOAP note, an episode's
new plan, its consent or screen form, and save at once; or one physio's click lands
twice. One row, the others told who saved and when, never an error page. Real threads,
each with its own connection (tests/concurrency.py), through the pages, on SQLite and
PostgreSQL."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import services as clinic_services
from clinic.models import Visit
from tests.concurrency import at_once, form_value, physios
from treatments import services
from treatments.models import Consent, ContraindicationScreen, TreatmentPlan, VisitNote

PHYSIOS = 10
ALL_RISKS = ["bruising", "bleeding", "pain", "infection", "nerve_injury", "pneumothorax"]

concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _note(visit):
    url = reverse("treatments:visit_note_save", args=[visit.pk])
    return visit.get_absolute_url(), url, "revision", lambda n: {"subjective": f"Note {n}"}


def _plan(episode):
    url = reverse("treatments:plan_edit", args=[episode.pk])

    def data(n):
        return {
            "planned_interventions": ["stretching"],
            "visit_interval_days": "7",
            "planned_visits": str(n + 1),
            "goal-0-text": f"Goal {n}",
        }

    return url, url, "revision", data


def _consent(episode):
    url = reverse("treatments:consent_add", args=[episode.pk]) + "?kind=dry_needling"

    def data(n):
        return {
            "kind": "dry_needling",
            "given_on": timezone.localdate().isoformat(),
            "method": "verbal",
            "risks_discussed": ALL_RISKS,
            "right_to_withdraw_explained": "on",
            "notes": f"Consent {n}",
        }

    return url, url, "replaces", data


def _screen(episode):
    url = reverse("treatments:screen_add", args=[episode.pk])
    return url, url, "follows", lambda n: {"present": ["diabetes"], "justification": f"Why {n}"}


FORMS = {
    # what: (the form, where it is saved, what was saved, who saved it, the refusal)
    "SOAP note": (lambda v: _note(v), VisitNote, "updated_by", "saved this note at"),
    "plan": (
        lambda v: _plan(v.episode),
        TreatmentPlan,
        "updated_by",
        "saved this treatment plan at",
    ),
    "consent": (
        lambda v: _consent(v.episode),
        Consent,
        "recorded_by",
        "recorded the patient&#x27;s consent to dry needling at",
    ),
    "screen": (
        lambda v: _screen(v.episode),
        ContraindicationScreen,
        "screened_by",
        "recorded a contraindication screen at",
    ),
}


@concurrent
@pytest.mark.parametrize("what", FORMS)
def test_ten_physios_saving_a_new_record_at_once_make_one(what, visit, migrated_data_restored):
    form, model, author, refusal = FORMS[what]
    page_url, post_url, opened_with, data = form(visit)
    # Only the visit's clinician writes its note (clinic.services.check_visit_writer): ten
    # of their tabs at once. The episode's records are the team's: ten physios.
    users = [visit.practitioner] * PHYSIOS if what == "SOAP note" else physios(PHYSIOS)
    # The same page for all: nothing saved yet.
    carried = form_value(_logged_in(users[0]).get(page_url).content.decode(), opened_with)
    assert carried == "0"
    clients = [_logged_in(user) for user in users]

    outcomes = at_once(
        [
            lambda client=client, n=n: client.post(post_url, data(n) | {opened_with: carried})
            for n, client in enumerate(clients)
        ]
    )

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert not errors, errors
    (row,) = model.objects.all()
    winner = getattr(row, author)
    saved = [response for response in outcomes if response.status_code == 302]
    refused = [response for response in outcomes if response.status_code != 302]
    assert len(saved) == 1 and len(refused) == PHYSIOS - 1
    for response in refused:
        assert response.status_code in (200, 400)  # the form again, never an error page
        assert f"{winner.get_full_name()} {refusal}" in response.content.decode()


@concurrent
@pytest.mark.parametrize("what", FORMS)
def test_a_double_click_on_the_first_save_makes_one_row_and_no_error(
    what, visit, physio, migrated_data_restored
):
    form, model, _, _ = FORMS[what]
    page_url, post_url, opened_with, data = form(visit)
    carried = form_value(_logged_in(physio).get(page_url).content.decode(), opened_with)
    posted = data(1) | {opened_with: carried}
    clients = [_logged_in(physio), _logged_in(physio)]

    outcomes = at_once([lambda client=client: client.post(post_url, posted) for client in clients])

    assert [getattr(outcome, "status_code", outcome) for outcome in outcomes] == [302, 302]
    assert model.objects.count() == 1


def _plan_save(episode, user, n):
    return services.plan_save(
        episode=episode,
        user=user,
        planned_interventions=["stretching"],
        visit_interval_days=7,
        planned_visits=n + 1,
        next_review_on=None,
        notes="",
        goals=[],
        revision=services.NOT_YET_SAVED,
    )


def _note_save(visit, user, n):
    return services.visit_note_save(
        visit=visit, user=user, revision=services.NOT_YET_SAVED, subjective=f"Note {n}"
    )


def _consent_record(episode, user, n):
    return services.consent_record(
        episode=episode,
        user=user,
        intervention_kind="dry_needling",
        given_on=timezone.localdate() - datetime.timedelta(days=1),
        method="verbal",
        risks_discussed=ALL_RISKS,
        right_to_withdraw_explained=True,
        notes=f"Consent {n}",
        replaces=services.NOT_YET_SAVED,
    )


def _unlocked_visit(visit, user):
    # check_visit_writer without its lock (the rule itself holds: `user` is the clinician).
    return Visit.objects.select_related("episode").get(pk=visit.pk)


@concurrent
@pytest.mark.parametrize(
    ("save", "parent", "lock", "model"),
    [
        (_plan_save, "episode", (services, "_lock_episode", lambda row: row), TreatmentPlan),
        (_note_save, "visit", (clinic_services, "check_visit_writer", _unlocked_visit), VisitNote),
        (_consent_record, "episode", (services, "_lock_episode", lambda row: row), Consent),
    ],
)
def test_the_database_refusal_is_told_like_a_clash_when_the_lock_is_bypassed(
    save, parent, lock, model, visit, monkeypatch, migrated_data_restored
):
    """The parent's row lock serialises first saves; should a writer not take it, the
    one-per constraint refuses the second insert and the physio is told who saved, as for
    any later clash, never a 500."""
    monkeypatch.setattr(*lock)
    target = visit if parent == "visit" else visit.episode
    users = [visit.practitioner] * PHYSIOS if parent == "visit" else physios(PHYSIOS)

    outcomes = at_once(
        [lambda user=user, n=n: save(target, user, n) for n, user in enumerate(users)]
    )

    saved = [outcome for outcome in outcomes if isinstance(outcome, model)]
    refused = [outcome for outcome in outcomes if not isinstance(outcome, model)]
    assert len(saved) == 1
    assert all(isinstance(outcome, services.StaleRecord) for outcome in refused), refused
    assert model.objects.count() == 1
