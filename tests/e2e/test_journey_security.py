"""Journeys: every role's pages satisfy the Content Security Policy, and hostile input is
shown as text.

Each page is watched for `securitypolicyviolation` events (and `browser_problems` fails the
test on the console error Chromium logs for each). Then a patient registered with script
and HTML for a name, and notes and an assessment written with the same, are shown as text
to the physio and the Clinic admin, and no injected script runs. Last, the browser grants
the pages no camera, microphone or other powerful feature (Permissions-Policy).
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1
from tests.e2e.conftest import login, logout
from tests.factories import AppointmentFactory, EpisodeFactory, PatientFactory, VisitFactory

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'
CLEAR = {code: "no" for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")}

# Runs in every document before its own scripts: records what the policy blocked.
WATCH_POLICY = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || location.href}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH_POLICY)
    return page


def assert_page_is_clean(page, where: str) -> None:
    """The page loaded under the policy, nothing was blocked and no injected script ran."""
    page.wait_for_load_state("load")
    assert page.evaluate("window.__cspViolations") == [], where
    assert page.evaluate("window.__xss") is None, f"injected script ran on {where}"


def open_page(page, live_server, path: str) -> None:
    response = page.goto(live_server.url + path)
    assert response.status == 200, path
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe" not in policy, path
    assert_page_is_clean(page, path)


@pytest.fixture
def clinic_day(physio):
    patient = PatientFactory(given_name="Rosa", family_name="Lane")
    episode = EpisodeFactory(patient=patient, physio=physio, complaint="Left buttock pain")
    visit = VisitFactory(episode=episode, practitioner=physio, kind="initial")
    assessment_services.assessment_save(
        visit=visit, template=BUTTOCK_PAIN_V1, user=physio, answers=CLEAR | {"nprs": {"nprs": 5}}
    )
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    appointment = AppointmentFactory(
        patient=patient,
        practitioner=physio,
        start=start + datetime.timedelta(days=1),
        end=start + datetime.timedelta(days=1, minutes=30),
        notes="Needs the ground-floor room",
    )
    return {"patient": patient, "episode": episode, "visit": visit, "appointment": appointment}


def test_every_roles_main_pages_satisfy_the_content_security_policy(
    watched, live_server, physio, clinic_admin, front_desk, clinic_day
):
    page = watched
    patient, first_visit = clinic_day["patient"], clinic_day["visit"]
    assessment_form = reverse("assessments:assessment_edit", args=[first_visit.pk, "buttock_pain"])
    everyone = [
        reverse("clinic:home"),
        reverse("clinic:patient_list"),
        patient.get_absolute_url(),
        reverse("clinic:diary_day"),
        reverse("clinic:diary_week", args=[physio.pk]),
        reverse("clinic:follow_ups"),
        clinic_day["appointment"].get_absolute_url(),
    ]

    open_page(page, live_server, reverse("login"))

    login(page, live_server, physio)
    for path in [
        *everyone,
        first_visit.get_absolute_url(),
        assessment_form,
        reverse("clinic:calendar_feed_settings"),
    ]:
        open_page(page, live_server, path)
    # An htmx swap (the reasoning panel) and its indicator under the policy.
    page.goto(live_server.url + assessment_form)
    page.locator('input[name="low_back_pain"][value="yes"]').check()
    expect(page.locator("#reasoning-panel")).to_contain_text("Decision support only")
    assert_page_is_clean(page, "the assessment form after an htmx swap")
    logout(page)

    login(page, live_server, front_desk)
    for path in [*everyone, reverse("clinic:patient_create")]:
        open_page(page, live_server, path)
    logout(page)

    login(page, live_server, clinic_admin)
    for path in [
        *everyone,
        first_visit.get_absolute_url(),
        reverse("clinic:audit_log"),
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[physio.pk]),
        reverse("admin:auditlog_logentry_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:clinic_patient_change", args=[patient.pk]),
    ]:
        open_page(page, live_server, path)


def test_script_and_html_typed_into_the_record_are_shown_as_text(
    watched, live_server, physio, clinic_admin, front_desk
):
    page = watched

    # --- The front desk registers a patient whose name is script and HTML ------------------
    login(page, live_server, front_desk)
    page.get_by_role("link", name="Register a new patient").click()
    page.get_by_label("First name").fill(SCRIPT)
    page.get_by_label("Last name").fill(IMG)
    page.get_by_label("Date of birth").fill("1980-05-01")
    page.get_by_label("Address").fill(f"1 {SCRIPT} Street")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("alert").filter(has_text="is registered as")).to_be_visible()
    record = page.url
    expect(page.locator("main")).to_contain_text(SCRIPT)
    expect(page.locator("main")).to_contain_text(IMG)
    assert_page_is_clean(page, "the new record")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.locator("main")).to_contain_text(SCRIPT)
    assert_page_is_clean(page, "the patient list")
    logout(page)

    # --- The physio writes the same into the episode, the notes and the assessment ----------
    login(page, live_server, physio)
    page.goto(record)
    expect(page.locator("main")).to_contain_text(IMG)
    assert_page_is_clean(page, "the record, for the physio")
    page.get_by_role("link", name="Open an episode").click()
    page.get_by_label("Complaint").fill(IMG)
    page.get_by_role("button", name="Open episode only").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Episode opened: {IMG}")
    assert_page_is_clean(page, "the record with the episode")

    page.get_by_role("link", name="Start a visit").click()
    page.get_by_role("button", name="Start visit").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Initial assessment"))).to_be_visible()
    notes = f"Seen today. {SCRIPT} then {IMG} end."
    page.get_by_role("textbox", name="Subjective update").fill(notes)
    page.get_by_role("button", name="Save note", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Visit note saved.")
    expect(page.get_by_role("textbox", name="Subjective update")).to_have_value(notes)
    assert_page_is_clean(page, "the visit page")
    visit_page = page.url

    page.get_by_role("link", name="Start the buttock pain assessment").click()
    page.get_by_label("History notes").fill(f"History: {SCRIPT} {IMG}")
    for code in CLEAR:
        page.locator(f'input[name="{code}"][value="no"]').check()
    expect(page.locator("#reasoning-panel")).to_contain_text("Decision support only")
    assert_page_is_clean(page, "the assessment form")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("alert").filter(has_text="Assessment saved.")).to_be_visible()
    assert_page_is_clean(page, "the visit page with the assessment")
    page.get_by_role("link", name="Continue the assessment").click()
    expect(page.get_by_label("History notes")).to_have_value(f"History: {SCRIPT} {IMG}")
    assert_page_is_clean(page, "the saved assessment, open again")
    logout(page)

    # --- The Clinic admin reads the record, the audit log and the admin ----------------------
    login(page, live_server, clinic_admin)
    for path in [record, visit_page, reverse("clinic:audit_log")]:
        page.goto(path if path.startswith("http") else live_server.url + path)
        expect(page.locator("main")).to_contain_text(SCRIPT)
        assert_page_is_clean(page, path)
    page.goto(visit_page)
    page.get_by_role("link", name="View assessment").click()
    expect(page.locator("main")).to_contain_text(f"History: {SCRIPT} {IMG}")
    assert_page_is_clean(page, "the assessment, read-only")
    page.goto(live_server.url + reverse("admin:clinic_patient_changelist"))
    expect(page.locator("#changelist")).to_contain_text(SCRIPT)
    assert_page_is_clean(page, "the admin's patient list")


def test_a_locked_out_login_is_told_why_in_the_layout(
    watched, live_server, physio, browser_problems
):
    page = watched
    # The lockout page answers 429 Too Many Requests, which Chromium also logs.
    browser_problems.allow(r"HTTP 429 for POST .*/login/")
    browser_problems.allow(r"status of 429 \(Too Many Requests\)")
    page.goto(live_server.url + reverse("login"))
    for _ in range(5):
        page.get_by_label("Username").fill(physio.username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Login locked")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "Too many failed attempts: try again in 15 minutes or ask the clinic admin."
    )
    assert_page_is_clean(page, "the lockout page")


def test_the_browser_grants_the_app_no_camera_microphone_or_location(
    page, live_server, physio, settings
):
    """Chromium reads the Permissions-Policy header: every feature it names is one the
    browser knows (an unknown name would be ignored with only a warning), and each is off
    for the app's pages after login too."""
    page.goto(live_server.url + reverse("login"))
    known = set(page.evaluate("document.featurePolicy.features()"))
    assert set(settings.PERMISSIONS_POLICY) - known == set()
    login(page, live_server, physio)
    allowed = set(page.evaluate("document.featurePolicy.allowedFeatures()"))
    assert allowed & set(settings.PERMISSIONS_POLICY) == set()
    assert {"camera", "microphone", "geolocation"} <= set(settings.PERMISSIONS_POLICY)
