"""Settings come from the environment; bad values stop the start with a clear message."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins import django_python

ROOT = Path(__file__).resolve().parents[2]


def start_django(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "DEBUG",
            "ANNOTATOR_MODE",
            "ALLOWED_HOSTS",
        }
    }
    env.update(ANNOTATOR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="annotator.settings")
    env.update(env_vars)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, "
            "settings.DEBUG)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_embedded_defaults_need_no_server(tmp_path):
    result = start_django(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["annotator.sqlite", "filesystem://", "False"]
    assert (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = start_django(
        tmp_path, ANNOTATOR_MODE="production", DATABASE_URL="postgres://u@db/annotator"
    )
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_database(tmp_path):
    result = start_django(tmp_path, ANNOTATOR_MODE="production", SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "needs DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL='mysql://x/y' has scheme 'mysql'"),
        ("CELERY_BROKER_URL", "kafka://x", "CELERY_BROKER_URL='kafka://x' has scheme"),
        ("CELERY_VISIBILITY_TIMEOUT", "soon", "CELERY_VISIBILITY_TIMEOUT='soon' is not a whole"),
        ("ANNOTATOR_MODE", "staging", "ANNOTATOR_MODE='staging'"),
        ("RELEASES_STORAGE", "ftp", "RELEASES_STORAGE='ftp': use filesystem or s3"),
        ("RELEASES_STORAGE", "s3", "RELEASES_STORAGE=s3 needs RELEASES_S3_BUCKET"),
    ],
)
def test_a_malformed_value_is_named_in_the_error(tmp_path, name, value, message):
    extra = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"} if name.startswith("CELERY_V") else {}
    result = start_django(tmp_path, **{name: value, **extra})
    assert result.returncode != 0
    assert message in result.stderr


def test_postgres_and_redis_from_the_environment(tmp_path):
    result = start_django(
        tmp_path,
        DATABASE_URL="postgres://u@db:5432/annotator",
        CELERY_BROKER_URL="redis://cache:6379/0",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "annotator.postgresql",
        "redis://cache:6379/0",
        "True",
    ]


PRODUCTION_ENV = {
    "ANNOTATOR_MODE": "production",
    "DATABASE_URL": "postgres://u@db/annotator",
    "SECRET_KEY": "k3y-" + "0123456789abcdef" * 4,
}


def read_settings(tmp_path, *names: str, **env_vars) -> dict:
    """Start Django in a fresh process with these variables; the named settings' values."""
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DEBUG"}
    env.update(ANNOTATOR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="annotator.settings")
    env.update(env_vars)
    line = django_python(
        "import json, sys; from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n, None) for n in sys.argv[1:]}))",
        env,
        *names,
    )
    return json.loads(line)


@pytest.mark.parametrize("key", ["short-but-random-Q2x9", "aaaaabbbbb" * 6])
def test_production_refuses_a_short_or_repetitive_secret_key(tmp_path, key):
    result = start_django(tmp_path, **{**PRODUCTION_ENV, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "needs a SECRET_KEY of at least 50 random characters" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # says how to make one


def test_production_refuses_debug(tmp_path):
    result = start_django(tmp_path, **PRODUCTION_ENV, DEBUG="true")
    assert result.returncode != 0
    assert "ANNOTATOR_MODE=production refuses DEBUG=true" in result.stderr


def test_debug_stays_available_on_a_laptop(tmp_path):
    result = start_django(tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"


HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
)


def test_production_redirects_to_https_and_trusts_no_proxy_header_by_default(tmp_path):
    values = read_settings(tmp_path, *HTTPS_SETTINGS, **PRODUCTION_ENV)
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$"],
    }


def test_https_settings_come_from_the_environment(tmp_path):
    values = read_settings(
        tmp_path,
        *HTTPS_SETTINGS,
        **PRODUCTION_ENV,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        TRUST_X_FORWARDED_PROTO="true",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_laptop_does_not_redirect_to_https(tmp_path):
    assert read_settings(tmp_path, "SECURE_SSL_REDIRECT") == {"SECURE_SSL_REDIRECT": False}


def test_a_malformed_hsts_duration_is_named(tmp_path):
    result = start_django(tmp_path, SECURE_HSTS_SECONDS="a year")
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS='a year' is not a whole number" in result.stderr


def test_a_worker_reuses_its_database_connection_across_tasks(settings):
    """Celery closes the connection around every task unless told to reuse it."""
    from celery.fixups.django import DjangoWorkerFixup

    from annotator.celery import app

    assert settings.CELERY_DB_REUSE_MAX > 0
    assert DjangoWorkerFixup(app).db_reuse_max == settings.CELERY_DB_REUSE_MAX
