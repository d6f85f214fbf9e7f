"""Names and the other one-line fields refuse a line break (CR, LF or any other that
str.splitlines() knows) with a message, on every path: the pages, the Django admin and
services called by other code (issue 10, part 7)."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from assessments import host
from assessments.text import SINGLE_LINE_MESSAGE, single_line
from clinic import services as clinic_services
from clinic.models import (
    Addendum,
    ContactAttempt,
    EpisodeOfCare,
    LaterAddition,
    Patient,
    VisitTakeover,
)
from clinic.roles import PHYSIOTHERAPIST
from tests.factories import PatientFactory, UserFactory
from treatments import services as treatment_services
from treatments.kinds import ParamError
from treatments.models import AdverseEvent, DeliveredIntervention

pytestmark = pytest.mark.django_db

BREAKS = ["Jane\r\nDoe", "Jane\nDoe", "Jane\rDoe"]


def _patient_form(**fields) -> dict:
    return {
        "given_name": "Ann",
        "family_name": "Line",
        "date_of_birth": "1970-01-01",
        "sex": "female",
        **fields,
    }


@pytest.mark.parametrize("name", BREAKS, ids=["CRLF", "LF", "CR"])
@pytest.mark.parametrize("field", ["given_name", "family_name", "referrer"])
def test_a_line_break_in_a_patient_s_name_or_referrer_is_refused(
    client_for, front_desk, field, name
):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"), _patient_form(**{field: name})
    )

    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.text
    assert not Patient.objects.exists()


def test_a_line_break_at_either_end_is_trimmed_like_any_space(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"), _patient_form(given_name="Ann\r\n")
    )

    assert response.status_code == 302
    assert Patient.objects.get().given_name == "Ann"


def test_other_code_gets_the_rule_as_a_clinic_error(physio):
    with pytest.raises(host.ClinicError, match="one line"):
        clinic_services.patient_create(
            user=physio,
            given_name="Jane\nDoe",
            family_name="Line",
            date_of_birth=datetime.date(1970, 1, 1),
        )
    assert not Patient.objects.exists()


def test_a_complaint_on_two_lines_is_refused(client_for, physio, patient):
    response = client_for(physio).post(
        reverse("clinic:episode_create", args=[patient.pk]),
        {"complaint": "Right buttock\npain", "side": "right", "physio": physio.pk},
    )

    assert SINGLE_LINE_MESSAGE in response.text
    assert not EpisodeOfCare.objects.exists()


def test_a_user_s_names_refuse_line_breaks_in_the_admin(client_for, clinic_admin):
    user = UserFactory(username="helper")
    user.groups.add(Group.objects.get(name=PHYSIOTHERAPIST))

    response = client_for(clinic_admin).post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": user.username,
            "first_name": "Ada\r\nX-Injected: yes",
            "last_name": "Okafor\nSmith",
            "email": user.email,
            "is_active": "on",
            "groups": [Group.objects.get(name=PHYSIOTHERAPIST).pk],
            "date_joined_0": "2025-01-01",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 200
    assert response.text.count(SINGLE_LINE_MESSAGE) == 2
    user.refresh_from_db()
    assert "\n" not in user.first_name + user.last_name


def test_a_patient_s_name_refuses_line_breaks_in_the_admin(client_for, clinic_admin, patient):
    response = client_for(clinic_admin).post(
        reverse("admin:clinic_patient_change", args=[patient.pk]),
        {
            "given_name": "Jane\nDoe",
            "family_name": patient.family_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "sex": "female",
        },
    )

    assert SINGLE_LINE_MESSAGE in response.text
    patient.refresh_from_db()
    assert patient.given_name == "Jane"


def test_one_line_reasons_and_event_types_refuse_line_breaks(client_for, physio, visit):
    client = client_for(physio)
    intervention = DeliveredIntervention.objects.create(
        visit=visit, kind="stretching", recorded_by=physio
    )
    clinic_services.visit_sign(visit=visit, user=physio)
    response = client.post(
        reverse("clinic:addendum_add", args=[visit.pk]),
        {"reason": "Late\nentry", "text": "Two\nlines are fine here."},
    )
    assert SINGLE_LINE_MESSAGE in response.text
    assert not Addendum.objects.exists()

    response = client.post(
        reverse("treatments:adverse_event_add", args=[intervention.pk]),
        {"event_type": "Soreness\r\nBruising", "severity": "mild", "action_taken": "Ice"},
    )
    assert SINGLE_LINE_MESSAGE in response.text
    assert not AdverseEvent.objects.exists()
    with pytest.raises(treatment_services.TreatmentError, match="one line"):
        treatment_services.adverse_event_record(
            intervention=intervention,
            user=physio,
            event_type="Soreness\nBruising",
            severity="mild",
            action_taken="Ice",
        )


def test_a_text_parameter_refuses_line_breaks_on_every_path(client_for, physio, visit):
    url = reverse("treatments:intervention_add", args=[visit.pk, "electrotherapy"])
    response = client_for(physio).post(url, {"modality": "tens", "site": "Left\nbuttock"})
    assert SINGLE_LINE_MESSAGE in response.text
    with pytest.raises(ParamError, match="name: keep it to one line"):
        treatment_services.intervention_record(
            visit=visit,
            user=physio,
            kind_code="exercise_programme",
            params={"exercises": [{"name": "Bridge\r\n=cmd"}]},
        )
    assert not DeliveredIntervention.objects.exists()


def test_every_one_line_field_of_the_models_carries_the_rule():
    """A CharField holds one line (a TextField is for more): none may go without the
    validator, so a new field cannot forget it. Fields with choices hold codes."""
    missing = [
        f"{model._meta.label}.{field.name}"
        for app in ("clinic", "assessments", "treatments")
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField)
        and not field.choices
        and single_line not in field.validators
    ]
    assert missing == []


def test_a_call_note_on_two_lines_is_refused_with_the_rule(client_for, front_desk, physio):
    episode = EpisodeOfCare.objects.create(
        patient=PatientFactory(), physio=physio, complaint="Hip pain", follow_up_interval_days=7
    )

    response = client_for(front_desk).post(
        reverse("clinic:contact_attempt_add"),
        {"episode": episode.pk, "outcome": "left_message", "note": "Call back\nafter 5"},
        follow=True,
    )

    assert SINGLE_LINE_MESSAGE in response.text
    assert not ContactAttempt.objects.exists()


# --- Reasons given for a takeover or a change after discharge ------------------------------


def test_a_takeover_reason_on_two_lines_is_refused_on_the_page(client_for, visit, other_physio):
    response = client_for(other_physio).post(
        reverse("clinic:visit_take_over", args=[visit.pk]),
        {"reason": "Priya is off sick\nI saw the patient"},
    )

    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.text
    assert 'type="text" name="reason"' in response.text
    assert not VisitTakeover.objects.exists()


def test_other_code_gets_a_takeover_reason_on_two_lines_as_a_clinic_error(visit, other_physio):
    with pytest.raises(host.ClinicError, match="one line"):
        clinic_services.visit_take_over(
            visit=visit, user=other_physio, reason="Priya is off sick\r\nI saw the patient"
        )
    assert not VisitTakeover.objects.exists()


@pytest.fixture
def discharged(episode, visit, physio):
    clinic_services.visit_sign(visit=visit, user=physio)
    return clinic_services.episode_discharge(episode=episode, reason="goals_met")


def _after_discharge_posts(episode) -> dict[str, tuple[str, dict]]:
    today = datetime.date.today()
    return {
        "working diagnosis": (
            reverse("assessments:working_diagnosis_confirm", args=[episode.pk]),
            {"source": ["piriformis"]},
        ),
        "plan": (
            reverse("treatments:plan_edit", args=[episode.pk]),
            {"visit_interval_days": "7", "planned_visits": "4"},
        ),
        "consent": (
            reverse("treatments:consent_add", args=[episode.pk]) + "?kind=spinal_manipulation",
            {
                "given_on": today.isoformat(),
                "method": "verbal",
                "right_to_withdraw_explained": "on",
            },
        ),
    }


@pytest.mark.parametrize("page", ["working diagnosis", "plan", "consent"])
def test_a_reason_for_a_change_after_discharge_on_two_lines_is_refused(
    client_for, physio, discharged, page
):
    url, form = _after_discharge_posts(discharged)[page]

    response = client_for(physio).post(url, form | {"reason": "Consultant's letter\nof 12 Jan"})

    assert response.status_code in (200, 400)
    assert SINGLE_LINE_MESSAGE in response.text
    assert 'type="text" name="reason"' in response.text
    assert not LaterAddition.objects.exists()


def test_other_code_gets_an_after_discharge_reason_on_two_lines_as_a_clinic_error(
    physio, discharged
):
    with pytest.raises(host.ClinicError, match="one line"):
        clinic_services.later_addition_record(
            episode=discharged,
            user=physio,
            what="Treatment plan",
            change="Every 7 days.",
            reason="Visits were\nmiscounted",
        )
    assert not LaterAddition.objects.exists()


# --- Every kind of line break ----------------------------------------------------------------

# What str.splitlines() breaks on besides CR and LF: a text editor, a browser or a CSV
# reader may show any of them as a new line.
UNICODE_BREAKS = {
    "VT": "\x0b",
    "FF": "\x0c",
    "FS": "\x1c",
    "GS": "\x1d",
    "RS": "\x1e",
    "NEL": "\x85",
    "LINE SEPARATOR": "\u2028",
    "PARAGRAPH SEPARATOR": "\u2029",
}


def test_the_rule_refuses_every_line_break_python_knows():
    breaks = {chr(code) for code in range(0x110000) if len(f"a{chr(code)}b".splitlines()) > 1}
    refused = set()
    for mark in breaks:
        try:
            single_line(f"Jane{mark}Doe")
        except ValidationError:
            refused.add(mark)
    assert refused == breaks
    single_line("Jane Doe\tO'Brien-Smith, née Müller")  # one line, whatever its letters


@pytest.mark.parametrize("mark", UNICODE_BREAKS.values(), ids=UNICODE_BREAKS.keys())
def test_a_unicode_line_break_in_a_name_is_refused_on_the_page(client_for, front_desk, mark):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"), _patient_form(family_name=f"Line{mark}Doe")
    )

    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.text
    assert not Patient.objects.exists()


def test_a_unicode_line_break_in_a_text_parameter_is_refused(physio, visit):
    with pytest.raises(ParamError, match="keep it to one line"):
        treatment_services.intervention_record(
            visit=visit,
            user=physio,
            kind_code="exercise_programme",
            params={"exercises": [{"name": "Bridge\u2028=cmd"}]},
        )
    assert not DeliveredIntervention.objects.exists()
