"""User accounts: who may manage whom, and the emailed links by which users set their own
password. No one ever types a password for someone else in the app: a new user, and one who
forgot theirs, gets a one-time link (Django's password-reset tokens) at their own address.

- A superuser manages every account and gives any role.
- The Clinic admin manages the Physiotherapist and Front desk accounts and gives or takes
  those two roles only; never their own account, another Clinic admin's or a superuser's.
- An account's email address is its owner's: it may be corrected until the user first sets
  a password, and after that only the user changes it (with their password). Otherwise an
  admin could point it at themselves and send themselves a reset link.
"""

import logging
import smtplib
from datetime import timedelta
from importlib import import_module

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_save, pre_save
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.host import ClinicError

from .admin_site import is_clinic_admin
from .audit import acting
from .diary.services import calendar_feed_revoke
from .roles import CLINIC_ADMIN, FRONT_DESK, PHYSIOTHERAPIST

logger = logging.getLogger(__name__)

# The roles the Clinic admin gives and takes; only a superuser gives Clinic admin.
ROLES_THE_CLINIC_ADMIN_GIVES = (PHYSIOTHERAPIST, FRONT_DESK)


class AccountError(ClinicError):
    """An account could not be changed as asked; the message says why."""


def grantable_roles(actor) -> QuerySet[Group]:
    """The groups `actor` may give to (and take from) other users."""
    if actor.is_active and actor.is_superuser:
        return Group.objects.order_by("name")
    if is_clinic_admin(actor):
        return Group.objects.filter(name__in=ROLES_THE_CLINIC_ADMIN_GIVES).order_by("name")
    return Group.objects.none()


def may_manage(actor, user) -> bool:
    """Whether `actor` may change `user`'s account (details, roles, active, reset links)."""
    if actor.is_active and actor.is_superuser:
        return True
    if not is_clinic_admin(actor) or user.pk == actor.pk:
        return False
    return not (user.is_superuser or user.groups.filter(name=CLINIC_ADMIN).exists())


def email_correctable(user) -> bool:
    """An address can be corrected (a typo) until the user first sets their password."""
    return user.pk is None or (not user.has_usable_password() and user.last_login is None)


def email_taken(email: str, *, other_than=None) -> bool:
    users = get_user_model().objects.filter(email__iexact=email.strip())
    if other_than is not None:
        users = users.exclude(pk=other_than.pk)
    return users.exists()


def password_confirmed(request, user, password: str) -> bool:
    """Whether `password` is `user`'s own, asked again by a page that changes the account
    (their email address, their password). Checked like a login, through authenticate():
    django-axes counts a wrong one towards the same lockout (per user name and address,
    and per address) and refuses any while locked, so a session left open is no way
    round the lockout to guess the password."""
    return authenticate(request, username=user.get_username(), password=password) == user


def active_namesake(first_name: str, last_name: str, *, other_than=None):
    """An active user with this full name (case and spaces aside), or None. Records name
    whoever signed them, so two active users never share a name."""
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
        )
        .exclude(first_name="", last_name="")
    )
    if other_than is not None:
        users = users.exclude(pk=other_than.pk)
    return users.order_by("pk").first()


def is_new_account(user) -> bool:
    return not user.has_usable_password() and user.last_login is None


def password_link_send(*, user, by, domain: str, use_https: bool, asked_by_user: bool = False):
    """Email `user` a one-time link to set their password: a welcome for a new account, a
    reset otherwise. The link stops working once used (the token covers the password hash
    and the last login) and after PASSWORD_RESET_TIMEOUT. Logged, with the address it went to.
    """
    if not user.email:
        raise AccountError(f"{user.get_username()} has no email address to send a link to.")
    if not user.is_active:
        raise AccountError(f"{user.get_username()}'s account is deactivated: no link is sent.")
    new_account = is_new_account(user)
    kind = "password_set" if new_account else "password_reset"
    context = {
        "user": user,
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "clinic_name": settings.CLINIC_NAME,
        "link": "{}://{}{}".format(
            "https" if use_https else "http",
            domain,
            reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            ),
        ),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "sent_by_admin": by is not None,
    }
    subject = render_to_string(f"registration/{kind}_subject.txt", context).strip()
    body = render_to_string(f"registration/{kind}_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException) as error:
        raise AccountError(
            f"The email to {user.email} could not be sent ({error}); check the email "
            "settings, then send the link again."
        ) from error
    what = "Password set-up link" if new_account else "Password reset link"
    how = ASKED_ON_THE_LOGIN_PAGE if asked_by_user else ""
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={},
        actor=by,
        additional_data={"event": f"{what} sent to {user.email}{how}"},
    )


ASKED_ON_THE_LOGIN_PAGE = " (asked for on the login page)"


def password_reset_limited(*, user, address: str | None) -> bool:
    """Whether a link asked for on the login page ("Forgot your password?") is past its
    limit: PASSWORD_RESET_LIMIT_PER_ACCOUNT links to `user`, or
    PASSWORD_RESET_LIMIT_PER_ADDRESS to anyone asked for from `address`, within
    PASSWORD_RESET_LIMIT_MINUTES. Counted from the audit log's entries of the links sent,
    so every app process sees the same count; links the Clinic admin sends do not count."""
    since = timezone.now() - timedelta(minutes=settings.PASSWORD_RESET_LIMIT_MINUTES)
    asked = LogEntry.objects.filter(
        timestamp__gte=since, additional_data__event__endswith=ASKED_ON_THE_LOGIN_PAGE
    )
    for_user = asked.filter(
        content_type=ContentType.objects.get_for_model(user), object_pk=str(user.pk)
    )
    if for_user.count() >= settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT:
        return True
    from_address = asked.filter(remote_addr=address) if address else asked.none()
    return from_address.count() >= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS


def email_change(*, user, email: str) -> None:
    """The user's own change of their address (the form checked their password). The old
    address is told, so a change made from someone else's hands does not go unseen."""
    email = get_user_model().objects.normalize_email(email.strip())
    old = user.email
    with transaction.atomic():
        if email_taken(email, other_than=user):
            raise AccountError("Another user already has this email address.")
        with acting(user, event="Changed their own email address"):
            user.email = email
            user.save(update_fields=["email"])
    if old and old.lower() != email.lower():
        context = {
            "name": user.get_full_name() or user.get_username(),
            "username": user.get_username(),
            "clinic_name": settings.CLINIC_NAME,
            "email": email,
        }
        try:
            send_mail(
                render_to_string("registration/email_changed_subject.txt", context).strip(),
                render_to_string("registration/email_changed_email.txt", context),
                None,
                [old],
            )
        except (OSError, smtplib.SMTPException):
            # The change stands (it is in the audit log); the notice is a courtesy.
            logger.exception("The notice of an email change could not be sent.")


# --- Deactivation --------------------------------------------------------------------------
# Unticking "Active" ends the user's sessions and their calendar feed for good, whatever the
# path (the admin, the shell): Django's backend already refuses an inactive user's session,
# but the session itself would come back to life if the account were made active again,
# for whoever held it (a shared computer, a stolen cookie). The same goes for the feed's
# address, which stops answering while the physio is inactive.


def sessions_end(*, user) -> int:
    """Delete `user`'s sessions (the database's); how many there were."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        # Sessions in the cache cannot be listed: an inactive user's are refused at their
        # next request by the authentication backend, and expire with the idle time.
        return 0
    sessions = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    ended = [
        session.pk
        for session in sessions.iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    store.get_model_class().objects.filter(pk__in=ended).delete()
    return len(ended)


def _note_deactivation(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    # One query, and only when an inactive user is saved.
    if sender._default_manager.filter(pk=instance.pk, is_active=True).exists():
        instance._being_deactivated = True


def _end_access_on_deactivation(sender, instance, **kwargs) -> None:
    if instance.__dict__.pop("_being_deactivated", False):
        calendar_feed_revoke(practitioner=instance)
        sessions_end(user=instance)


def connect() -> None:
    user_model = get_user_model()
    pre_save.connect(
        _note_deactivation, sender=user_model, dispatch_uid="clinic.accounts.note_deactivation"
    )
    post_save.connect(
        _end_access_on_deactivation,
        sender=user_model,
        dispatch_uid="clinic.accounts.end_access_on_deactivation",
    )
