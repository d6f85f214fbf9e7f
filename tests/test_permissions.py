"""Every URL of the project × every role, against a declared expectation table.

A URL pattern without a row here fails `test_every_url_has_an_expectation`, so a new page
cannot ship without someone deciding who may open it. Statuses are for a GET with real
objects; 302 for the anonymous user is the redirect to the login page. The Django admin
is covered by tests/clinic/test_security.py (Clinic admin only).
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from clinic import scheduling
from treatments import services as treatment_services

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "physio", "clinic_admin", "front_desk", "no_role_user")
ANON = 302  # to the login page

# url name: (kwargs builder, {role: status}) — roles: physio, clinic admin, front desk.
P, A, F = "physio", "clinic_admin", "front_desk"


def expect(
    physio: int, admin: int, desk: int, anonymous: int = ANON, no_role: int | None = None
) -> dict[str, int]:
    """A logged-in user with no role sees nothing but the message asking for one (403);
    a POST-only URL answers a GET with 405 before anyone's role is looked at."""
    if no_role is None:
        no_role = 405 if physio == admin == desk == 405 else 403
    return {"anonymous": anonymous, P: physio, A: admin, F: desk, "no_role_user": no_role}


EXPECTATIONS = {
    "favicon": (lambda o: {}, expect(301, 301, 301, anonymous=301, no_role=301)),
    "login": (lambda o: {}, expect(302, 302, 302, anonymous=200, no_role=302)),
    "logout": (lambda o: {}, expect(405, 405, 405)),
    "clinic:home": (lambda o: {}, expect(200, 200, 200, no_role=200)),
    "clinic:patient_list": (lambda o: {}, expect(200, 200, 200)),
    "clinic:patient_create": (lambda o: {}, expect(200, 200, 200)),
    "clinic:patient_detail": (lambda o: {"pk": o["patient"].pk}, expect(200, 200, 200)),
    "clinic:patient_update": (lambda o: {"pk": o["patient"].pk}, expect(200, 200, 200)),
    "clinic:patient_archive": (lambda o: {"pk": o["patient"].pk}, expect(403, 200, 403)),
    # The patient is not archived: the Clinic admin is sent back to the record.
    "clinic:patient_unarchive": (lambda o: {"pk": o["patient"].pk}, expect(403, 302, 403)),
    "clinic:episode_create": (lambda o: {"patient_pk": o["patient"].pk}, expect(200, 403, 403)),
    "clinic:episode_discharge": (lambda o: {"pk": o["episode"].pk}, expect(200, 403, 403)),
    "clinic:visit_start": (lambda o: {"episode_pk": o["episode"].pk}, expect(200, 403, 403)),
    "clinic:visit_detail": (lambda o: {"pk": o["visit"].pk}, expect(200, 200, 403)),
    "clinic:visit_sign": (lambda o: {"pk": o["visit"].pk}, expect(200, 403, 403)),
    "clinic:addendum_add": (lambda o: {"pk": o["visit"].pk}, expect(405, 405, 405)),
    "clinic:audit_log": (lambda o: {}, expect(403, 200, 403)),
    "clinic:diary_day": (lambda o: {}, expect(200, 200, 200)),
    "clinic:diary_week": (lambda o: {"practitioner_pk": o["physio"].pk}, expect(200, 200, 200)),
    "clinic:appointment_create": (lambda o: {}, expect(200, 200, 200)),
    "clinic:appointment_detail": (lambda o: {"pk": o["appointment"].pk}, expect(200, 200, 200)),
    "clinic:appointment_reschedule": (lambda o: {"pk": o["appointment"].pk}, expect(200, 200, 200)),
    "clinic:appointment_cancel": (lambda o: {"pk": o["appointment"].pk}, expect(200, 200, 200)),
    "clinic:appointment_check_in": (lambda o: {"pk": o["appointment"].pk}, expect(405, 405, 405)),
    "clinic:appointment_no_show": (lambda o: {"pk": o["appointment"].pk}, expect(405, 405, 405)),
    "clinic:appointment_undo_no_show": (
        lambda o: {"pk": o["appointment"].pk},
        expect(405, 405, 405),
    ),
    "clinic:appointment_start_visit": (
        lambda o: {"pk": o["appointment"].pk},
        expect(200, 403, 403),
    ),
    "clinic:follow_ups": (lambda o: {}, expect(200, 200, 200)),
    "clinic:contact_attempt_add": (lambda o: {}, expect(405, 405, 405)),
    "clinic:calendar_feed_settings": (lambda o: {}, expect(200, 403, 403)),
    "clinic:calendar_feed": (
        lambda o: {"practitioner_pk": o["physio"].pk, "token": o["feed_token"]},
        expect(200, 200, 200, anonymous=200, no_role=200),
    ),
    "assessments:assessment_edit": (
        lambda o: {"visit_pk": o["visit"].pk, "template_code": "buttock_pain"},
        expect(200, 200, 403),
    ),
    "assessments:assessment_autosave": (
        lambda o: {"visit_pk": o["visit"].pk, "template_code": "buttock_pain"},
        expect(405, 405, 405),
    ),
    "assessments:reasoning_panel": (
        lambda o: {"visit_pk": o["visit"].pk, "template_code": "buttock_pain"},
        expect(405, 405, 405),
    ),
    "assessments:working_diagnosis_confirm": (
        lambda o: {"episode_pk": o["episode"].pk},
        expect(405, 405, 405),
    ),
    "assessments:red_flag_clear": (lambda o: {"pk": o["alert"].pk}, expect(200, 403, 403)),
    "assessments:questionnaire": (
        lambda o: {"template_code": "buttock_pain", "version": 1},
        expect(200, 200, 403),
    ),
    "treatments:intervention_add": (
        lambda o: {"visit_pk": o["visit"].pk, "kind_code": "stretching"},
        expect(200, 403, 403),
    ),
    "treatments:intervention_edit": (lambda o: {"pk": o["intervention"].pk}, expect(200, 403, 403)),
    "treatments:intervention_remove": (
        lambda o: {"pk": o["intervention"].pk},
        expect(200, 403, 403),
    ),
    "treatments:exercise_handout": (lambda o: {"pk": o["intervention"].pk}, expect(200, 200, 403)),
    "treatments:adverse_event_add": (
        lambda o: {"intervention_pk": o["intervention"].pk},
        expect(200, 403, 403),
    ),
    "treatments:adverse_event_list": (lambda o: {}, expect(403, 200, 403)),
    "treatments:patient_fhir_export": (
        lambda o: {"patient_pk": o["patient"].pk},
        expect(200, 200, 403),
    ),
    "treatments:visit_note_save": (lambda o: {"visit_pk": o["visit"].pk}, expect(405, 405, 405)),
    "treatments:consent_add": (lambda o: {"episode_pk": o["episode"].pk}, expect(200, 403, 403)),
    "treatments:screen_add": (lambda o: {"episode_pk": o["episode"].pk}, expect(200, 403, 403)),
    "treatments:plan_edit": (lambda o: {"episode_pk": o["episode"].pk}, expect(200, 403, 403)),
    "treatments:discharge_summary": (
        lambda o: {"episode_pk": o["episode"].pk},
        expect(200, 200, 403),
    ),
    "treatments:outcome_report": (lambda o: {}, expect(403, 200, 403)),
    "treatments:outcome_report_csv": (lambda o: {}, expect(403, 200, 403)),
    "treatments:outcome_episodes": (lambda o: {}, expect(403, 200, 403)),
}


def project_urls(patterns=None, namespace=None):
    """(name, pattern) of every URL of the project, the admin's aside."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from project_urls(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), str(entry.pattern)


@pytest.fixture
def objects(physio, episode, visit):
    assessment = assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers={"rf_trauma": "yes"}
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
    feed = scheduling.calendar_feed_renew(practitioner=physio)
    intervention = treatment_services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="exercise_programme",
        params={"exercises": [{"name": "Bridge", "sets": 3, "reps": 10}]},
    )
    return {
        "physio": physio,
        "patient": episode.patient,
        "episode": episode,
        "visit": visit,
        "assessment": assessment,
        "alert": episode.red_flag_alerts.get(),
        "appointment": appointment,
        "feed_token": feed.token,
        "intervention": intervention,
    }


def test_every_url_has_an_expectation():
    names = {name for name, _ in project_urls()}
    assert names - set(EXPECTATIONS) == set(), "add these URLs to EXPECTATIONS"
    assert set(EXPECTATIONS) - names == set(), "these expectations have no URL any more"


@pytest.mark.parametrize("role", ROLES)
def test_each_url_answers_each_role_as_declared(
    request, client, objects, clinic_admin, front_desk, role
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    wrong = {}
    for name, (kwargs, expected) in EXPECTATIONS.items():
        url = reverse(name, kwargs=kwargs(objects))
        response = client.get(url)
        if response.status_code != expected[role]:
            wrong[name] = (response.status_code, expected[role])
        if role == "anonymous" and response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), name
    assert wrong == {}, f"{role}: url -> (got, expected)"


MARKER = "MARKER-7f3a9c-clinical-only"


def test_front_desk_never_receives_clinical_content(client, objects, physio, front_desk):
    """A marker in the free text of an assessment, a visit note and an intervention reaches
    no page, fragment, export or admin page that the front desk can request."""
    visit = objects["visit"]
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={"history_notes": MARKER, "exam_notes": MARKER},
    )
    treatment_services.visit_note_save(visit=visit, user=physio, subjective=MARKER, plan=MARKER)
    treatment_services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={}, notes=MARKER
    )
    visit.notes = MARKER
    visit.save()
    # The physio does see it (so the marker is really on the pages).
    client.force_login(physio)
    assert MARKER in client.get(visit.get_absolute_url()).content.decode()

    client.force_login(front_desk)
    leaks = []
    requests = [
        ("get", reverse(name, kwargs=kwargs(objects)), {})
        for name, (kwargs, _) in EXPECTATIONS.items()
    ]
    requests += [
        ("post", reverse("assessments:reasoning_panel", args=[visit.pk, "buttock_pain"]), {}),
        ("get", reverse("clinic:patient_list"), {"q": objects["patient"].family_name}),
        ("get", reverse("clinic:appointment_detail", args=[objects["appointment"].pk]), {}),
        ("get", "/admin/", {}),
        ("get", "/admin/clinic/visit/", {}),
        ("get", f"/admin/clinic/visit/{visit.pk}/change/", {}),
        ("get", "/admin/auditlog/logentry/", {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data, follow=True)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if MARKER.encode() in body:
            leaks.append(url)
    assert leaks == []


def _cache_directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("role", ROLES)
def test_no_page_may_be_kept_in_a_browser_or_proxy_cache(request, client, objects, role):
    """Every URL of the table (the login page, the calendar feed, the FHIR and CSV
    downloads included) is sent `Cache-Control: no-store` with a Permissions-Policy, so
    a shared clinic computer keeps no patient data after logout (issue 10, part 5)."""
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    urls = [reverse(name, kwargs=kwargs(objects)) for name, (kwargs, _) in EXPECTATIONS.items()]
    urls += ["/admin/", "/admin/clinic/patient/", "/no-such-page/"]
    cached = {
        url: response.get("Cache-Control")
        for url in urls
        for response in [client.get(url)]
        if "no-store" not in _cache_directives(response)
    }
    assert cached == {}
    assert "camera=()" in client.get(urls[0])["Permissions-Policy"]


def test_static_files_keep_their_caching_and_get_the_permissions_policy(client, settings):
    # Whitenoise serves the app's static files from their folders, as under runserver.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    response = client.get(settings.STATIC_URL + "clinic/clinic.css")

    assert response.status_code == 200
    assert "no-store" not in _cache_directives(response)
    assert "max-age" in _cache_directives(response)
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
