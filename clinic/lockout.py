"""django-axes' hooks: the lockout page, the client's address it locks by, and the limit on
failures from one address across user names."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


class AddressLimitHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a second limit: failed logins from one address summed
    over every user name (password spraying: one common password tried against many
    names stays under the per-name limit).

    Axes compares every lockout parameter with one failure limit, and the per-address
    limit must be higher than the per-name one (a clinic's computers often share one
    address), so the address is counted here from the same AccessAttempt rows: deleting
    an address's rows in the admin unlocks it, and a successful login clears only that
    user name's rows, as before.
    """

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or not address_locked(request):
            return
        # This failure reached the address's limit: refuse it like axes refuses the fifth
        # wrong password for one name (the middleware shows the lockout page).
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=credentials.get(settings.AXES_USERNAME_FORM_FIELD),
            ip_address=request.axes_ip_address,
        )


def address_failures(request: HttpRequest) -> int:
    """Failed logins from the request's address within the cool-off time, any user name."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_locked(request: HttpRequest) -> bool:
    return address_failures(request) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return TemplateResponse(
        request,
        "registration/lockout.html",
        {
            "lockout_minutes": minutes,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            # The address's lock says so: the user's own password was maybe never wrong.
            "address_locked": address_locked(request),
        },
        status=429,
    ).render()


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one saw.

    Each proxy appends the address it received from, so only the last TRUSTED_PROXY_COUNT
    entries of X-Forwarded-For are ours; anything before them the client may have forged.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if proxies and len(addresses) >= proxies:
        return addresses[-proxies]
    return request.META.get("REMOTE_ADDR")
