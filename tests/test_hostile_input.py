"""Random and hostile values posted to every form: the answer is always a page with a
clear error or a success, never a server error, and a refused post changes nothing."""

import datetime

import pytest
from django import forms as django_forms
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from assessments.text import single_line
from clinic import scheduling
from treatments import services as treatment_services
from treatments.kinds import kinds

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    "'; DROP TABLE clinic_patient; --",
    "\x00",
    "𝕳𝖊𝖑𝖑𝖔 👋🏽",
    "9" * 40,
    "-1",
    "1e309",
    "NaN",
    "2999-02-30",
    "0001-01-01",
    "../../etc/passwd",
    " ",
    "x" * 6000,
    "{{ 7*7 }}",
    "%(name)s",
]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.isoformat()),
)
OK = {200, 302, 400, 403, 404, 405}


@pytest.fixture
def world(physio, episode, visit):
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={code: "no" for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")},
    )
    start = timezone.localtime() + datetime.timedelta(days=7)
    start = start.replace(hour=10, minute=0, second=0, microsecond=0)
    while start.weekday() >= 5:
        start += datetime.timedelta(days=1)
    appointment = scheduling.book(
        practitioner=physio,
        patient=episode.patient,
        start=start,
        end=start + datetime.timedelta(minutes=30),
        kind="follow_up",
        episode=episode,
    )
    intervention = treatment_services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={}
    )
    consent = treatment_services.consent_record(
        episode=episode,
        user=physio,
        intervention_kind="spinal_manipulation",
        given_on=timezone.localdate(),
        method="verbal",
        risks_discussed=[],
        right_to_withdraw_explained=True,
    )
    return {
        "patient": episode.patient,
        "episode": episode,
        "visit": visit,
        "appointment": appointment,
        "intervention": intervention,
        "consent": consent,
    }


def forms(world) -> list[tuple[str, str]]:
    """(url, form context name) of every form a physio can post."""
    visit, episode, patient = world["visit"], world["episode"], world["patient"]
    pages = [
        (reverse("clinic:patient_create"), "form"),
        (reverse("clinic:patient_update", args=[patient.pk]), "form"),
        (reverse("clinic:episode_create", args=[patient.pk]), "form"),
        (reverse("clinic:episode_discharge", args=[episode.pk]), "form"),
        (reverse("clinic:visit_start", args=[episode.pk]), "form"),
        (reverse("clinic:visit_detail", args=[visit.pk]), "form"),
        (reverse("clinic:appointment_create"), "form"),
        (reverse("clinic:appointment_reschedule", args=[world["appointment"].pk]), "form"),
        (reverse("clinic:appointment_cancel", args=[world["appointment"].pk]), "form"),
        (reverse("assessments:assessment_edit", args=[visit.pk, "buttock_pain"]), "form"),
        (reverse("treatments:consent_add", args=[episode.pk]), "form"),
        (reverse("treatments:screen_add", args=[episode.pk]), "form"),
        (reverse("treatments:plan_edit", args=[episode.pk]), "form"),
        (reverse("treatments:adverse_event_add", args=[world["intervention"].pk]), "form"),
        (reverse("treatments:intervention_edit", args=[world["intervention"].pk]), "form"),
        (reverse("treatments:consent_withdraw", args=[world["consent"].pk]), "form"),
        (reverse("assessments:working_diagnosis_confirm", args=[episode.pk]), "form"),
    ]
    pages += [
        (reverse("treatments:intervention_add", args=[visit.pk, kind.code]), "form")
        for kind in kinds
    ]
    return pages


def snapshot() -> dict[str, int]:
    counts = {}
    for app in ("clinic", "assessments", "treatments"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.managed:
                counts[model._meta.label] = model.objects.count()
    return counts


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_form_answers_hostile_input_without_a_server_error(client, physio, world, data):
    client.force_login(physio)
    for url, name in forms(world):
        page = client.get(url)
        assert page.status_code == 200, url
        fields = list(page.context[name].fields)
        post = {field: data.draw(values, label=f"{url} {field}") for field in fields}
        with transaction.atomic():
            before = snapshot()
            response = client.post(url, post)
            assert response.status_code in OK, (url, response.status_code)
            if response.status_code != 302:
                assert snapshot() == before, url
            transaction.set_rollback(True)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reason=values)
def test_taking_a_visit_over_answers_hostile_reasons(client, other_physio, world, reason):
    # The visit is the first physio's: the second one's takeover form.
    client.force_login(other_physio)
    url = reverse("clinic:visit_take_over", args=[world["visit"].pk])
    assert client.get(url).status_code == 200
    with transaction.atomic():
        response = client.post(url, {"reason": reason})
        assert response.status_code in OK, response.status_code
        transaction.set_rollback(True)


def test_search_and_filters_survive_hostile_queries(client, physio, clinic_admin):
    client.force_login(physio)
    for text in HOSTILE:
        assert client.get(reverse("clinic:patient_list"), {"q": text}).status_code == 200
        pages = [
            (reverse("clinic:diary_day"), {"date": text}),
            (reverse("clinic:diary_week", args=[physio.pk]), {"date": text}),
            (reverse("clinic:follow_ups"), {"within": text}),
            (
                reverse("clinic:appointment_create"),
                {"patient": text, "practitioner": text, "start": text, "kind": text},
            ),
        ]
        for url, query in pages:
            assert client.get(url, query).status_code in {200, 302, 400}, (url, text)
    client.force_login(clinic_admin)
    for text in HOSTILE:
        response = client.get(reverse("clinic:audit_log"), {"patient": text, "date_from": text})
        assert response.status_code == 200


def test_every_one_line_field_of_every_form_refuses_line_breaks(client, physio, world):
    """Each text input (not a textarea) of every form a physio posts either carries the
    one-line validator itself or is a model form's field whose model field does."""
    client.force_login(physio)
    missing = []
    for url, name in forms(world):
        form = client.get(url).context[name]
        model = getattr(getattr(form, "_meta", None), "model", None)
        for field_name, field in form.fields.items():
            if not isinstance(field, django_forms.CharField) or isinstance(
                field.widget, django_forms.Textarea | django_forms.HiddenInput
            ):
                continue
            model_fields = {f.name: f for f in model._meta.fields} if model else {}
            checks = field.validators + getattr(model_fields.get(field_name), "validators", [])
            if single_line not in checks and not _numeric(field):
                missing.append(f"{url} {field_name}")
    assert missing == []


def _numeric(field) -> bool:
    # Numbers typed into a text input (intervention parameters): checked as numbers.
    return field.widget.attrs.get("inputmode") in {"numeric", "decimal"}
