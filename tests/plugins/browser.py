"""Real Chromium through Playwright: one per test process, shared by every app's tests.

Playwright's sync API runs an asyncio event loop in the test's thread and marks it as
running there, and Django refuses ORM calls from a thread with a running loop (its
async-unsafe guard). So the loop is marked, and DJANGO_ALLOW_ASYNC_UNSAFE set, only while
a test holds the ``browser`` fixture (and ``context``/``page`` on top of it); every other
test, also one that runs after a browser test in the same process, keeps Django's guard.

A test that uses ``browser``, ``context`` or ``page`` gets the ``browser`` marker.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pytest
from django.db import connection, connections

from tests.plugins import IN_CI, ROOT

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
BROWSER_FIXTURES = {"browser", "context", "page", "chromium_session"}
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    f"Chromium not found at {CHROMIUM}: install it with "
    "`apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH)"
)


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def _chromium_available() -> bool:
    return Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None


class ChromiumSession(NamedTuple):
    browser: object  # playwright.sync_api.Browser
    loop: asyncio.AbstractEventLoop


@pytest.fixture(scope="session")
def chromium_session() -> Iterator[ChromiumSession]:
    """Playwright and Chromium, started once per test process; use ``browser`` in tests."""
    if not _chromium_available():
        if IN_CI:
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        message = "playwright is not installed: pip install -e '.[test]'"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Playwright left its loop marked as running in this thread; unmark it until a
        # test takes the browser (see ``browser``), so other tests keep Django's guard.
        loop = asyncio.get_running_loop()
        asyncio._set_running_loop(None)
        try:
            yield ChromiumSession(browser, loop)
        finally:
            asyncio._set_running_loop(loop)
            browser.close()


@contextmanager
def _async_unsafe_allowed() -> Iterator[None]:
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[ASYNC_UNSAFE]
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def browser(transactional_db, chromium_session):
    """Chromium for this test: Playwright's loop runs here, and the ORM is allowed beside it.

    The live server serves the pages from another thread; this thread's ORM calls (the
    test's own setup and checks) are made while Playwright's loop is marked as running.
    Django keeps the connections of a thread with a running loop apart from its plain
    ones: a test transaction could not hold the calls made in the window, so the database
    is a transactional one (flushed after the test), and the window's connections are
    closed when it ends (an open one would keep the test database from being dropped).
    """
    with _async_unsafe_allowed():
        asyncio._set_running_loop(chromium_session.loop)
        try:
            yield chromium_session.browser
        finally:
            connections.close_all()
            asyncio._set_running_loop(None)


@pytest.fixture
def context(live_server, browser):
    # Set up after the database and the live server, so torn down before them:
    # the page's background requests (saves, polling) stop before the tables are
    # flushed for the next test, which they would otherwise deadlock with.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()
    _wait_for_live_server_requests()


def _wait_for_live_server_requests(timeout: float = 10) -> None:
    """Let requests the closed page left running on the live server finish.

    The server does not notice that the browser went away; a write still in
    its transaction would deadlock with the flush that ends the test.
    """
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers; there is nothing to deadlock with.
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(query)
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)


class PageErrors(list):
    """JavaScript errors and CSP reports seen by the page."""


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = PageErrors()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.js_errors = errors
    return page


@pytest.fixture
def sign_in(live_server):
    def sign_in(page, user, password: str | None = None):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password or f"pw-{user.username}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return take
