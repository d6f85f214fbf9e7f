"""What the clinic adds to django-auditlog: the client's real address
(`AuditlogMiddleware`), password changes without the hash (`mask_password`), and who acted
when no one is logged in, such as a password set through an emailed link (`acting`).

Every view of clinical content is logged by the plugin's mechanism, which the clinic's
own pages use too: `assessments.audit` (`shows_clinical`, `ClinicalAccessAdmin`).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from auditlog.context import auditlog_value, set_extra_data
from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings

from .lockout import client_address

MASKED_PASSWORD = "••••••"


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """auditlog's middleware, logging the address the lockout uses: auditlog's own takes the
    first entry of X-Forwarded-For, which the client writes (see clinic.lockout)."""

    @staticmethod
    def _get_remote_addr(request) -> str | None:
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_address(request)


def mask_password(value: str) -> str:
    """A password hash in the log only says whether there is a password: not even part of
    the hash (auditlog's default mask keeps half of it)."""
    if value in ("", "None"):
        return ""
    if value.startswith("!"):  # Django's unusable password: none set yet
        return "not set"
    return MASKED_PASSWORD


@contextmanager
def acting(actor, *, event: str) -> Iterator[None]:
    """Log entries made inside are by `actor` and carry `event` (in additional_data), e.g.
    a password set through an emailed link, when no one is logged in.

    auditlog's own context managers leave theirs in place when they end, so the rest of
    the request would log without its actor and address; this one puts the request's back.
    """
    outer = auditlog_value.get(None)
    context = {key: value for key, value in (outer or {}).items() if key != "signal_duid"}
    context.update(actor=actor, additional_data={"event": event})
    try:
        with set_extra_data(context_data=context):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
