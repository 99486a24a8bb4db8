"""Shared fixtures: personas, a corpus and articles, made through the services.

Personas follow the corpus roles: an owner, an annotator, a reviewer, a
viewer, and an outsider who belongs to another corpus only.

The machinery the tests run on (a real Celery worker, real Chromium, API
clients, the ``postgres`` marker) lives in the plugins of tests/plugins/.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from articles.models import Article
from articles.services.articles import article_create
from articles.services.segmentation import article_segment
from corpora.models import Corpus, Role
from corpora.services.corpora import corpus_create, membership_set

pytest_plugins = [
    "tests.plugins.database",
    "tests.plugins.worker",
    "tests.plugins.browser",
    "tests.plugins.api",
    "tests.plugins.servers",
]

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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher's cost would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Each test starts with no throttle or lockout counts, as on a freshly started server.

    The counters live in the per-process cache (tests run on LocMemCache): without this,
    failed sign-ins and tokens from one test would lock out 127.0.0.1 in later ones.
    """
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


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


@pytest.fixture
def staff_client(client, owner):
    """Django's test client signed in as the owner, made staff and superuser (the admin)."""
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    return client
