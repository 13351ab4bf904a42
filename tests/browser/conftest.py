"""Browser tests: the public pages as Chromium renders them, served by a live server.

Playwright drives the system Chromium (`apt-get install chromium fonts-noto-core`);
without it these tests are skipped, or fail when CI=true.

Playwright's sync API keeps an asyncio loop running in the main thread, so Django takes
the tests for async code and refuses the ORM unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
The variable is set only while a module's browser tests run, not for the whole process:
subprocesses of other tests (`manage.py check --deploy`) inherit the environment and
refuse it. So Playwright runs per test module (pytest-django runs a module's live server
tests one after another) and stops, with the variable, as soon as they are over.
"""

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HEIGHT = 900
HERE = Path(__file__).parent

# The extra, non-demo progress: an accepted update on a Cambodian commitment.
EXTRA_STATUS = "partially_implemented"
EXTRA_NARRATIVE = "The labour ministry now publishes recruitment fees for every corridor."


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Chromium against a live server (deselect with -m 'not browser')"
    )


def pytest_collection_modifyitems(config, items):
    # The hook sees every collected item, not only this folder's.
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser() -> Iterator["Browser"]:
    """One Chromium for all the browser tests of a module (they run one after another)."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"Chromium is missing at {CHROMIUM}; the browser tests must run on CI: "
                "apt-get install chromium fonts-noto-core"
            )
        pytest.skip("Chromium is not installed: apt-get install chromium fonts-noto-core")
    from playwright.sync_api import sync_playwright

    # Set before the first test's data and kept until after the last test's flush.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@dataclass
class BrowserPage:
    """A page in its own browser context, with what went wrong in it."""

    page: "Page"
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [f"console: {e}" for e in self.console_errors] + [
            f"page error: {e}" for e in self.page_errors
        ]


@pytest.fixture
def new_page(browser) -> Iterator[Callable[..., BrowserPage]]:
    """Open a page of the given viewport width: `new_page(375).page`."""
    contexts = []

    def open_page(width: int = 1280, height: int = HEIGHT) -> BrowserPage:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        result = BrowserPage(page=context.new_page())

        def on_console(message):
            if message.type == "error":
                where = message.location.get("url")
                result.console_errors.append(f"{message.text} ({where})" if where else message.text)

        result.page.on("console", on_console)
        result.page.on("pageerror", lambda error: result.page_errors.append(str(error)))
        return result

    yield open_page
    for context in contexts:
        # Let the server answer what the page still asks (its icon, say) before the test's
        # data is flushed: a request still running would find the tables locked.
        for page in context.pages:
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=5_000)
        context.close()


@dataclass
class Site:
    url: str
    consultation: object
    extra_update: object

    def __call__(self, path: str) -> str:
        return self.url + path


def build_site_data():
    """The shipped report, the demo, and one accepted update that is not demo data."""
    from django.contrib.auth import get_user_model

    from tests.factories import make_consultation, make_evidence, make_update
    from tracker.demo import create_demo_data
    from tracker.models import Commitment

    consultation = make_consultation()
    create_demo_data()
    users = get_user_model().objects
    staff, focal_kh = users.get(username="staff"), users.get(username="focal.kh")
    commitment = (
        Commitment.objects.filter(country__code="KH", status="not_started", updates=None)
        .order_by("-recommendation__paragraph__number")
        .first()
    )
    make_evidence(commitment, focal_kh, date=dt.date(2024, 5, 2), title="Fee schedule")
    update = make_update(
        commitment,
        focal_kh,
        status=EXTRA_STATUS,
        narrative=EXTRA_NARRATIVE,
        accepted_by=staff,
    )
    return consultation, update


@pytest.fixture
def site(live_server, transactional_db) -> Site:
    consultation, update = build_site_data()
    return Site(url=live_server.url, consultation=consultation, extra_update=update)


@pytest.fixture
def sign_in(site) -> Callable[[BrowserPage, str], None]:
    """Sign a page's browser context in as a demo user: `sign_in(tab, "staff")`."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    def sign_in_as(tab: BrowserPage, username: str) -> None:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        tab.page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site.url}]
        )

    return sign_in_as
