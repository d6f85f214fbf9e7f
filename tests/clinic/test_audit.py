import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import audit
from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from clinic import services
from clinic.models import Patient
from tests.factories import EpisodeFactory, PatientFactory, VisitFactory
from treatments import services as treatment_services

pytestmark = pytest.mark.django_db

ACCESS = LogEntry.Action.ACCESS


def _accesses():
    return LogEntry.objects.filter(action=ACCESS).order_by("pk")


def test_viewing_a_record_is_logged_with_who_and_from_where(client_for, physio, patient):
    client_for(physio).get(patient.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_id=patient.pk)
    assert entry.actor == physio
    assert entry.remote_addr == "10.1.2.3"
    assert entry.additional_data == {"patient_id": patient.pk, "page": patient.get_absolute_url()}


@pytest.fixture
def treated(physio, visit):
    """A visit with a red flag, an exercise programme and an adverse event after it."""
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"rf_trauma": "yes"}
    )
    intervention = treatment_services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="exercise_programme",
        params={"exercises": [{"name": "Bridge", "sets": 3, "reps": 10}]},
    )
    treatment_services.adverse_event_record(
        intervention=intervention,
        user=physio,
        event_type="Soreness",
        severity="mild",
        action_taken="Advice",
    )
    return intervention


# The pages the security review found unlogged: (role, url, what the entry is about).
REVIEWED_PAGES = {
    "discharge summary": (
        "clinic_admin",
        lambda i: reverse("treatments:discharge_summary", args=[i.visit.episode_id]),
        "episodeofcare",
    ),
    "exercise handout": (
        "physio",
        lambda i: reverse("treatments:exercise_handout", args=[i.pk]),
        "deliveredintervention",
    ),
    "treatment plan": (
        "physio",
        lambda i: reverse("treatments:plan_edit", args=[i.visit.episode_id]),
        "episodeofcare",
    ),
    "red-flag clearance": (
        "physio",
        lambda i: reverse(
            "assessments:red_flag_clear", args=[i.visit.episode.red_flag_alerts.get().pk]
        ),
        "redflagalert",
    ),
    "intervention edit": (
        "physio",
        lambda i: reverse("treatments:intervention_edit", args=[i.pk]),
        "deliveredintervention",
    ),
    "adverse events": ("clinic_admin", lambda i: reverse("treatments:adverse_event_list"), None),
    "outcome report episodes": (
        "clinic_admin",
        lambda i: reverse("treatments:outcome_episodes"),
        None,
    ),
    "admin visit page": (
        "clinic_admin",
        lambda i: reverse("admin:clinic_visit_change", args=[i.visit_id]),
        "visit",
    ),
    "admin episodes": (
        "clinic_admin",
        lambda i: reverse("admin:clinic_episodeofcare_changelist"),
        None,
    ),
}


@pytest.mark.parametrize("page", REVIEWED_PAGES)
def test_each_page_the_review_found_is_logged_once_under_the_patient(
    request, client_for, treated, page
):
    role, url_of, model = REVIEWED_PAGES[page]
    user = request.getfixturevalue(role)
    url = url_of(treated)
    response = client_for(user).get(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    [entry] = _accesses()
    assert (entry.actor, entry.remote_addr, entry.additional_data["page"]) == (
        user,
        "10.1.2.3",
        url,
    )
    patient_id = treated.visit.episode.patient_id
    if model:  # one record
        assert entry.content_type.model == model
        assert entry.additional_data["patient_id"] == patient_id
    else:  # a list: one entry for the page, naming its patients
        assert entry.additional_data["patient_ids"] == [patient_id]


def test_a_page_of_many_patients_is_one_entry_the_audit_page_finds_under_each(
    client_for, physio, clinic_admin, treated
):
    other = PatientFactory(given_name="Omar", family_name="Hale")
    visit = VisitFactory(episode=EpisodeFactory(patient=other, physio=physio), practitioner=physio)
    intervention = treatment_services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={}
    )
    treatment_services.adverse_event_record(
        intervention=intervention,
        user=physio,
        event_type="Dizziness",
        severity="mild",
        action_taken="Rested",
    )
    client = client_for(clinic_admin)
    client.get(reverse("treatments:adverse_event_list"))

    [entry] = _accesses()
    first = treated.visit.episode.patient
    assert entry.content_type.model == "adverseevent"
    assert entry.object_repr == "2 adverse events"
    assert sorted(entry.additional_data["patient_ids"]) == sorted([first.pk, other.pk])
    for patient in (first, other):
        page = client.get(reverse("clinic:audit_log"), {"patient": patient.identifier})
        assert entry in page.context["page"]
        # Readable on the page: which patients were shown, and where.
        shown = ", ".join(
            Patient.objects.get(pk=pk).identifier for pk in entry.additional_data["patient_ids"]
        )
        assert f"Patients shown: {shown}" in page.text
        assert f"Page {reverse('treatments:adverse_event_list')}" in page.text


def test_refused_missing_and_saved_pages_write_no_access_entry(
    client_for, physio, front_desk, visit
):
    assert client_for(front_desk).get(visit.get_absolute_url()).status_code == 403
    assert client_for(physio).get(reverse("clinic:visit_detail", args=[9999])).status_code == 404
    response = client_for(physio).post(visit.get_absolute_url(), {"notes": "Better today."})
    assert response.status_code == 302
    assert not _accesses().exists()
    # The save itself is in the log, as a change.
    assert LogEntry.objects.filter(action=LogEntry.Action.UPDATE, object_id=visit.pk).exists()


def test_the_record_page_logs_its_view_with_one_insert_and_no_other_query(
    client_for, physio, treated, monkeypatch
):
    """The cost of the log on the busiest page: one INSERT, however big the record."""
    client = client_for(physio)
    url = treated.visit.episode.patient.get_absolute_url()
    client.get(url)  # content types and sessions warmed as in a running server
    with CaptureQueriesContext(connection) as logged:
        client.get(url)
    monkeypatch.setattr(audit, "record_access", lambda *shown, page: None)
    with CaptureQueriesContext(connection) as unlogged:
        client.get(url)
    inserts = [
        query["sql"]
        for query in logged.captured_queries
        if query["sql"].startswith('INSERT INTO "auditlog_logentry"')
    ]
    assert len(inserts) == 1
    assert len(logged.captured_queries) == len(unlogged.captured_queries) + 1


def test_the_command_line_export_is_logged_as_a_view(patient, capsys):
    call_command("export_fhir", patient.identifier)
    [entry] = _accesses()
    assert entry.object_id == patient.pk
    assert entry.additional_data == {"patient_id": patient.pk, "page": "manage.py export_fhir"}


def test_reading_the_audit_log_is_logged_with_the_patients_it_showed(
    client_for, physio, clinic_admin, patient
):
    client_for(physio).get(patient.get_absolute_url())
    client_for(clinic_admin).get(reverse("clinic:audit_log"))
    entry = _accesses().last()
    assert (entry.actor, entry.content_type.model) == (clinic_admin, "logentry")
    assert entry.additional_data["patient_ids"] == [patient.pk]


def test_a_view_that_declares_clinical_content_it_cannot_show_fails_loudly(physio, visit):
    """A mistake in a declaration is an error on the first request, never a silent gap."""
    request = RequestFactory().get("/")
    request.user = physio

    @audit.shows_clinical("visit")
    def plain(request):
        return HttpResponse("a page the log cannot read")

    @audit.shows_clinical("visit")
    def misnamed(request):
        page = engines["django"].from_string("{{ the_visit }}")
        return TemplateResponse(request, page, {"the_visit": visit})

    with pytest.raises(ImproperlyConfigured, match="TemplateResponse"):
        plain(request)
    with pytest.raises(ImproperlyConfigured, match="no such context variable"):
        misnamed(request).render()


def test_changes_are_logged_with_old_and_new_values(client_for, front_desk, patient):
    data = {
        "given_name": "Janet",
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
        "phone": "",
        "email": "",
        "address": "",
        "referrer": "",
        "revision": patient.revision,  # as the form carries it
    }
    client_for(front_desk).post(reverse("clinic:patient_update", args=[patient.pk]), data)
    entry = LogEntry.objects.get_for_object(patient).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == front_desk
    assert entry.changes_dict["given_name"] == ["Jane", "Janet"]


def test_clinical_changes_are_filed_under_the_patient(physio, visit):
    services.visit_sign(visit=visit, user=physio)
    patient_id = visit.episode.patient_id
    entries = LogEntry.objects.filter(additional_data__patient_id=patient_id)
    models = {entry.content_type.model for entry in entries}
    assert {"episodeofcare", "visit"} <= models


def test_admin_browses_the_log_by_patient_and_user(client_for, clinic_admin, physio, patient):
    other = Patient.objects.create(
        given_name="Other", family_name="Person", date_of_birth="1970-01-01"
    )
    client_for(physio).get(patient.get_absolute_url())
    client_for(physio).get(other.get_absolute_url())
    client = client_for(clinic_admin)
    page = client.get(reverse("clinic:audit_log"), {"patient": patient.identifier})
    reprs = {entry.object_repr for entry in page.context["page"]}
    assert str(patient) in reprs and str(other) not in reprs
    page = client.get(reverse("clinic:audit_log"), {"user": "physio"})
    assert all(entry.actor == physio for entry in page.context["page"])


def test_log_cannot_be_changed_or_deleted_in_the_admin(client_for, clinic_admin, physio, patient):
    client_for(physio).get(patient.get_absolute_url())
    entry = LogEntry.objects.first()
    client = client_for(clinic_admin)
    response = client.post(
        reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert response.status_code in (302, 403)
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_log_page_shows_changes_of_a_model_with_an_items_field(
    client_for, clinic_admin, physio, visit
):
    # A red-flag alert has a field named `items`; the page once crashed on it.
    from assessments import services as assessment_services
    from assessments.buttock_pain import BUTTOCK_PAIN_V1

    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"rf_trauma": "yes"}
    )
    page = client_for(clinic_admin).get(reverse("clinic:audit_log"))
    assert page.status_code == 200
    assert "rf_trauma" in page.content.decode()
