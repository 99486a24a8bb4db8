"""A real Celery worker builds releases; a lost message is sent again by the reconciler;
the worker, manage.py and the web server import our ``datasets`` app even with Hugging
Face's package of the same name installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from releases.models import Release
from releases.services.releases import release_create
from tests.releases.conftest import read_release_file
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _finished(pk: int) -> Release | None:
    release = Release.objects.get(pk=pk)
    return release if release.status in (Release.Status.DONE, Release.Status.FAILED) else None


def test_a_worker_builds_a_release_and_records_its_progress(labeled_corpus, owner, celery_worker):
    release = release_create(
        corpus=labeled_corpus, user=owner, name="Op-eds", version="1.0", licence="CC0-1.0",
        contents="all",
    )  # fmt: skip
    release = wait_for(lambda: _finished(release.pk), timeout=120, message=celery_worker.output())
    assert release.status == "done", release.error
    assert release.processed == release.total >= release.counts["rows"] > 0
    assert release.attempts == 1
    readme = read_release_file(release, "README.md").decode()
    assert "license: cc0-1.0" in readme


def test_a_build_whose_message_was_lost_is_sent_again(labeled_corpus, owner, worker_factory):
    release = release_create(
        corpus=labeled_corpus, user=owner, name="Op-eds", version="1.0", licence="MIT"
    )
    from tests.plugins.worker import purge_queue

    purge_queue()  # the message is lost, as when the broker restarts without persistence
    Release.objects.filter(pk=release.pk).update(sent_at=None)
    worker = worker_factory(RECONCILE_EVERY_SECONDS="1")
    release = wait_for(lambda: _finished(release.pk), timeout=120, message=worker.output())
    assert release.status == "done", release.error


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "import datasets; print(datasets.__file__)"],
        [sys.executable, "manage.py", "shell", "-c", "import datasets; print(datasets.__file__)"],
    ],
    ids=["python -m (worker, gunicorn)", "manage.py"],
)
def test_our_processes_import_our_datasets_app(command):
    """The worker and gunicorn run as ``python -m`` from the repository root, like these."""
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == str(ROOT / "datasets" / "__init__.py")
