"""The project's own middleware: what every request and response must get, in one place
rather than page by page (their places in `settings.MIDDLEWARE` matter; see there)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control

from assessments.text import NUL, has_nul, without_nul

Handler = Callable[[HttpRequest], HttpResponse]


class StripNulMiddleware:
    """Remove NUL characters from the query string, the posted form data, the cookies, the
    request's headers and its path before any view, form or draft sees them (see
    assessments/text.py for why).

    Covers what no form field checks (assessment drafts and autosaves, kept as posted;
    searches and filters; a session cookie looked up in the database), and makes the
    form fields' own refusal of NUL (ProhibitNullCharactersValidator) a quiet removal.
    The headers matter as much: django-axes looks up and stores each login's user agent,
    Accept header and path, so a NUL in one was a server error on PostgreSQL, and a
    wrong password that never got counted.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _strip_nul_from_meta(request)
        request.GET = _without_nul(request.GET)
        if request.method == "POST":
            request.POST = _without_nul(request.POST)
        if has_nul(request.COOKIES):
            request.COOKIES = without_nul(request.COOKIES)
        return self.get_response(request)


def _strip_nul_from_meta(request: HttpRequest) -> None:
    """The headers (HTTP_*), the other string values of the WSGI environ and the path."""
    changed = [
        key for key, value in request.META.items() if isinstance(value, str) and NUL in value
    ]
    for key in changed:
        request.META[key] = without_nul(request.META[key])
    if changed:
        request.__dict__.pop("headers", None)  # rebuilt from META when next read
    if NUL in request.path_info or NUL in request.path:
        request.path_info = without_nul(request.path_info)
        request.path = without_nul(request.path)


def _without_nul(data: QueryDict) -> QueryDict:
    if not any(NUL in key or has_nul(values) for key, values in data.lists()):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(without_nul(key), without_nul(values))
    cleaned._mutable = False
    return cleaned


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response the app itself makes.

    Patient data must not stay in a shared clinic computer's browser cache after logout,
    nor in a proxy's. The rule covers every response, not only those to a logged-in user:
    no page of the app is public, the login and error pages gain nothing from a cache,
    and a response that is never stored cannot be served to the next user, so no `Vary`
    has to get that right. The calendar feed (no login) and the downloads (FHIR, CSV)
    are covered like the pages. Static files are the exception: whitenoise serves them
    before this middleware (it sits below WhiteNoiseMiddleware), with its own long-lived
    caching; they hold no patient data.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response


class PermissionsPolicyMiddleware:
    """The `Permissions-Policy` header (settings.PERMISSIONS_POLICY) on every response,
    static files included: the app uses no camera, microphone, location or other
    powerful browser feature, so none is granted to it or to anything it might embed."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
