"""Every URL of the project × every role, against a declared expectation table.

A URL pattern without a row here fails `test_every_url_has_an_expectation`, so a new page
cannot ship without someone deciding who may open it. Statuses are for a GET with real
objects; 302 for the anonymous user is the redirect to the login page. The Django admin
is covered by tests/clinic/test_security.py (Clinic admin only).

The visit is the first physio's draft: a second physio reads it but its write pages send
them back to the visit (302), which offers to take it over.
"""

import datetime

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from assessments import audit
from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from clinic import scheduling
from clinic import services as clinic_services
from clinic.diary import services as diary_services
from tests.factories import VisitFactory
from treatments import services as treatment_services
from treatments.safety import DRY_NEEDLING_RISKS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "physio", "other_physio", "clinic_admin", "front_desk", "no_role_user")
ANON = 302  # to the login page

# url name: (kwargs builder, {role: status}) — roles: physio, the second physio, clinic
# admin, front desk.
P, P2, A, F = "physio", "other_physio", "clinic_admin", "front_desk"


def expect(
    physio: int,
    admin: int,
    desk: int,
    anonymous: int = ANON,
    no_role: int | None = None,
    other: int | None = None,
) -> dict[str, int]:
    """A logged-in user with no role sees nothing but the message asking for one (403);
    a POST-only URL answers a GET with 405 before anyone's role is looked at. The second
    physio (`other`) is answered as the first unless said otherwise."""
    if no_role is None:
        no_role = 405 if physio == admin == desk == 405 else 403
    other = physio if other is None else other
    return {
        "anonymous": anonymous,
        P: physio,
        P2: other,
        A: admin,
        F: desk,
        "no_role_user": no_role,
    }


EXPECTATIONS = {
    "favicon": (lambda o: {}, expect(301, 301, 301, anonymous=301, no_role=301)),
    "login": (lambda o: {}, expect(302, 302, 302, anonymous=200, no_role=302)),
    "logout": (lambda o: {}, expect(405, 405, 405)),
    # Each user's own account, whatever their role (or none).
    "account": (lambda o: {}, expect(200, 200, 200, no_role=200)),
    "account_email": (lambda o: {}, expect(200, 200, 200, no_role=200)),
    "password_change": (lambda o: {}, expect(200, 200, 200, no_role=200)),
    # The emailed links' pages are for anyone: the link itself is the proof.
    "password_reset": (lambda o: {}, expect(200, 200, 200, anonymous=200, no_role=200)),
    "password_reset_done": (lambda o: {}, expect(200, 200, 200, anonymous=200, no_role=200)),
    "password_reset_confirm": (
        lambda o: {"uidb64": "MQ", "token": "not-a-token"},  # shows "this link cannot be used"
        expect(200, 200, 200, anonymous=200, no_role=200),
    ),
    "password_reset_complete": (
        lambda o: {},
        expect(200, 200, 200, anonymous=200, no_role=200),
    ),
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
    "clinic:visit_sign": (lambda o: {"pk": o["visit"].pk}, expect(200, 403, 403, other=302)),
    "clinic:addendum_add": (lambda o: {"pk": o["visit"].pk}, expect(405, 405, 405)),
    # The first physio's own visit: back to it ("already yours").
    "clinic:visit_take_over": (
        lambda o: {"pk": o["visit"].pk},
        expect(302, 403, 403, other=200),
    ),
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
        expect(200, 403, 403),
    ),
    "assessments:red_flag_clear": (lambda o: {"pk": o["alert"].pk}, expect(200, 403, 403)),
    "assessments:red_flag_referral_add": (
        lambda o: {"alert_pk": o["alert"].pk},
        expect(200, 403, 403),
    ),
    "assessments:red_flag_referral_edit": (
        lambda o: {"pk": o["referral"].pk},
        expect(200, 403, 403),
    ),
    "assessments:questionnaire": (
        lambda o: {"template_code": "buttock_pain", "version": 1},
        expect(200, 200, 403),
    ),
    "treatments:intervention_add": (
        lambda o: {"visit_pk": o["visit"].pk, "kind_code": "stretching"},
        expect(200, 403, 403, other=302),
    ),
    "treatments:intervention_edit": (
        lambda o: {"pk": o["intervention"].pk},
        expect(200, 403, 403, other=302),
    ),
    "treatments:intervention_remove": (
        lambda o: {"pk": o["intervention"].pk},
        expect(200, 403, 403, other=302),
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
    "treatments:consent_withdraw": (lambda o: {"pk": o["consent"].pk}, expect(200, 403, 403)),
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
    feed = diary_services.calendar_feed_renew(practitioner=physio)
    intervention = treatment_services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="exercise_programme",
        params={"exercises": [{"name": "Bridge", "sets": 3, "reps": 10}]},
    )
    consent = treatment_services.consent_record(
        episode=episode,
        user=physio,
        intervention_kind="dry_needling",
        given_on=timezone.localdate(),
        method="verbal",
        risks_discussed=[code for code, _ in DRY_NEEDLING_RISKS],
        right_to_withdraw_explained=True,
    )
    alert = episode.red_flag_alerts.get()
    referral = assessment_services.red_flag_referral_record(
        alert=alert,
        user=physio,
        referred_to="gp",
        urgency="urgent",
        referred_at=timezone.now(),
        method="phone",
    )
    return {
        "physio": physio,
        "patient": episode.patient,
        "referral": referral,
        "episode": episode,
        "visit": visit,
        "assessment": assessment,
        "alert": episode.red_flag_alerts.get(),
        "appointment": appointment,
        "feed_token": feed.token,
        "intervention": intervention,
        "consent": consent,
    }


def test_every_url_has_an_expectation():
    names = {name for name, _ in project_urls()}
    assert names - set(EXPECTATIONS) == set(), "add these URLs to EXPECTATIONS"
    assert set(EXPECTATIONS) - names == set(), "these expectations have no URL any more"


@pytest.mark.parametrize("role", ROLES)
def test_each_url_answers_each_role_as_declared(
    request, client, objects, other_physio, clinic_admin, front_desk, role
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


@pytest.fixture
def clinical_text(objects, physio):
    """The marker in every free-text field of the clinical record, so that any page showing
    any of it is found: the complaint, the assessment, the SOAP note, the visit's own notes,
    an intervention's notes and exercises, the plan and its goals, a consent, a
    contraindication screen, a red-flag referral, an adverse event and an addendum to a
    signed visit. (Working
    diagnoses and red flags are codes: the pages that show them show the complaint too.)"""
    episode, visit, intervention = objects["episode"], objects["visit"], objects["intervention"]
    episode.complaint = f"Right buttock pain {MARKER}"
    episode.save()
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={"rf_trauma": "yes", "history_notes": MARKER, "exam_notes": MARKER},
    )
    treatment_services.visit_note_save(visit=visit, user=physio, subjective=MARKER, plan=MARKER)
    treatment_services.intervention_record(
        visit=visit, user=physio, kind_code="stretching", params={}, notes=MARKER
    )
    treatment_services.intervention_record(
        visit=visit,
        user=physio,
        kind_code="exercise_programme",
        intervention=intervention,
        params={"exercises": [{"name": f"Bridge {MARKER}", "sets": 3, "reps": 10}]},
        notes=MARKER,
    )
    treatment_services.adverse_event_record(
        intervention=intervention,
        user=physio,
        event_type=f"Soreness {MARKER}",
        severity="mild",
        action_taken=MARKER,
    )
    treatment_services.plan_save(
        episode=episode,
        user=physio,
        planned_interventions=["stretching"],
        visit_interval_days=7,
        planned_visits=6,
        next_review_on=None,
        notes=MARKER,
        goals=[{"text": MARKER}],
    )
    treatment_services.consent_record(
        episode=episode,
        user=physio,
        intervention_kind="spinal_manipulation",
        given_on=timezone.localdate(),
        method="verbal",
        risks_discussed=[],
        right_to_withdraw_explained=True,
        notes=MARKER,
    )
    treatment_services.screen_record(episode=episode, user=physio, present=[], justification=MARKER)
    assessment_services.red_flag_referral_record(
        alert=objects["alert"],
        user=physio,
        referral=objects["referral"],
        referred_to="other",
        referred_to_name=f"Spinal hub {MARKER}",
        urgency="urgent",
        referred_at=timezone.now(),
        method="letter",
        note=MARKER,
    )
    visit.notes = MARKER
    visit.save()
    signed = VisitFactory(episode=episode, practitioner=physio, kind="follow_up")
    signed = clinic_services.visit_sign(visit=signed, user=physio)
    clinic_services.addendum_add(visit=signed, author=physio, text=MARKER, reason=MARKER)
    # The front desk's call about the episode (its page in the admin names the episode).
    diary_services.contact_attempt_add(
        patient=episode.patient, outcome="left_message", created_by=physio, episode=episode
    )


@pytest.fixture
def access_writes(monkeypatch) -> list[tuple[LogEntry | None, list[str]]]:
    """Each call that writes a page's access entry, with the queries it ran."""
    # Content types are cached in a running server: warm the cache as the first page would.
    ContentType.objects.get_for_models(*apps.get_models())
    writes = []
    write = audit.record_access

    def measured(*shown, page):
        with CaptureQueriesContext(connection) as queries:
            entry = write(*shown, page=page)
        writes.append((entry, [query["sql"] for query in queries]))
        return entry

    monkeypatch.setattr(audit, "record_access", measured)
    return writes


def _cost_problem(writes) -> str | None:
    """Logging a page costs one INSERT and nothing else (the patient is on the loaded rows)."""
    costs = [(entry, queries) for entry, queries in writes]
    writes.clear()
    for entry, queries in costs:
        expected = 1 if entry else 0
        if len(queries) != expected or (entry and not queries[0].startswith("INSERT")):
            return f"writing the access entry ran {len(queries)} queries: {queries}"
    return None


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _patients_named(entry: LogEntry) -> set[int]:
    data = entry.additional_data or {}
    return set(data.get("patient_ids", [])) | {data.get("patient_id")}


def _access_problem(response, entries, *, declared: bool, user, patient) -> str | None:
    """What is wrong with the access entries one request wrote, if anything.

    A page is shown when its status is 200, or 400 for a form shown again with its errors.
    A page shown either comes from a view declared to show clinical content and wrote
    exactly one access entry (the user, their address, the patient), or shows none of the
    clinical text. Nothing else writes an access entry."""
    if response.status_code not in (200, 400):
        return f"{len(entries)} access entries for a {response.status_code}" if entries else None
    if not entries:
        shown = MARKER.encode() in _body(response)
        return "shows clinical content but wrote no access entry" if shown else None
    if not declared:
        return "an access entry from a view not declared to show clinical content"
    if len(entries) != 1:
        return f"{len(entries)} access entries for one page"
    entry = entries[0]
    if (entry.actor, entry.remote_addr) != (user, "10.9.8.7"):
        return f"the entry names {entry.actor} at {entry.remote_addr}"
    if patient.pk not in _patients_named(entry):
        return f"the entry does not name the patient: {entry.additional_data}"
    return None


def _last_entry_id() -> int:
    return LogEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def _access_since(last: int) -> list[LogEntry]:
    return list(LogEntry.objects.filter(pk__gt=last, action=LogEntry.Action.ACCESS))


def _listed(role: str, wrong: dict[str, str]) -> str:
    return f"as {role}:\n" + "\n".join(f"  {name}: {problem}" for name, problem in wrong.items())


def _declared(url: str) -> bool:
    return getattr(resolve(url).func, "shows_clinical", None) is not None


@pytest.mark.parametrize("role", ROLES)
def test_every_page_showing_clinical_content_writes_one_access_entry(
    request, client, objects, clinical_text, access_writes, clinic_admin, front_desk, role
):
    """Derived from EXPECTATIONS, so a new URL cannot forget it. With clinical text in every
    free-text field, each URL is opened in each role: a page that shows any of it must come
    from a view declared `@shows_clinical` and write exactly one access entry, with one
    INSERT and no other query."""
    user = None
    if role != "anonymous":
        user = request.getfixturevalue(role)
        client.force_login(user)
    wrong = {}
    for name, (kwargs, _) in EXPECTATIONS.items():
        url = reverse(name, kwargs=kwargs(objects))
        last = _last_entry_id()
        response = client.get(url, REMOTE_ADDR="10.9.8.7")
        problem = _access_problem(
            response,
            _access_since(last),
            declared=_declared(url),
            user=user,
            patient=objects["patient"],
        )
        problem = problem or _cost_problem(access_writes)
        if problem:
            wrong[name] = problem
    assert not wrong, _listed(role, wrong)


def test_pages_shown_again_after_a_post_are_logged_too(
    client, objects, clinical_text, access_writes, physio
):
    """A form shown again with its errors shows the record again: one access entry, like a
    GET. The reasoning panel's fragment and the autosave status show nothing stored beyond
    what their page showed, so they write none (the rule still holds for them)."""
    client.force_login(physio)
    visit, episode = objects["visit"], objects["episode"]
    posts = {
        "plan with an error": (
            reverse("treatments:plan_edit", args=[episode.pk]),
            {"visit_interval_days": "0"},
        ),
        "addendum with an error": (reverse("clinic:addendum_add", args=[visit.pk]), {}),
        "note with an error": (
            reverse("treatments:visit_note_save", args=[visit.pk]),
            {"subjective": "x" * 5001},
        ),
        "consent with an error": (reverse("treatments:consent_add", args=[episode.pk]), {}),
        "reasoning panel": (
            reverse("assessments:reasoning_panel", args=[visit.pk, "buttock_pain"]),
            {"rf_trauma": "yes"},
        ),
        "autosave": (
            reverse("assessments:assessment_autosave", args=[visit.pk, "buttock_pain"]),
            {"history_notes": "More"},
        ),
    }
    wrong, statuses = {}, {}
    for name, (url, data) in posts.items():
        last = _last_entry_id()
        response = client.post(url, data, REMOTE_ADDR="10.9.8.7")
        statuses[name] = response.status_code
        problem = _access_problem(
            response,
            _access_since(last),
            declared=_declared(url),
            user=physio,
            patient=objects["patient"],
        )
        problem = problem or _cost_problem(access_writes)
        if problem:
            wrong[name] = problem
    assert not wrong, _listed("physio", wrong)
    assert statuses == {
        "plan with an error": 200,
        "addendum with an error": 400,
        "note with an error": 400,
        "consent with an error": 200,
        "reasoning panel": 200,
        "autosave": 200,
    }


def _admin_pages() -> dict[str, tuple[str, bool]]:
    """Every registered model's list, and the change and history pages of its latest row:
    url name -> (url, declared to show clinical content)."""
    pages = {}
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        declared = getattr(model_admin, "shows_clinical", False)
        pages[f"{info}_changelist"] = (reverse(f"{info}_changelist"), declared)
        rows = model._default_manager.order_by("-pk")
        if model is LogEntry:
            # The audit log also holds account changes, which name no patient.
            rows = rows.filter(content_type__model="addendum")
        latest = rows.first()
        if latest is not None:
            for page in ("change", "history"):
                pages[f"{info}_{page}"] = (reverse(f"{info}_{page}", args=[latest.pk]), declared)
    return pages


def test_every_admin_page_showing_clinical_content_writes_one_access_entry(
    client, objects, clinical_text, access_writes, clinic_admin
):
    """The same rule for the Django admin, over every model registered there: its list and
    the change and history pages of its latest row (for the audit log, the change that
    wrote the addendum). The clinical models' pages must write their entry."""
    pages = _admin_pages()
    client.force_login(clinic_admin)
    wrong, logged = {}, set()
    for name, (url, declared) in pages.items():
        last = _last_entry_id()
        response = client.get(url, REMOTE_ADDR="10.9.8.7")
        entries = _access_since(last)
        if entries:
            logged.add(name)
        problem = _access_problem(
            response, entries, declared=declared, user=clinic_admin, patient=objects["patient"]
        )
        problem = problem or _cost_problem(access_writes)
        if problem:
            wrong[name] = problem
    assert not wrong, _listed("clinic_admin", wrong)
    clinical = {
        f"admin:{model}_{page}"
        for model in (
            "clinic_visit",
            "clinic_episodeofcare",
            "clinic_addendum",
            "auditlog_logentry",
        )
        for page in ("changelist", "change", "history")
    }
    assert clinical <= logged


def test_front_desk_never_receives_clinical_content(
    client, objects, clinical_text, physio, front_desk
):
    """The marker in the free text of the clinical record reaches no page, fragment, export
    or admin page that the front desk can request."""
    visit = objects["visit"]
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
    # The red flag (rf_trauma) is codes, not free text: its words must not reach them either.
    flag_words = [
        b"Red flag",
        b"red flag",
        b"serious pathology",
        b"A recent fall, accident",
        b"referral",
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data, follow=True)
        body = _body(response)
        if MARKER.encode() in body:
            leaks.append(url)
        leaks += [f"{url}: {word.decode()}" for word in flag_words if word in body]
    assert leaks == []
    # What they do see, wherever the patient is named: the physio comes first.
    patient = objects["patient"]
    for url in (
        patient.get_absolute_url(),
        reverse("clinic:home"),
        reverse("clinic:appointment_detail", args=[objects["appointment"].pk]),
        reverse("clinic:diary_day") + f"?date={objects['appointment'].start:%Y-%m-%d}",
    ):
        assert "See the physio before treatment" in client.get(url).content.decode(), url


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
