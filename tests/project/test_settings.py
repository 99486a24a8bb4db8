"""Settings come from the environment; bad values stop the start with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://", "False"]
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
        "django.db.backends.postgresql",
        "redis://cache:6379/0",
        "True",
    ]
