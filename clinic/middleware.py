"""The project's own middleware: what every request and response must get, in one place
rather than page by page (their places in `settings.MIDDLEWARE` matter; see there)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from .text import NUL, has_nul, without_nul

Handler = Callable[[HttpRequest], HttpResponse]


class StripNulMiddleware:
    """Remove NUL characters from the query string, the posted form data and the cookies
    before any view, form or draft sees them (see clinic/text.py for why).

    Covers what no form field checks (assessment drafts and autosaves, kept as posted;
    searches and filters; a session cookie looked up in the database), and makes the
    form fields' own refusal of NUL (ProhibitNullCharactersValidator) a quiet removal.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _without_nul(request.GET)
        if request.method == "POST":
            request.POST = _without_nul(request.POST)
        if has_nul(request.COOKIES):
            request.COOKIES = without_nul(request.COOKIES)
        return self.get_response(request)


def _without_nul(data: QueryDict) -> QueryDict:
    if not any(NUL in key or has_nul(values) for key, values in data.lists()):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(without_nul(key), without_nul(values))
    cleaned._mutable = False
    return cleaned
