"""/healthz says the process is up; /readyz checks each dependency and names the one that fails."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from django.test import Client
from django.utils import timezone

from ops.models import WorkerHeartbeat
from ops.services import worker_heartbeat_touch
from tests.plugins import django_python
from tests.plugins.servers import free_port


@pytest.fixture
def worker_alive(db):
    worker_heartbeat_touch(hostname="celery@test")


def readyz(client=None):
    response = (client or Client()).get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_without_touching_the_database(client):
    # No db fixture: pytest-django fails any database access in this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers  # no session
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ok_when_every_dependency_answers(worker_alive):
    status, body = readyz()
    assert status == 200, body
    assert body == {
        "status": "ok",
        "checks": {
            "database": {"ok": True},
            "broker": {"ok": True},
            "cache": {"ok": True},
            "worker": {"ok": True},
        },
    }


def test_readyz_needs_no_sign_in_and_no_csrf(worker_alive):
    client = Client(enforce_csrf_checks=True)
    assert client.get("/readyz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.post("/readyz").status_code == 405  # it changes nothing


def test_a_broker_that_refuses_connections_fails_readiness(worker_alive, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    status, body = readyz()
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["ok"] is False
    assert "refused" in body["checks"]["broker"]["error"].lower()
    assert body["checks"]["database"] == {"ok": True}


def test_a_missing_filesystem_broker_folder_fails_readiness(worker_alive, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "gone"),
        "data_folder_out": str(tmp_path / "gone"),
        "processed_folder": str(tmp_path),
        "control_folder": str(tmp_path),
    }
    status, body = readyz()
    assert status == 503
    assert body["checks"]["broker"] == {
        "ok": False,
        "error": f"broker folder {tmp_path / 'gone'} does not exist",
    }


def test_a_cache_that_refuses_connections_fails_readiness(worker_alive, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "annotator.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    status, body = readyz()
    assert status == 503
    assert body["checks"]["cache"]["ok"] is False
    assert "ConnectionError" in body["checks"]["cache"]["error"]
    assert body["checks"]["broker"] == {"ok": True}


def test_a_stale_worker_heartbeat_fails_readiness(db, settings):
    stale = timezone.now() - dt.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS + 1)
    WorkerHeartbeat.objects.create(hostname="celery@gone", seen_at=stale)
    status, body = readyz()
    assert status == 503
    assert body["checks"]["worker"]["ok"] is False
    assert "no worker heartbeat in the last" in body["checks"]["worker"]["error"]
    assert body["checks"]["database"] == {"ok": True}


def test_an_unreachable_database_fails_readiness(tmp_path):
    """In a process of its own: this test's database connection must stay usable."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="annotator.settings",
        ANNOTATOR_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/annotator",
    )
    line = django_python(
        "import json; from django.test import Client; "
        "r = Client(HTTP_HOST='localhost').get('/readyz'); "
        "print(json.dumps([r.status_code, r.json()]))",
        env,
    )
    status, body = json.loads(line)
    assert status == 503
    assert body["checks"]["database"]["ok"] is False
    assert "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["worker"] == {
        "ok": False,
        "error": "unknown: the database is unreachable",
    }
    assert body["checks"]["broker"] == {"ok": True}  # the filesystem broker in tmp_path


def test_healthz_and_readyz_are_exempt_from_the_https_redirect(worker_alive, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    redirected = client.get("/accounts/login/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
