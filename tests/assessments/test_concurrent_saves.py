"""First saves at the same moment: a visit's new assessment saved at once from ten tabs
of its clinician, or by the clinician and colleagues, or one physio's Save landing twice.
One row, never an error page. Real threads, each with its own connection (tests/concurrency.py),
through the pages as a browser uses them, on SQLite and PostgreSQL."""

import pytest
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.models import Assessment, RedFlagAlert, WorkingDiagnosis
from clinic import services as clinic_services
from clinic.models import Visit
from tests.assessments.test_assessment_pages import EXAMPLE_1, edit_url
from tests.concurrency import at_once, form_value, physios
from tests.factories import VisitFactory

PHYSIOS = 10

concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _opened(visit, users) -> list[tuple[Client, str]]:
    """Each physio's browser with the new assessment open, and the revision it carries
    (the same page for all: no assessment yet)."""
    page = _logged_in(users[0]).get(edit_url(visit)).content.decode()
    return [(_logged_in(user), form_value(page, "revision")) for user in users]


def _post(client: Client, action: str, visit, data: dict):
    if action == "autosave":
        url = reverse("assessments:assessment_autosave", args=[visit.pk, BUTTOCK_PAIN_V1.code])
        return client.post(url, data, HTTP_HX_REQUEST="true")
    return client.post(edit_url(visit), data | {"action": action})


def _kept(action: str, response) -> bool:
    if action == "autosave":
        return "Draft kept at" in response.content.decode()
    return response.status_code == 302


@concurrent
@pytest.mark.parametrize("action", ["save", "draft", "autosave"])
def test_ten_first_saves_of_the_clinician_at_once_make_one_assessment(
    action, visit, migrated_data_restored
):
    """Ten of the physio's tabs (or a Save, an autosave and a double click) all carrying
    "no assessment yet": one row, each save in turn, no error page. Their own earlier save
    is not a clash (as for an autosave landing before Save)."""
    opened = _opened(visit, [visit.practitioner] * PHYSIOS)
    assert {revision for _, revision in opened} == {"0"}  # "no assessment yet"

    outcomes = at_once(
        [
            lambda client=client, revision=revision, n=n: _post(
                client, action, visit, EXAMPLE_1 | {"nprs__nprs": str(n), "revision": revision}
            )
            for n, (client, revision) in enumerate(opened)
        ]
    )

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert not errors, errors
    assert all(_kept(action, response) for response in outcomes)
    assessment = Assessment.objects.get()
    assert assessment.revision == PHYSIOS  # every save counted, one after another


@concurrent
@pytest.mark.parametrize("action", ["save", "draft", "autosave"])
def test_ten_physios_saving_a_new_assessment_at_once_make_one(
    action, visit, migrated_data_restored
):
    """The clinician and nine colleagues at once: one row, the clinician's; the others are
    told whose visit it is (clinic.services.check_visit_writer), never an error page."""
    users = [visit.practitioner, *physios(PHYSIOS - 1)]
    opened = _opened(visit, users)

    outcomes = at_once(
        [
            lambda client=client, revision=revision, n=n: _post(
                client, action, visit, EXAMPLE_1 | {"nprs__nprs": str(n), "revision": revision}
            )
            for n, (client, revision) in enumerate(opened)
        ]
    )

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert not errors, errors
    assert _kept(action, outcomes[0])
    for response in outcomes[1:]:
        assert not _kept(action, response)
        assert response.status_code in (200, 403)  # the form again, never an error page
        assert "This visit is Priya Shah&#x27;s" in response.content.decode()
    assessment = Assessment.objects.select_related("updated_by").get()
    assert assessment.updated_by == visit.practitioner


@concurrent
def test_one_physios_save_landing_twice_at_once_is_one_assessment(
    visit, physio, migrated_data_restored
):
    """A double click on the first Save: both requests carry "no assessment yet"; the
    physio's own first save is not a clash with their second."""
    page = _logged_in(physio).get(edit_url(visit)).content.decode()
    data = EXAMPLE_1 | {"action": "save", "revision": form_value(page, "revision")}
    clients = [_logged_in(physio), _logged_in(physio)]

    outcomes = at_once(
        [lambda client=client: client.post(edit_url(visit), data) for client in clients]
    )

    assert [getattr(outcome, "status_code", outcome) for outcome in outcomes] == [302, 302]
    assert Assessment.objects.get().answers["nprs"] == {"nprs": 6}


@concurrent
def test_ten_working_diagnoses_confirmed_at_once_keep_one_row_per_source(
    episode, migrated_data_restored
):
    users = physios(PHYSIOS)
    url = reverse("assessments:working_diagnosis_confirm", args=[episode.pk])
    choices = [
        ["proximal_hamstring_tendinopathy", "ischiogluteal_bursitis"],
        ["ischiogluteal_bursitis", "piriformis"],
    ]
    clients = [_logged_in(user) for user in users]

    outcomes = at_once(
        [
            lambda client=client, n=n: client.post(
                url, {"source": choices[n % 2], "main": choices[n % 2][0]}
            )
            for n, client in enumerate(clients)
        ]
    )

    assert [getattr(outcome, "status_code", outcome) for outcome in outcomes] == [302] * PHYSIOS
    rows = list(WorkingDiagnosis.objects.order_by("source_code"))
    assert [row.source_code for row in rows] == [
        "ischiogluteal_bursitis",
        "piriformis",
        "proximal_hamstring_tendinopathy",
    ]
    # Whoever confirmed last decided: their two sources stand, the third is withdrawn;
    # one main diagnosis, theirs.
    assert sum(row.withdrawn_at is None for row in rows) == 2
    current = [row for row in rows if row.withdrawn_at is None]
    assert [row.source_code for row in current if row.is_main] == [
        choice[0] for choice in choices if {row.source_code for row in current} == set(choice)
    ]


@concurrent
@pytest.mark.parametrize("save", [services.assessment_save, services.assessment_save_draft])
def test_the_database_refusal_is_told_like_a_clash_when_the_lock_is_bypassed(
    save, visit, monkeypatch, migrated_data_restored
):
    """The visit's row lock serialises first saves; should a writer not take it, the
    one-per-visit constraint refuses the second insert and the physio is told who saved,
    as for any later clash, never a 500."""
    # check_visit_writer without its lock (the rule itself holds: one clinician).
    monkeypatch.setattr(
        clinic_services,
        "check_visit_writer",
        lambda visit, user: Visit.objects.select_related("episode").get(pk=visit.pk),
    )
    users = [visit.practitioner] * PHYSIOS
    content = (
        {"answers": {"nprs": {"nprs": 4}}}
        if save is services.assessment_save
        else {"form_data": {"nprs__nprs": ["4"]}}
    )

    outcomes = at_once(
        [
            lambda user=user: save(
                visit=visit, template=BUTTOCK_PAIN_V1, user=user, revision=0, **content
            )
            for user in users
        ]
    )

    # The clinician's own saves one after another are not clashes (SQLite's write
    # transaction serialises them even without the lock); an insert the database refuses
    # is told as one (PostgreSQL).
    saved = [outcome for outcome in outcomes if isinstance(outcome, Assessment)]
    refused = [outcome for outcome in outcomes if not isinstance(outcome, Assessment)]
    assert saved
    assert all(isinstance(outcome, services.StaleRevision) for outcome in refused), refused
    assert Assessment.objects.count() == 1


@concurrent
def test_a_red_flag_found_in_two_visits_at_once_is_raised_once(
    episode, physio, migrated_data_restored
):
    """Two visits of the episode saved at the same moment, both screening cauda equina
    positive: one open alert, as when they are saved in turn."""
    visits = [VisitFactory(episode=episode, practitioner=physio) for _ in range(PHYSIOS)]
    answers = {"rf_saddle_anaesthesia": "yes", "low_back_pain": "yes"}

    outcomes = at_once(
        [
            lambda visit=visit: services.assessment_save(
                visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers=answers
            )
            for visit in visits
        ]
    )

    assert all(isinstance(outcome, Assessment) for outcome in outcomes), outcomes
    assert list(RedFlagAlert.objects.values_list("outcome", flat=True)) == ["cauda_equina"]
