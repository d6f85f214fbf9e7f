"""Browser journeys: Playwright drives Debian's Chromium against pytest-django's live server.

Fixtures: `browser` (one headless Chromium, shared by consecutive journeys), `page` (a
fresh context per test, 10 s timeouts) and `browser_problems` (console errors, uncaught
JavaScript errors, failed requests and HTTP errors seen by the page; any of them fails the
test). Helpers: `login`, `logout` and `assert_static_assets_loaded`. Every test in this
folder is marked `e2e`. See tests/e2e/README.md.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
# tests.factories.UserFactory gives every user this password unless told otherwise.
DEFAULT_PASSWORD = "demo-password-1"

E2E_DIR = Path(__file__).resolve().parent
HOW_TO_ENABLE = (
    "install Debian's Chromium: `apt-get install chromium` or `make e2e-deps` "
    "(never `playwright install`)"
)
_IS_JOURNEY = pytest.StashKey[bool]()
_RESETS_DB = pytest.StashKey[bool]()
_LEAVING_JOURNEYS = pytest.StashKey[bool]()
_PROBLEMS = pytest.StashKey["BrowserProblems"]()
# Problems every test tolerates (none: base.html links its icon, so no /favicon.ico 404).
ALWAYS_ALLOWED: list[str] = []


def _e2e_required() -> bool:
    return os.environ.get("E2E_REQUIRED", "").strip() == "1"


def _why_no_browser() -> str | None:
    """Why the journeys cannot run here, or None when they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"browser journeys need {CHROMIUM}: {HOW_TO_ENABLE}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser journeys need the playwright package: `make test` installs it"
    return None


def pytest_collection_modifyitems(config, items):
    why_not = _why_no_browser()
    for item in items:
        if E2E_DIR not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        item.stash[_IS_JOURNEY] = True
        if why_not and not _e2e_required():
            # Skipped before any fixture runs: no test database, no server, no browser.
            item.add_marker(pytest.mark.skip(reason=why_not))
            continue
        # The live server needs committed data, so these are TransactionTestCase-style
        # tests, and those end with a flush that also empties what the migrations created
        # (the role groups, their permissions, the content types). serialized_rollback
        # makes pytest-django snapshot the migrated database when it creates it, load the
        # snapshot as each journey starts, and flush without re-running post_migrate.
        # The hooks below make that hold whatever ran before, and restore the snapshot
        # when the run leaves the journeys, so later tests (in any order) find the
        # database exactly as the migrations left it.
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        item.stash[_RESETS_DB] = True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    if item.stash.get(_RESETS_DB, False):
        # A transactional test elsewhere may have flushed the database and let
        # post_migrate re-create content types and permissions under other ids: the
        # snapshot cannot load over those, so start from an empty database.
        _reset_to_migrated_data(item.config, load=False)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    leaving = nextitem is None or not nextitem.stash.get(_IS_JOURNEY, False)
    item.stash[_LEAVING_JOURNEYS] = leaving  # the `browser` fixture closes Chromium then
    try:
        return (yield)
    finally:
        # The next journey loads the snapshot itself; after the last test of the run the
        # test database is gone.
        if leaving and nextitem is not None and item.stash.get(_RESETS_DB, False):
            _reset_to_migrated_data(item.config, load=True)


def _reset_to_migrated_data(config, *, load: bool) -> None:
    """Empty each test database and (if `load`) reload the snapshot taken after migrating.

    Does nothing before the test databases exist (their snapshot is made with them).
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        for alias in connections:
            snapshot = getattr(connections[alias], "_test_serialized_contents", None)
            if snapshot is None:
                continue
            call_command(
                "flush",
                database=alias,
                interactive=False,
                inhibit_post_migrate=True,
                reset_sequences=False,
                verbosity=0,
            )
            if load:
                connections[alias].creation.deserialize_db_from_string(snapshot)
        ContentType.objects.clear_cache()


# --- Browser --------------------------------------------------------------------------------


class _SharedChromium:
    """One Chromium for consecutive journeys, closed as soon as the run leaves them.

    Playwright's sync API keeps an asyncio event loop marked as running in this thread
    (parked in a greenlet) for as long as it is started, and Django takes that for async
    code, twice:

    - it refuses every ORM call from the thread (SynchronousOnlyOperation), although the
      user fixtures, the test code and pytest-django's flush all use the ORM synchronously,
      outside any coroutine, with nothing running concurrently. So DJANGO_ALLOW_ASYNC_UNSAFE
      is set while Playwright runs. Only then: a subprocess started meanwhile inherits it,
      and `manage.py check --deploy` fails on it (async.E001), so Chromium is closed
      before any other test runs and the variable is restored.
    - `django.db.connections` hands out a separate set of connection objects (asgiref's
      thread-critical Local keeps one per thread when sync, one per context when async).
      Those lack what the test run set on the originals: the migrated-data snapshot used
      by serialized_rollback is copied across after the launch, and those connections are
      closed before Playwright stops, so none is left open on the test database.
    """

    ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

    def __init__(self) -> None:
        self._playwright = None
        self._browser = None
        self._async_unsafe_before: str | None = None

    def get(self):
        if self._browser is None:
            from django.db import connections
            from playwright.sync_api import expect, sync_playwright

            snapshots = {
                alias: getattr(connections[alias], "_test_serialized_contents", None)
                for alias in connections
            }
            self._async_unsafe_before = os.environ.get(self.ASYNC_UNSAFE)
            os.environ[self.ASYNC_UNSAFE] = "true"
            expect.set_options(timeout=TIMEOUT_MS)
            try:
                self._playwright = sync_playwright().start()
                for alias, snapshot in snapshots.items():
                    if snapshot is not None:
                        connections[alias]._test_serialized_contents = snapshot
                self._browser = self._playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
            except BaseException:
                self.close()
                raise
        return self._browser

    def close(self) -> None:
        if self._playwright is None:
            return
        from django.db import connections

        try:
            connections.close_all()  # the connections used while Playwright ran
            if self._browser is not None:
                self._browser.close()
        finally:
            self._playwright.stop()
            self._browser = self._playwright = None
            if self._async_unsafe_before is None:
                os.environ.pop(self.ASYNC_UNSAFE, None)
            else:
                os.environ[self.ASYNC_UNSAFE] = self._async_unsafe_before


_chromium = _SharedChromium()


@pytest.fixture
def browser(request):
    """Debian's Chromium, headless, shared by consecutive journeys (see _SharedChromium)."""
    why_not = _why_no_browser()
    if why_not:
        # Only reached with E2E_REQUIRED=1 (otherwise collection skipped the journeys).
        pytest.fail(f"E2E_REQUIRED=1 but {why_not}", pytrace=False)
    yield _chromium.get()
    # Torn down after `page` and before the database flush and the session's teardown.
    if request.node.stash.get(_LEAVING_JOURNEYS, True):
        _chromium.close()


def pytest_sessionfinish(session):
    _chromium.close()  # after an interrupted run


@dataclass
class BrowserProblems:
    """What went wrong in the browser during one test: each entry fails the test.

    A test that expects an error status says so first, e.g.
    `browser_problems.allow(r"HTTP 403 ")`.
    """

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(
        default_factory=lambda: [re.compile(pattern) for pattern in ALWAYS_ALLOWED]
    )
    context: object = None

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self.allowed)]

    def watch(self, context) -> None:
        self.context = context
        context.on("page", self._watch_page)
        context.on("requestfailed", self._request_failed)
        context.on("response", self._response)

    def _watch_page(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.add(f"uncaught JavaScript error: {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.add(f"console error: {message.text} ({where})")

    def _request_failed(self, request) -> None:
        failure = request.failure or ""
        # A request cut short because the page navigated on (a click) is not an error.
        if "ERR_ABORTED" not in failure:
            self.add(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response) -> None:
        if response.status >= 400:
            request = response.request
            self.add(f"HTTP {response.status} for {request.method} {response.url}")

    def check(self) -> None:
        # Let every open page finish loading its CSS and JS, so their responses are seen.
        for page in self.context.pages if self.context else []:
            try:
                page.wait_for_load_state("load")
            except Exception as error:  # a closed page cannot report any more
                self.add(f"page did not finish loading: {error}")
        unexpected = self.unexpected()
        if unexpected:
            pytest.fail(
                "The browser reported problems:\n  " + "\n  ".join(unexpected), pytrace=False
            )


@pytest.fixture
def browser_problems(request):
    problems = BrowserProblems()
    request.node.stash[_PROBLEMS] = problems
    return problems


@pytest.fixture
def page(browser, live_server, browser_problems):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    browser_problems.watch(context)
    page = context.new_page()
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    # The test passed its own assertions; it fails if the browser saw anything go wrong.
    problems = item.stash.get(_PROBLEMS, None)
    if problems is not None:
        problems.check()
    return result


# --- Helpers --------------------------------------------------------------------------------


def login(page, live_server, user, password: str = DEFAULT_PASSWORD) -> None:
    """Log in through the real login form and wait for the logged-in page."""
    from playwright.sync_api import expect

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    logged_in = page.get_by_role("button", name="Log out")
    refused = page.get_by_role("alert").filter(has_text="did not match")
    expect(logged_in.or_(refused)).to_be_visible()
    assert refused.count() == 0, f"the login form refused {user.username}'s password"


def logout(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def assert_static_assets_loaded(page) -> None:
    """The app's own CSS and JS arrived and ran (nothing comes from a CDN)."""
    page.wait_for_load_state("load")
    loaded = page.evaluate(
        """() => ({
            stylesheets: [...document.styleSheets].map(s => s.href).filter(Boolean),
            bootstrap: typeof window.bootstrap === "object",
            htmx: typeof window.htmx === "object",
        })"""
    )
    assert any("bootstrap.min.css" in href for href in loaded["stylesheets"]), loaded
    assert any("clinic.css" in href for href in loaded["stylesheets"]), loaded
    assert loaded["bootstrap"] and loaded["htmx"], loaded
