"""No one can act as someone else (issue 10): nobody but the user ever knows their password,
roles are separated, and every change to users, roles and passwords is in the audit log."""

import datetime
import html
import json
import re

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import accounts, services
from clinic.diary import services as diary_services
from clinic.models import CalendarFeed
from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PHYSIOTHERAPIST
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "demo-password-1"  # UserFactory's
NEW_PASSWORD = "a-brand-new-passphrase-42"
ADDRESS = "192.0.2.44"


def role(name: str) -> Group:
    return Group.objects.get(name=name)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def other_admin(db):
    user = UserFactory(username="admin2", is_staff=True)
    user.groups.add(role(CLINIC_ADMIN))
    return user


def link_in(message) -> str:
    """The one link of an email, as a path the test client can open."""
    links = re.findall(r"https?://testserver(/\S+)", message.body)
    assert len(links) == 1, message.body
    return links[0]


def set_password_through(client, link: str, password: str = NEW_PASSWORD):
    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert "new_password1" in page.text, page.text
    return client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
        follow=True,
    )


def log_in(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def change_page(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def change_user(client, user, **fields):
    """POST the admin's change form of `user` with its current values, and `fields` on top."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
    }
    if user.is_active:
        data["is_active"] = "on"
    if user.is_staff:
        data["is_staff"] = "on"
    data |= fields
    return client.post(change_page(user), data, REMOTE_ADDR=ADDRESS)


def add_user(client, **fields):
    data = {
        "username": "newphysio",
        "first_name": "Nia",
        "last_name": "Bell",
        "email": "nia.bell@clinic.example",
        "groups": [role(PHYSIOTHERAPIST).pk],
    } | fields
    return client.post(reverse("admin:auth_user_add"), data, REMOTE_ADDR=ADDRESS)


# --- Nobody types another user's password -----------------------------------------------------


@pytest.mark.parametrize("who", ["clinic_admin", "superuser"])
@pytest.mark.parametrize("target", ["physio", "superuser"])
def test_no_one_sets_another_users_password_in_the_admin(
    request, client_for, physio, superuser, who, target
):
    client = client_for(request.getfixturevalue(who))
    user = request.getfixturevalue(target)
    url = f"/admin/auth/user/{user.pk}/password/"

    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 404
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_change_form_offers_no_password_and_ignores_one_posted(client_for, superuser, physio):
    client = client_for(superuser)
    page = client.get(change_page(physio))
    assert page.status_code == 200
    assert "password/" not in page.text  # no link to a form that sets it
    assert "Send a password reset link" in page.text
    hash_before = physio.password

    response = change_user(
        client,
        physio,
        password="argon2$forged",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
    )

    assert response.status_code == 302
    physio.refresh_from_db()
    assert physio.password == hash_before


def test_a_new_user_is_created_without_a_password_even_when_one_is_posted(client_for, clinic_admin):
    client = client_for(clinic_admin)
    page = client.get(reverse("admin:auth_user_add"))
    assert 'name="password1"' not in page.text
    assert 'name="usable_password"' not in page.text

    response = add_user(
        client, password1=NEW_PASSWORD, password2=NEW_PASSWORD, usable_password="true"
    )

    assert response.status_code == 302
    user = User.objects.get(username="newphysio")
    assert not user.has_usable_password()
    assert list(user.groups.all()) == [role(PHYSIOTHERAPIST)]
    assert user.email == "nia.bell@clinic.example"


def test_a_new_user_needs_an_email_address_for_the_link(client_for, clinic_admin):
    response = add_user(client_for(clinic_admin), email="")

    assert response.status_code == 200
    assert "the link to set their password is sent there" in response.text
    assert not User.objects.filter(username="newphysio").exists()


def test_two_users_never_share_an_email_address(client_for, clinic_admin, physio):
    response = add_user(client_for(clinic_admin), email=physio.email.upper())

    assert response.status_code == 200
    assert "Another user already has this email address" in response.text
    assert not User.objects.filter(username="newphysio").exists()


# --- A new user sets their own password ---------------------------------------------------


def test_a_created_user_gets_a_link_that_sets_their_password_once(client, client_for, clinic_admin):
    add_user(client_for(clinic_admin))
    client.logout()

    # Who made the account, and where its link went, are in the log.
    user = User.objects.get(username="newphysio")
    created = user_entries(user).get(action=LogEntry.Action.CREATE)
    assert created.actor == clinic_admin and created.remote_addr == ADDRESS
    sent = user_entries(user).get(additional_data__event__startswith="Password set-up link")
    assert sent.actor == clinic_admin and "nia.bell@clinic.example" in sent.additional_data["event"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia.bell@clinic.example"]
    assert "newphysio" in message.body
    link = link_in(message)

    done = set_password_through(client, link)
    assert "Your password is set" in done.text
    assert log_in(client, "newphysio", NEW_PASSWORD).status_code == 302
    client.logout()

    # The link worked once: now it is refused, and the password stays the user's own.
    again = client.get(link, follow=True)
    assert "new_password1" not in again.text
    assert "This link has been used or is out of date" in again.text
    assert log_in(client, "newphysio", NEW_PASSWORD).status_code == 302


def test_a_user_who_lost_the_first_link_can_ask_for_another(client, client_for, clinic_admin):
    add_user(client_for(clinic_admin))
    client.logout()
    mail.outbox.clear()

    client.post(reverse("password_reset"), {"email": "nia.bell@clinic.example"})

    assert len(mail.outbox) == 1
    set_password_through(client, link_in(mail.outbox[0]))
    assert log_in(client, "newphysio", NEW_PASSWORD).status_code == 302


# --- A forgotten password ---------------------------------------------------------------------


def test_the_password_reset_flow_works_end_to_end(client, physio):
    login_page = client.get(reverse("login"))
    assert reverse("password_reset") in login_page.text

    response = client.post(reverse("password_reset"), {"email": physio.email}, follow=True)

    assert "If an account has this email address" in response.text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [physio.email]
    done = set_password_through(client, link_in(mail.outbox[0]))
    assert "Your password is set" in done.text
    assert log_in(client, "physio", PASSWORD).status_code == 200  # the old one no longer works
    assert log_in(client, "physio", NEW_PASSWORD).status_code == 302


def without_tokens(page: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)


def test_the_reset_page_does_not_say_whether_an_address_exists(client, physio):
    known = client.post(reverse("password_reset"), {"email": physio.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@else.example"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert without_tokens(known.text) == without_tokens(unknown.text)
    assert len(mail.outbox) == 1


def test_reset_links_asked_for_are_limited_per_account_without_saying_so(client, physio):
    pages = [
        client.post(reverse("password_reset"), {"email": physio.email}, follow=True)
        for _ in range(settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT + 2)
    ]

    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT == 3
    # The page after the limit is the page before it: nothing tells the limit apart from
    # an address no account has.
    assert {page.redirect_chain[-1][0] for page in pages} == {reverse("password_reset_done")}
    assert len({without_tokens(page.text) for page in pages}) == 1
    # Another address cannot send this account more either...
    client.post(reverse("password_reset"), {"email": physio.email}, REMOTE_ADDR="192.0.2.99")
    assert len(mail.outbox) == 3
    # ...and the Clinic admin still can (the limit is on the login page's form).
    accounts.password_link_send(user=physio, by=None, domain="testserver", use_https=False)
    assert len(mail.outbox) == 4


def test_reset_links_asked_for_are_limited_per_address(client, settings, physio):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 4
    users = [UserFactory(username=f"user{n}", email=f"user{n}@clinic.example") for n in range(6)]

    for user in users:
        response = client.post(
            reverse("password_reset"), {"email": user.email}, REMOTE_ADDR="198.51.100.3"
        )
        assert response.url == reverse("password_reset_done")

    assert [message.to for message in mail.outbox] == [[user.email] for user in users[:4]]
    client.post(reverse("password_reset"), {"email": physio.email}, REMOTE_ADDR="198.51.100.4")
    assert mail.outbox[-1].to == [physio.email]  # another address is not affected


def test_the_reset_limit_is_over_after_its_time(client, settings, physio):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 1
    client.post(reverse("password_reset"), {"email": physio.email})
    client.post(reverse("password_reset"), {"email": physio.email})
    assert len(mail.outbox) == 1
    LogEntry.objects.update(
        timestamp=timezone.now()
        - datetime.timedelta(minutes=settings.PASSWORD_RESET_LIMIT_MINUTES + 1)
    )

    client.post(reverse("password_reset"), {"email": physio.email})

    assert len(mail.outbox) == 2


def test_an_inactive_user_gets_no_reset_link(client, physio):
    physio.is_active = False
    physio.save()

    client.post(reverse("password_reset"), {"email": physio.email})

    assert mail.outbox == []


def test_the_clinic_admin_sends_a_reset_link_to_the_users_own_address(
    client, client_for, clinic_admin, physio
):
    admin_client = client_for(clinic_admin)
    url = reverse("admin:auth_user_password_link", args=[physio.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert physio.email in confirm.text

    response = admin_client.post(url, {"post": "yes"}, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[physio.email]]
    physio.refresh_from_db()
    assert physio.check_password(PASSWORD)  # nothing changes until the user uses the link
    admin_client.logout()
    set_password_through(client, link_in(mail.outbox[0]))
    assert log_in(client, "physio", NEW_PASSWORD).status_code == 302


def test_the_bulk_action_sends_links_only_to_users_the_admin_manages(
    client_for, clinic_admin, physio, front_desk, other_admin, superuser
):
    selected = [physio.pk, front_desk.pk, other_admin.pk, superuser.pk, clinic_admin.pk]

    response = client_for(clinic_admin).post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_links", "_selected_action": selected},
        follow=True,
    )

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [physio.email, front_desk.email]
    )
    assert "2 users were sent a password reset link" in response.text
    assert "not sent to 3 users you cannot manage" in response.text


# --- Roles are separated -----------------------------------------------------------------------


def test_the_clinic_admin_cannot_grant_clinic_admin(client_for, clinic_admin, physio):
    client = client_for(clinic_admin)

    created = add_user(client, groups=[role(CLINIC_ADMIN).pk])
    changed = change_user(client, physio, groups=[role(CLINIC_ADMIN).pk])

    assert created.status_code == 200 and changed.status_code == 200
    assert "Select a valid choice" in changed.text
    assert not User.objects.filter(username="newphysio").exists()
    assert not physio.groups.filter(name=CLINIC_ADMIN).exists()
    page = client.get(change_page(physio)).text
    assert f'value="{role(CLINIC_ADMIN).pk}"' not in page


def test_the_clinic_admin_gives_and_takes_physio_and_front_desk(client_for, clinic_admin, physio):
    response = change_user(client_for(clinic_admin), physio, groups=[role(FRONT_DESK).pk])

    assert response.status_code == 302
    assert [group.name for group in physio.groups.all()] == [FRONT_DESK]


def test_posted_flags_and_permissions_are_ignored_for_the_clinic_admin(
    client_for, clinic_admin, physio
):
    permission = Permission.objects.get(codename="view_audit_log")

    response = change_user(
        client_for(clinic_admin),
        physio,
        is_superuser="on",
        is_staff="on",
        user_permissions=[permission.pk],
        username="renamed",
    )

    assert response.status_code == 302
    physio.refresh_from_db()
    assert not physio.is_superuser and not physio.is_staff
    assert not physio.user_permissions.exists()
    assert physio.username == "physio"


def test_groups_the_clinic_admin_cannot_give_are_kept(client_for, clinic_admin, physio):
    locum = Group.objects.create(name="Locum")
    physio.groups.add(locum)

    change_user(client_for(clinic_admin), physio, groups=[role(PHYSIOTHERAPIST).pk])

    assert set(physio.groups.values_list("name", flat=True)) == {PHYSIOTHERAPIST, "Locum"}


def test_the_clinic_admin_cannot_change_their_own_account(client_for, clinic_admin):
    client = client_for(clinic_admin)
    page = client.get(change_page(clinic_admin))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text  # read-only

    response = change_user(
        client, clinic_admin, groups=[role(CLINIC_ADMIN).pk, role(PHYSIOTHERAPIST).pk]
    )

    assert response.status_code == 403
    assert not clinic_admin.groups.filter(name=PHYSIOTHERAPIST).exists()


@pytest.mark.parametrize("target", ["other_admin", "superuser"])
def test_the_clinic_admin_cannot_edit_or_deactivate_an_admin_or_a_superuser(
    request, client_for, clinic_admin, target
):
    user = request.getfixturevalue(target)
    client = client_for(clinic_admin)
    assert 'name="_save"' not in client.get(change_page(user)).text

    response = change_user(client, user, is_active="", first_name="Changed")

    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active and user.first_name != "Changed"
    assert client.get(reverse("admin:auth_user_password_link", args=[user.pk])).status_code == 403


def test_the_clinic_admin_deactivates_a_physio(client, client_for, clinic_admin, physio):
    physios_session = Client()
    physios_session.force_login(physio)
    assert physios_session.get(reverse("clinic:home")).status_code == 200

    response = change_user(client_for(clinic_admin), physio, is_active="")

    assert response.status_code == 302
    physio.refresh_from_db()
    assert not physio.is_active
    client.logout()
    assert log_in(client, "physio", PASSWORD).status_code == 200  # refused
    assert physios_session.get(reverse("clinic:home")).status_code == 302  # logged out


def test_deactivating_a_user_ends_their_sessions_and_feed_for_good(
    client_for, clinic_admin, physio, other_physio
):
    physios_session = Client()
    physios_session.force_login(physio)
    colleagues_session = Client()
    colleagues_session.force_login(other_physio)
    feed = diary_services.calendar_feed_renew(practitioner=physio)
    feed_url = reverse("clinic:calendar_feed", args=[physio.pk, feed.token])
    admin = client_for(clinic_admin)

    change_user(admin, physio, is_active="")

    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(physio.pk)
    ]
    assert not CalendarFeed.objects.filter(practitioner=physio).exists()
    # Given back the account (a mistake, or their return), the old session and the old
    # feed address stay dead: whoever held them is not let back in.
    physio.refresh_from_db()
    change_user(admin, physio, is_active="on")
    physio.refresh_from_db()
    assert physio.is_active
    assert physios_session.get(reverse("clinic:home")).status_code == 302
    assert Client().get(feed_url).status_code == 404
    # Nobody else was logged out.
    assert colleagues_session.get(reverse("clinic:home")).status_code == 200


def test_a_user_deactivated_by_other_code_is_logged_out_too(physio):
    session = Client()
    session.force_login(physio)

    physio.is_active = False
    physio.save()
    physio.is_active = True
    physio.save()

    assert session.get(reverse("clinic:home")).status_code == 302


SAME_NAME = "Another active user is already called Priya Shah (physio)"


def test_a_user_cannot_be_renamed_to_a_colleague_s_full_name(
    client_for, clinic_admin, physio, other_physio
):
    response = change_user(
        client_for(clinic_admin), other_physio, first_name="priya ", last_name="SHAH"
    )

    assert response.status_code == 200
    assert SAME_NAME in html.unescape(response.text)
    other_physio.refresh_from_db()
    assert other_physio.get_full_name() == "Tom Reed"


def test_a_new_user_cannot_take_a_colleague_s_full_name(client_for, clinic_admin, physio):
    response = add_user(client_for(clinic_admin), first_name="Priya", last_name="Shah")

    assert SAME_NAME in html.unescape(response.text)
    assert not User.objects.filter(username="newphysio").exists()


def test_a_deactivated_colleague_s_name_may_be_used_again(client_for, clinic_admin, physio):
    physio.is_active = False
    physio.save()

    response = add_user(client_for(clinic_admin), first_name="Priya", last_name="Shah")

    assert response.status_code == 302
    assert User.objects.filter(username="newphysio", is_active=True).exists()


def test_a_signed_visit_names_its_signer_with_their_user_name(client_for, physio, visit):
    visit = services.visit_sign(visit=visit, user=physio)
    services.addendum_add(visit=visit, author=physio, text="Seen again.", reason="Late entry")

    page = html.unescape(client_for(physio).get(visit.get_absolute_url()).text)

    assert "Signed by Priya Shah (physio)," in page
    assert "Late entry · Priya Shah (physio)," in page


def test_a_superuser_grants_clinic_admin(client_for, superuser, physio):
    response = change_user(
        client_for(superuser), physio, groups=[role(PHYSIOTHERAPIST).pk, role(CLINIC_ADMIN).pk]
    )

    assert response.status_code == 302
    physio.refresh_from_db()
    assert physio.groups.filter(name=CLINIC_ADMIN).exists()
    assert physio.is_staff  # the administration needs it


def test_a_superuser_creates_a_clinic_admin(client_for, superuser):
    response = add_user(client_for(superuser), username="newadmin", groups=[role(CLINIC_ADMIN).pk])

    assert response.status_code == 302
    user = User.objects.get(username="newadmin")
    assert user.is_staff and not user.has_usable_password()


def test_no_one_deletes_a_user_in_the_admin(client_for, superuser, physio):
    client = client_for(superuser)
    delete = reverse("admin:auth_user_delete", args=[physio.pk])

    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [physio.pk], "post": "yes"},
    )
    assert User.objects.filter(pk=physio.pk).exists()


def test_the_clinic_admin_cannot_change_a_roles_permissions(client_for, clinic_admin):
    physios = role(PHYSIOTHERAPIST)
    count = physios.permissions.count()
    url = reverse("admin:auth_group_change", args=[physios.pk])

    response = client_for(clinic_admin).post(url, {"name": physios.name, "permissions": []})

    assert response.status_code == 403
    assert physios.permissions.count() == count


# --- An email address is the user's own -------------------------------------------------------


@pytest.mark.parametrize("who", ["clinic_admin", "superuser"])
def test_no_one_takes_over_an_account_by_changing_its_email(
    request, client, client_for, physio, superuser, who
):
    admin_client = client_for(request.getfixturevalue(who))

    change_user(admin_client, physio, email="attacker@evil.example")
    admin_client.post(reverse("admin:auth_user_password_link", args=[physio.pk]), {"post": "yes"})
    admin_client.logout()
    client.post(reverse("password_reset"), {"email": "attacker@evil.example"})

    physio.refresh_from_db()
    assert physio.email == "physio@clinic.example"
    assert all(message.to == ["physio@clinic.example"] for message in mail.outbox)


def test_a_mistyped_address_is_corrected_until_the_user_sets_a_password(client_for, clinic_admin):
    client = client_for(clinic_admin)
    add_user(client, email="nia.bel@clinic.example")
    user = User.objects.get(username="newphysio")

    response = change_user(client, user, email="nia.bell@clinic.example")

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "nia.bell@clinic.example"


def test_a_user_changes_their_own_email_with_their_password(client_for, physio):
    client = client_for(physio)
    account = client.get(reverse("account"))
    assert reverse("account_email") in account.text

    wrong = client.post(
        reverse("account_email"), {"email": "priya@new.example", "password": "wrong"}
    )
    assert "Your password was not right" in wrong.text
    physio.refresh_from_db()
    assert physio.email == "physio@clinic.example"

    client.post(
        reverse("account_email"),
        {"email": "priya@new.example", "password": PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    physio.refresh_from_db()
    assert physio.email == "priya@new.example"
    # The old address is told, and the log says who changed it.
    assert [message.to for message in mail.outbox] == [["physio@clinic.example"]]
    assert "priya@new.example" in mail.outbox[0].body
    entry = user_entries(physio).get(UPDATED, changes__has_key="email")
    assert entry.actor == physio and entry.remote_addr == ADDRESS
    assert entry.additional_data["event"] == "Changed their own email address"


def test_a_user_cannot_take_an_address_another_user_has(client_for, physio, other_physio):
    response = client_for(physio).post(
        reverse("account_email"), {"email": other_physio.email, "password": PASSWORD}
    )

    assert "Another user already has this email address" in response.text
    physio.refresh_from_db()
    assert physio.email == "physio@clinic.example"


# --- Every user changes their own password ----------------------------------------------------


@pytest.mark.parametrize("who", ["physio", "clinic_admin", "front_desk", "no_role_user"])
def test_every_user_changes_their_own_password_in_the_app(request, client, client_for, who):
    user = request.getfixturevalue(who)
    logged_in = client_for(user)
    home = logged_in.get(reverse("clinic:home")).text
    assert reverse("account") in home
    assert reverse("password_change") in logged_in.get(reverse("account")).text

    response = logged_in.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert "Your password is changed" in response.text
    assert logged_in.get(reverse("clinic:home")).status_code == 200  # still logged in
    logged_in.logout()
    assert log_in(client, user.username, NEW_PASSWORD).status_code == 302


def test_changing_the_password_needs_the_old_one(client_for, physio):
    response = client_for(physio).post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    physio.refresh_from_db()
    assert physio.check_password(PASSWORD)


# --- The audit log -----------------------------------------------------------------------------


def user_entries(user):
    return LogEntry.objects.get_for_object(user).order_by("timestamp", "pk")


UPDATED = Q(action=LogEntry.Action.UPDATE)


def test_role_and_flag_changes_are_logged_with_who_and_from_where(client_for, superuser, physio):
    change_user(
        client_for(superuser),
        physio,
        groups=[role(FRONT_DESK).pk],
        is_active="",
        is_staff="on",
        is_superuser="on",
    )

    entries = list(user_entries(physio).filter(actor=superuser))
    assert entries and all(entry.remote_addr == ADDRESS for entry in entries)
    changes = {field: value for entry in entries for field, value in entry.changes_dict.items()}
    assert changes["is_active"] == ["True", "False"]
    assert changes["is_staff"] == ["False", "True"]
    assert changes["is_superuser"] == ["False", "True"]
    groups = [entry.changes_dict["groups"] for entry in entries if "groups" in entry.changes_dict]
    assert {"operation": "add", "objects": [FRONT_DESK], "type": "m2m"} in groups
    assert {"operation": "delete", "objects": [PHYSIOTHERAPIST], "type": "m2m"} in groups


def test_a_roles_permission_change_is_logged(client_for, superuser):
    physios = role(PHYSIOTHERAPIST)
    kept = list(physios.permissions.values_list("pk", flat=True))
    sign = Permission.objects.get(codename="sign_visit")
    kept.remove(sign.pk)

    client_for(superuser).post(
        reverse("admin:auth_group_change", args=[physios.pk]),
        {"name": physios.name, "permissions": kept},
        REMOTE_ADDR=ADDRESS,
    )

    entry = LogEntry.objects.get_for_object(physios).filter(actor=superuser).get()
    assert entry.actor == superuser and entry.remote_addr == ADDRESS
    assert entry.changes_dict["permissions"]["operation"] == "delete"
    assert entry.changes_dict["permissions"]["objects"] == [str(sign)]


def _no_hash_in(entries, *hashes) -> None:
    text = json.dumps([[entry.changes, entry.serialized_data] for entry in entries])
    for value in hashes:
        assert value not in text
        assert value[-20:] not in text  # not even a part of it


def test_password_changes_are_logged_without_the_hash(client, client_for, physio):
    old_hash = physio.password
    logged_in = client_for(physio)
    logged_in.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    physio.refresh_from_db()

    entry = user_entries(physio).filter(UPDATED, changes__has_key="password").get()
    assert entry.actor == physio and entry.remote_addr == ADDRESS
    assert entry.additional_data["event"] == "Changed their own password"
    _no_hash_in(user_entries(physio), old_hash, physio.password)


def test_a_password_set_through_a_link_is_logged_as_the_users(client, physio):
    client.post(reverse("password_reset"), {"email": physio.email}, REMOTE_ADDR=ADDRESS)
    old_hash = physio.password
    sent = user_entries(physio).get(additional_data__event__startswith="Password reset link")
    assert sent.actor is None and sent.remote_addr == ADDRESS

    link = link_in(mail.outbox[0])
    page = client.get(link, follow=True, REMOTE_ADDR=ADDRESS)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    physio.refresh_from_db()

    entry = user_entries(physio).filter(UPDATED, changes__has_key="password").get()
    assert entry.actor == physio and entry.remote_addr == ADDRESS
    assert entry.additional_data["event"] == "Set their password with an emailed link"
    _no_hash_in(user_entries(physio), old_hash, physio.password)


def test_a_reset_link_sent_by_the_admin_is_logged(client_for, clinic_admin, physio):
    client_for(clinic_admin).post(
        reverse("admin:auth_user_password_link", args=[physio.pk]),
        {"post": "yes"},
        REMOTE_ADDR=ADDRESS,
    )

    entry = user_entries(physio).get(additional_data__event__startswith="Password reset link")
    assert entry.actor == clinic_admin and entry.remote_addr == ADDRESS
    assert physio.email in entry.additional_data["event"]


def test_the_address_logged_is_the_one_our_proxies_saw(client_for, settings, superuser, physio):
    settings.TRUSTED_PROXY_COUNT = 1
    client = client_for(superuser)
    client.post(
        change_page(physio),
        {
            "username": physio.username,
            "email": physio.email,
            "first_name": "Changed",
            "last_name": physio.last_name,
            "is_active": "on",
            "groups": [role(PHYSIOTHERAPIST).pk],
        },
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.7",  # the first entry is the client's word
    )

    entry = user_entries(physio).filter(UPDATED, changes__has_key="first_name").get()
    assert entry.remote_addr == "203.0.113.7"


def test_the_audit_page_shows_account_changes_readably(client_for, superuser, physio):
    old_hash = physio.password
    client = client_for(superuser)
    change_user(client, physio, groups=[role(FRONT_DESK).pk], is_active="")
    physio.set_password(NEW_PASSWORD)
    physio.save()

    page = client.get(reverse("clinic:audit_log"), {"account": "physio"})

    assert page.status_code == 200
    rows = {entry.pk for entry in page.context["page"]}
    assert rows == set(user_entries(physio).values_list("pk", flat=True))
    assert "groups</strong>: added Front desk" in page.text
    assert "groups</strong>: removed Physiotherapist" in page.text
    assert "is_active</strong>: True → False" in page.text
    assert "password</strong>: •••••• → ••••••" in page.text
    assert old_hash not in page.text and physio.password not in page.text


def test_the_backup_holds_the_account_changes_and_no_hash_in_them(
    tmp_path, client_for, superuser, physio
):
    change_user(client_for(superuser), physio, groups=[role(FRONT_DESK).pk])
    physio.set_password(NEW_PASSWORD)
    physio.save()
    backup = tmp_path / "clinic.json"

    call_command("backup", output=str(backup), verbosity=0)

    rows = json.loads(backup.read_text())
    logged = [
        row["fields"]["changes"]
        for row in rows
        if row["model"] == "auditlog.logentry"
        and row["fields"]["object_id"] == physio.pk
        and row["fields"]["action"] == LogEntry.Action.UPDATE
    ]
    assert any("groups" in changes for changes in logged if changes)
    assert any("password" in changes for changes in logged if changes)
    assert physio.password not in json.dumps(logged)
