"""Login lockout, the Content Security Policy, oversized input, and the Django admin for the
Clinic admin only (issue 7, "Hostile and broken input" and "Permissions, proven")."""

import re
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from assessments.models import Assessment
from clinic.lockout import client_address
from clinic.models import Patient
from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PHYSIOTHERAPIST
from tests.factories import UserFactory
from treatments.models import VisitNote

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-password-1"  # UserFactory's
LOCKED = "Too many failed attempts: try again in 15 minutes or ask the clinic admin."


def log_in(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Login lockout (django-axes) ------------------------------------------------------------


def test_five_wrong_passwords_lock_the_login_even_for_the_right_one(client, physio):
    for _ in range(4):
        response = log_in(client, "physio", "wrong")
        assert response.status_code == 200
        assert "did not match" in response.text
    response = log_in(client, "physio", "wrong")
    assert response.status_code == 429

    response = log_in(client, "physio", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.text
    assert "Log out" not in response.text  # the app's layout, logged out
    assert not is_logged_in(client)


def test_a_successful_login_clears_the_failures(client, physio):
    for _ in range(4):
        log_in(client, "physio", "wrong")
    assert log_in(client, "physio", PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        log_in(client, "physio", "wrong")
    assert log_in(client, "physio", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_the_lock_is_for_that_user_name_from_that_address(client, physio, other_physio):
    for _ in range(5):
        log_in(client, "physio", "wrong", address="10.0.0.1")

    # Another user at the same computer, and the same user at another, still log in.
    assert log_in(client, "physio2", PASSWORD, address="10.0.0.1").status_code == 302
    client.logout()
    assert log_in(client, "physio", PASSWORD, address="10.0.0.2").status_code == 302


def test_the_admin_login_is_locked_too(client, clinic_admin):
    admin_login = reverse("admin:login")
    for _ in range(5):
        client.post(admin_login, {"username": "admin", "password": "wrong"})

    response = client.post(admin_login, {"username": "admin", "password": PASSWORD})

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_clinic_admin_unlocks_a_user_in_the_admin(client, client_for, physio, clinic_admin):
    for _ in range(5):
        log_in(client, "physio", "wrong")
    assert log_in(client, "physio", PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="physio")

    admin_client = client_for(clinic_admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200
    assert "physio" in page.text
    response = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    admin_client.logout()

    assert log_in(client, "physio", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_the_right_password_while_locked_is_refused_without_counting_or_extending(
    client, physio, other_physio
):
    for _ in range(5):
        log_in(client, "physio", "wrong", address="10.0.0.9")
    locked = AccessAttempt.objects.get(username="physio")

    # The physio tries again and again, as someone locked out does: each is refused...
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS):
        response = log_in(client, "physio", PASSWORD, address="10.0.0.9")
        assert response.status_code == 429 and LOCKED in response.text
    assert log_in(client, "physio", "wrong", address="10.0.0.9").status_code == 429

    # ...without counting as a failure, nor moving the end of the lock...
    attempt = AccessAttempt.objects.get(username="physio")
    assert attempt.failures_since_start == 5
    assert attempt.attempt_time == locked.attempt_time
    # ...nor locking the colleagues who share the computer's address.
    assert log_in(client, "physio2", PASSWORD, address="10.0.0.9").status_code == 302


@pytest.mark.parametrize("page", ["account_email", "password_change"])
def test_guessing_the_password_on_the_account_pages_is_locked_like_a_login(
    client, client_for, physio, page
):
    def attempt(password: str):
        data = (
            {"email": "thief@example.com", "password": password}
            if page == "account_email"
            else {
                "old_password": password,
                "new_password1": "x7!Qp-new",
                "new_password2": "x7!Qp-new",
            }
        )
        return logged_in.post(reverse(page), data, REMOTE_ADDR="10.0.0.20")

    logged_in = client_for(physio)
    for _ in range(4):
        assert attempt("wrong").status_code == 200
    response = attempt("wrong")
    assert response.status_code == 429 and LOCKED in response.text

    assert attempt(PASSWORD).status_code == 429  # the right one too, while locked
    kept = AccessAttempt.objects.get(username="physio").post_data
    assert "wrong" not in kept and "x7!Qp-new" not in kept  # what was typed is not kept
    physio.refresh_from_db()
    assert physio.email == "physio@clinic.example" and physio.check_password(PASSWORD)
    # The login form from that address is locked for the name as well.
    client.logout()
    assert log_in(client, "physio", PASSWORD, address="10.0.0.20").status_code == 429


def test_the_right_password_on_an_account_page_still_changes_the_email(client_for, physio):
    response = client_for(physio).post(
        reverse("account_email"), {"email": "priya@new.example", "password": PASSWORD}
    )

    assert response.status_code == 302
    physio.refresh_from_db()
    assert physio.email == "priya@new.example"


SPRAYED = "Too many failed logins from this computer's address: try again in 15 minutes or ask the clinic admin."


def spray(client, count: int, address: str):
    """One wrong password for each of `count` different user names, from one address."""
    for number in range(count):
        response = log_in(client, f"guess{number}", "Winter2025!", address=address)
    return response


def test_one_address_trying_many_user_names_is_locked_at_its_own_limit(
    client, physio, other_physio
):
    limit = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    assert limit == 20  # the default, above the five wrong passwords per user name
    assert spray(client, limit - 1, "203.0.113.50").status_code == 200

    response = spray(client, 1, "203.0.113.50")

    assert response.status_code == 429
    assert SPRAYED in response.text
    # Locked for every user name from that address, even with the right password...
    response = log_in(client, "physio", PASSWORD, address="203.0.113.50")
    assert response.status_code == 429
    assert not is_logged_in(client)
    # ...while another address is not affected.
    assert log_in(client, "physio2", PASSWORD, address="203.0.113.51").status_code == 302


def test_below_the_address_limit_everyone_at_that_address_still_logs_in(client, physio):
    spray(client, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS - 1, "203.0.113.60")

    assert log_in(client, "physio", PASSWORD, address="203.0.113.60").status_code == 302


def test_the_address_limit_is_a_setting(client, settings, physio):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    assert spray(client, 7, "203.0.113.70").status_code == 200
    assert spray(client, 1, "203.0.113.70").status_code == 429


def test_the_clinic_admin_unlocks_an_address(client, client_for, clinic_admin, physio):
    spray(client, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS, "203.0.113.80")
    admin_client = client_for(clinic_admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    found = admin_client.get(changelist, {"q": "203.0.113.80"})
    attempts = [attempt.pk for attempt in found.context["cl"].result_list]
    assert len(attempts) == settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    admin_client.logout()

    assert log_in(client, "physio", PASSWORD, address="203.0.113.80").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.5"),  # no proxy of ours: the header is the client's word
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the forged first entry is ignored
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, "", "10.0.0.5"),
    ],
)
def test_the_lock_is_by_the_address_our_proxies_saw(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded
    )
    assert client_address(request) == expected


def test_force_login_and_client_login_still_work(client, physio):
    assert client.login(username="physio", password=PASSWORD)
    assert client.get(reverse("clinic:patient_list")).status_code == 200
    client.logout()
    client.force_login(physio)
    assert client.get(reverse("clinic:patient_list")).status_code == 200


# --- Content Security Policy -----------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("url", ["login", "clinic:home", "clinic:patient_list", "admin:index"])
def test_every_page_carries_the_strict_policy(client_for, clinic_admin, url):
    response = client_for(clinic_admin).get(reverse(url))

    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_the_lockout_and_error_pages_carry_the_policy_too(client, physio):
    for _ in range(5):
        response = log_in(client, "physio", "wrong")
    assert response.status_code == 429
    assert _policy(response)["script-src"] == ["'self'"]
    response = client.get("/no-such-page/")
    assert _policy(response)["script-src"] == ["'self'"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on... event handler attribute"),
    (re.compile(r"\bhx-on\b|hx-on:|javascript:|\bjs:", re.I), "script in an attribute"),
]


def _templates() -> list[Path]:
    folders = [ROOT / "templates"] + [
        ROOT / app / "templates" for app in ("clinic", "assessments", "treatments")
    ]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def test_no_template_has_inline_script_or_style():
    """The policy allows no inline script or style: the browser would refuse it. Scripts go
    in static files (see treatments/static/treatments/print.js for a button's handler)."""
    found = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}: {what}"
        for path in _templates()
        for text in [path.read_text(encoding="utf-8")]
        for pattern, what in INLINE
        for match in pattern.finditer(text)
    ]
    assert found == []


def test_htmx_adds_no_inline_style(client_for, physio):
    page = client_for(physio).get(reverse("clinic:home")).text
    assert '"includeIndicatorStyles": false' in page
    css = (ROOT / "clinic/static/clinic/clinic.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_deploy_settings_keep_the_policy_and_the_lockout():
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_HANDLER == "clinic.lockout.AddressLimitHandler"
    assert settings.AXES_RESET_ON_SUCCESS


# --- Oversized input -----------------------------------------------------------------------

HUGE = "x" * 100_000


def test_a_huge_visit_note_is_refused_with_the_limit_and_nothing_is_saved(
    client_for, physio, visit
):
    response = client_for(physio).post(visit.get_absolute_url(), {"notes": HUGE})

    assert response.status_code == 200
    assert "at most 5000 characters (it has 100000)" in response.text
    visit.refresh_from_db()
    assert visit.notes == ""


def test_a_huge_soap_note_is_refused(client_for, physio, visit):
    url = reverse("treatments:visit_note_save", args=[visit.pk])
    response = client_for(physio).post(url, {"subjective": HUGE, "plan": "Walk daily"})

    assert "at most 5000 characters (it has 100000)" in response.text
    assert not VisitNote.objects.exists()


@pytest.mark.parametrize("action", ["save", "draft"])
def test_a_huge_assessment_note_is_refused_even_as_a_draft(client_for, physio, visit, action):
    url = reverse("assessments:assessment_edit", args=[visit.pk, "buttock_pain"])
    response = client_for(physio).post(url, {"history_notes": HUGE, "action": action})

    assert response.status_code == 200
    assert "at most 5000 characters (it has 100000)" in response.text
    assert not Assessment.objects.exists()


def test_a_huge_address_is_refused_and_no_patient_is_registered(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"),
        {
            "given_name": "Ann",
            "family_name": "Long",
            "date_of_birth": "1970-01-01",
            "sex": "female",
            "address": HUGE,
        },
    )

    assert response.status_code == 200
    assert "at most 500 characters (it has 100000)" in response.text
    assert not Patient.objects.filter(family_name="Long").exists()


def test_a_huge_name_is_refused(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"),
        {"given_name": HUGE, "family_name": "Long", "date_of_birth": "1970-01-01"},
    )

    assert "at most 100 characters (it has 100000)" in response.text
    assert not Patient.objects.filter(family_name="Long").exists()


def test_a_request_over_the_upload_limit_gets_a_page_saying_so(client_for, physio, visit):
    response = client_for(physio).post(
        visit.get_absolute_url(), {"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )

    assert response.status_code == 400
    assert "too large" in response.text
    visit.refresh_from_db()
    assert visit.notes == ""


# --- The Django admin: the Clinic admin only --------------------------------------------------


def _staff(role: str | None, username: str, **extra):
    user = UserFactory(username=username, is_staff=True, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.mark.parametrize(
    "role", [PHYSIOTHERAPIST, FRONT_DESK, None], ids=["physio", "front_desk", "no_role"]
)
@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/clinic/visit/", "/admin/auth/user/", "/admin/auditlog/logentry/"]
)
def test_staff_without_the_clinic_admin_role_are_kept_out_of_the_admin(client_for, role, url):
    user = _staff(role, "staffer")
    # Even a permission of their own does not let them in.
    user.user_permissions.add(*Group.objects.get(name=CLINIC_ADMIN).permissions.all())

    response = client_for(user).get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    login_page = client_for(user).get(response.url)
    assert "not authorized to access this page" in login_page.text


def test_staff_without_the_role_cannot_log_in_to_the_admin(client):
    _staff(PHYSIOTHERAPIST, "staffer")
    response = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": "staffer", "password": PASSWORD}
    )
    assert response.status_code == 200  # the login form again, with its error
    assert "for the clinic admin only" in response.text
    assert not is_logged_in(client)


def test_the_clinic_admin_and_superusers_get_in(client_for, clinic_admin):
    assert client_for(clinic_admin).get("/admin/").status_code == 200
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert client_for(superuser).get("/admin/").status_code == 200


def test_an_inactive_or_non_staff_clinic_admin_is_kept_out(client_for, clinic_admin):
    clinic_admin.is_staff = False
    clinic_admin.save()
    assert client_for(clinic_admin).get("/admin/").status_code == 302


def test_the_admin_nav_link_is_only_for_the_clinic_admin(client_for, clinic_admin, physio):
    assert "Administration" in client_for(clinic_admin).get(reverse("clinic:home")).text
    physio.is_staff = True
    physio.save()
    assert "Administration" not in client_for(physio).get(reverse("clinic:home")).text


@pytest.fixture
def log_entry(client_for, physio, patient):
    client_for(physio).post(
        reverse("clinic:patient_update", args=[patient.pk]),
        {
            "given_name": "Janet",
            "family_name": "Doe",
            "date_of_birth": patient.date_of_birth.isoformat(),
            "sex": "female",
        },
    )
    return LogEntry.objects.get_for_object(patient).latest("timestamp")


@pytest.mark.parametrize("who", ["clinic_admin", "superuser"])
def test_the_audit_log_is_read_only_in_the_admin(request, client_for, log_entry, who):
    user = (
        UserFactory(username="root", is_staff=True, is_superuser=True)
        if who == "superuser"
        else request.getfixturevalue("clinic_admin")
    )
    client = client_for(user)
    changelist = reverse("admin:auditlog_logentry_changelist")
    change = reverse("admin:auditlog_logentry_change", args=[log_entry.pk])
    # Every entry but the ones this test adds by reading the log (reads are logged too).
    entries = list(LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).values())

    listing = client.get(changelist)
    assert listing.status_code == 200
    assert "delete_selected" not in listing.text
    detail = client.get(change)
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.text
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    assert client.post(change, {"action": 2}).status_code == 403
    delete = reverse("admin:auditlog_logentry_delete", args=[log_entry.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [log_entry.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert list(LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).values()) == entries
    assert LogEntry.objects.filter(pk=log_entry.pk).exists()


# --- Users created in the admin have a role -------------------------------------------------


def _add_user(client, **extra):
    data = {"username": "newphysio", "email": "new.physio@clinic.example"}
    return client.post(reverse("admin:auth_user_add"), data | extra)


def test_a_user_created_in_the_admin_needs_a_role(client_for, clinic_admin):
    response = _add_user(client_for(clinic_admin))

    assert response.status_code == 200
    assert "Give the user a role" in response.text
    assert not get_user_model().objects.filter(username="newphysio").exists()


def test_a_user_created_in_the_admin_gets_the_chosen_role(client_for, clinic_admin):
    physios = Group.objects.get(name=PHYSIOTHERAPIST)

    response = _add_user(client_for(clinic_admin), groups=[physios.pk])

    assert response.status_code == 302
    user = get_user_model().objects.get(username="newphysio")
    assert list(user.groups.all()) == [physios]


def _change_user(client, user, **fields):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
    } | fields
    return client.post(reverse("admin:auth_user_change", args=[user.pk]), data)


def test_a_staff_user_cannot_be_left_without_a_role(client_for):
    user = UserFactory(username="helper")
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)

    response = _change_user(client_for(superuser), user, is_staff="on")

    assert response.status_code == 200
    assert "A staff user needs a role" in response.text
    user.refresh_from_db()
    assert not user.is_staff


def test_only_a_superuser_makes_superusers(client_for, clinic_admin, physio):
    response = _change_user(
        client_for(clinic_admin),
        physio,
        groups=[Group.objects.get(name=PHYSIOTHERAPIST).pk],
        is_superuser="on",
    )

    assert response.status_code == 302
    physio.refresh_from_db()
    assert not physio.is_superuser


# --- The admin's lists and lookups they cannot take -------------------------------------------

HUGE_ID = "99999999999999999999999"  # beyond any database's integer


def _bad_lookups(model_admin) -> list[dict[str, str]]:
    """Parameters a list offers to build (its date drill-down, its filters) with values that
    no date or integer can hold."""
    lookups = []
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        lookups += [
            {f"{field}__year": "9999"},
            {f"{field}__year": "9999", f"{field}__month": "12"},
            {f"{field}__year": "9999", f"{field}__month": "12", f"{field}__day": "31"},
            {f"{field}__year": "99999999999999999999"},
        ]
    for name in model_admin.list_filter:
        if isinstance(name, str):
            lookups += [{f"{name}__exact": HUGE_ID}, {f"{name}__id__exact": HUGE_ID}]
    return lookups


ADMIN_LISTS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if _bad_lookups(model_admin)
]


@pytest.mark.parametrize(
    ("model", "model_admin"), ADMIN_LISTS, ids=[model._meta.label for model, _ in ADMIN_LISTS]
)
def test_a_lookup_no_date_or_number_can_hold_is_a_bad_lookup_not_a_server_error(
    client_for, model, model_admin
):
    client = client_for(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for lookup in _bad_lookups(model_admin):
        response = client.get(url, lookup)

        # A text field's filter just finds nothing; a lookup that cannot be taken gets
        # Django's answer to any bad lookup: the list again, flagged with ?e=1.
        answer = (response.status_code, response.get("Location"))
        assert answer in [(200, None), (302, f"{url}?e=1")], lookup


def test_the_appointments_list_asked_for_year_9999_says_so(client_for, clinic_admin):
    url = reverse("admin:clinic_appointment_changelist")

    response = client_for(clinic_admin).get(url, {"start__year": "9999"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(f"{url}?e=1", 302)]
