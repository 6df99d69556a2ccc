"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium from Debian's package.
Without it these tests are skipped, with one line saying so; SKINSITE_REQUIRE_BROWSER=1
(set by .ci/run) makes a missing browser a failure.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    reason = "browser tests skipped: Debian's chromium is not installed (apt-get install -y chromium)"
    marker = pytest.mark.skip(reason=reason)
    for item in items:
        if "e2e" in item.nodeid.split("/"):
            if os.environ.get("SKINSITE_REQUIRE_BROWSER") == "1":
                item.add_marker(pytest.mark.xfail(reason=reason, run=False, strict=True))
            item.add_marker(marker)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _browser_friendly_settings(settings):
    # Browsers post within a second of loading and from one address: the bot and flood
    # rules have their own tests (tests/comments/test_abuse.py).
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    settings.COMMENTS_FLOOD_SECONDS = 0


class PageWatch:
    """Everything a page did that a reader should never see: console errors, failed or foreign requests."""

    def __init__(self, origin):
        self.origin = origin
        self.problems = []

    def attach(self, context):
        context.on("console", self._console)
        context.on("requestfailed", self._failed)
        context.on("request", self._request)
        context.on("response", self._response)
        context.on("page", lambda page: page.on("dialog", self._dialog))
        # Init scripts run outside the page's CSP; they record violations for us.
        context.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        return context

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _failed(self, request):
        # ERR_ABORTED is the browser cancelling a request itself, as it leaves the page.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} {request.failure}")

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https"} and f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"foreign request: {request.url}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _dialog(self, dialog):
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def check(self, page=None):
        if page is not None:
            self.problems.extend(f"csp: {violation}" for violation in page.evaluate("window.__csp || []"))
        problems, self.problems = self.problems, []
        assert problems == []


@pytest.fixture
def watch(live_server):
    return PageWatch(live_server.url)


@pytest.fixture
def new_reader(browser, watch, live_server):
    """A fresh browser context (a new visitor), watched for problems."""
    contexts = []

    def make(**options):
        context = watch.attach(browser.new_context(base_url=live_server.url, **options))
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
