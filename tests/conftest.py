"""Shared fixtures: personas, a corpus, articles, and a real Celery worker.

Personas follow the corpus roles: an owner, an annotator, a reviewer, a
viewer, and an outsider who belongs to another corpus only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from articles.models import Article
from articles.services.articles import article_create
from articles.services.segmentation import article_segment
from corpora.models import Corpus, Role
from corpora.services.corpora import corpus_create, membership_set

pytest_plugins = ["tests.plugins.api"]

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

SAMPLE_TEXT = (
    "Why the Talks Matter – Analysis\n"
    "\n"
    "The U.S. has opened direct talks with the group. Officials in Washington "
    "confirmed the meetings on Friday, according to Reuters.\n"
    "It is possible that the talks may collapse within weeks. Critics say the move "
    "was a mistake.\n"
    "By\n"
    "– Jane Doe\n"
)


def requires_postgres() -> None:
    """Skip outside PostgreSQL, except in CI where a missing server is a failure."""
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL: set DATABASE_URL=postgres://..."
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher's cost would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    User = get_user_model()

    def make(username: str, **extra):
        return User.objects.create_user(username=username, password="pw-" + username, **extra)

    return make


@pytest.fixture
def owner(make_user):
    return make_user("olivia")


@pytest.fixture
def annotator(make_user):
    return make_user("anna")


@pytest.fixture
def reviewer(make_user):
    return make_user("rita")


@pytest.fixture
def viewer(make_user):
    return make_user("victor")


@pytest.fixture
def outsider(make_user):
    """A user with a corpus of their own, but no role in ``corpus``."""
    user = make_user("oscar")
    corpus_create(name="Oscar's corpus", owner=user)
    return user


@pytest.fixture
def corpus(owner, annotator, reviewer, viewer) -> Corpus:
    corpus = corpus_create(name="Op-eds 2026", owner=owner, guidelines="# Guidelines\n")
    membership_set(corpus=corpus, user=annotator, role=Role.ANNOTATOR)
    membership_set(corpus=corpus, user=reviewer, role=Role.REVIEWER)
    membership_set(corpus=corpus, user=viewer, role=Role.VIEWER)
    return corpus


@pytest.fixture
def make_article(db):
    """Create an article and segment it in-process through the task's service."""

    def make(corpus: Corpus, text: str = SAMPLE_TEXT, *, segment: bool = True, **meta) -> Article:
        meta.setdefault("title", "Why the Talks Matter")
        article = article_create(corpus=corpus, text=text, **meta)
        if segment:
            article_segment(article_id=article.pk, task_id=f"test-{uuid.uuid4()}")
            article.refresh_from_db()
        return article

    return make


@pytest.fixture
def article(corpus, make_article) -> Article:
    return make_article(corpus)


BROWSER_FIXTURES = {"browser", "context", "page"}


def pytest_collection_modifyitems(items):
    """A test that drives Chromium is a browser test, wherever its file lives."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


# --- a real Celery worker -------------------------------------------------------


class WorkerProcess:
    """A ``celery worker`` subprocess on the test database and the configured broker."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WorkerProcess:
        log = self.log_path.open("ab")
        self._offset = self.log_path.stat().st_size
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "annotator",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the worker exited early:\n{self.output()}")
            if " ready." in self.output():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"the worker did not start within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_bytes()[self._offset :].decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, no acknowledgement."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def test_queue() -> str:
    """This test process's queue: parallel test processes (pytest-xdist) get one each."""
    suffix = os.environ.get("PYTEST_XDIST_WORKER", "")
    base = settings.CELERY_TASK_DEFAULT_QUEUE
    return f"{base}-{suffix}" if suffix else base


@pytest.fixture(scope="session", autouse=True)
def _celery_queue_per_test_process():
    """Route this process's tasks to its own queue, so parallel runs never share work."""
    from annotator.celery import app

    app.conf.task_default_queue = test_queue()


def worker_env() -> dict[str, str]:
    """The environment of this test run, pointed at the test database."""
    env = dict(os.environ)
    env["CELERY_QUEUE"] = test_queue()
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        parsed = dj_database_url.parse(settings.DATABASE_URL)
        user = parsed.get("USER") or ""
        password = f":{parsed['PASSWORD']}" if parsed.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = parsed.get("HOST") or "127.0.0.1"
        port = parsed.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{auth}{host}:{port}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    env["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    env.setdefault("CELERY_VISIBILITY_TIMEOUT", "5")
    return env


def purge_queue() -> None:
    from annotator.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(test_queue())


@pytest.fixture
def worker_factory(transactional_db, tmp_path):
    """Start real workers; each is stopped (or already killed) at the end."""
    with contextlib.suppress(Exception):  # an absent queue has nothing to purge
        purge_queue()
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(worker_env(), tmp_path / "worker.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def celery_worker(worker_factory) -> WorkerProcess:
    return worker_factory()


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout}s")


# --- real Chromium through Playwright ----------------------------------------------
# One Playwright per test process: every folder's browser tests share these.

# The live server runs in a thread while Playwright's sync API keeps an event
# loop in this one; Django refuses ORM calls there unless told it is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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


def _chromium_available() -> bool:
    return Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser():
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
        try:
            yield browser
        finally:
            browser.close()


class PageErrors(list):
    """JavaScript errors and CSP reports seen by the page."""


@pytest.fixture
def context(browser, live_server, transactional_db):
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
