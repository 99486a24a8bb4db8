"""docker-compose.yml runs what exists: real commands and options, variables the settings read,
healthchecks that answer, and a Redis that keeps queued work across a restart."""

from __future__ import annotations

import importlib
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import yaml
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from celery.worker.control import Panel
from django.core.management import get_commands, load_command_class
from django.urls import resolve
from gunicorn.config import Config as GunicornConfig

from annotator.celery import app as celery_app
from tests.plugins import ROOT, django_python
from tests.plugins.servers import free_port

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_ENV = COMPOSE["x-app-env"]


def with_defaults(value: str) -> str:
    """Compose's interpolation with nothing set: ``${X:-default}`` -> default; ``$$`` -> ``$``."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
    return value.replace("$$", "$")


def settings_variables() -> set[str]:
    source = (ROOT / "annotator" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|url)\(\s*"([A-Z0-9_]+)"', source))


def check_manage_py(args: list[str]) -> None:
    name, *options = args
    commands = get_commands()
    assert name in commands, f"manage.py has no command {name!r}"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    try:
        parser.parse_args(options)
    except SystemExit:
        pytest.fail(f"manage.py {name} refuses {options}")


def check_gunicorn(args: list[str]) -> None:
    try:
        parsed = GunicornConfig().parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"gunicorn refuses {args}")
    (app_path,) = parsed.args
    module, _, attribute = app_path.partition(":")
    assert callable(getattr(importlib.import_module(module), attribute)), app_path


def check_celery(args: list[str]) -> None:
    """Parse the arguments with Celery's own command line, as ``celery`` would."""
    assert args[0] == "celery"
    ctx = celery_cli.make_context("celery", list(args[1:]))
    assert ctx.params["app"] == "annotator"
    ctx.obj = CLIContext(app=celery_app, no_color=True, workdir=None, quiet=True)
    name, command, rest = celery_cli.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
    sub = command.make_context(name, rest, parent=ctx)
    if name == "inspect":
        assert sub.params["command"] in Panel.meta, f"no inspect command {sub.params['command']}"


def check_command(args: list[str]) -> None:
    if args[:2] == ["python", "manage.py"]:
        check_manage_py(args[2:])
    elif args[0] == "gunicorn":
        check_gunicorn(args[1:])
    elif args[0] == "celery":
        check_celery(args)
    elif args[:3] == ["python", "-m", "annotator.healthcheck"]:
        importlib.import_module("annotator.healthcheck")
        resolve(args[3])  # a route of the app
    else:
        pytest.fail(f"unknown command in docker-compose.yml: {args}")


def commands_of(value) -> list[list[str]]:
    """A compose command or healthcheck test as the argument lists it runs."""
    if isinstance(value, list):
        if value[0] == "CMD":
            return [value[1:]]
        if value[0] == "CMD-SHELL":
            value = value[1]
        else:
            return [value]
    argv = shlex.split(with_defaults(value))
    if argv[:2] == ["sh", "-c"]:
        argv = shlex.split(argv[2])
    commands, current = [], []
    for word in argv:
        if word == "&&":
            commands.append(current)
            current = []
        else:
            current.append(word)
    return [*commands, current]


@pytest.mark.parametrize("service", ["web", "worker"])
def test_the_app_services_run_real_commands_with_real_options(service):
    spec = SERVICES[service]
    assert spec["build"] == "."
    commands = commands_of(spec["command"]) + commands_of(spec["healthcheck"]["test"])
    for args in commands:
        check_command(args)
    if service == "web":
        assert commands[0] == ["python", "manage.py", "migrate", "--noinput"]


def test_the_healthchecks_use_the_health_endpoints():
    (web_check,) = commands_of(SERVICES["web"]["healthcheck"]["test"])
    assert web_check[-1] == "/healthz"
    (worker_check,) = commands_of(SERVICES["worker"]["healthcheck"]["test"])
    assert worker_check[3:5] == ["inspect", "ping"]
    assert "celery@$HOSTNAME" in worker_check  # this container's worker, not any
    assert SERVICES["worker"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_every_variable_compose_sets_is_one_the_settings_read():
    assert set(APP_ENV) - settings_variables() == set()


def test_the_compose_environment_starts_the_production_settings(tmp_path):
    env = {k: with_defaults(v) for k, v in APP_ENV.items()}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        PATH=os.environ["PATH"],
        HOME=str(tmp_path),
        DJANGO_SETTINGS_MODULE="annotator.settings",
    )
    line = django_python(
        "from django.conf import settings as s; "
        "print(s.MODE, s.DEBUG, s.SECURE_SSL_REDIRECT, s.CACHES['default']['BACKEND'], "
        "s.CELERY_BROKER_URL)",
        env,
    )
    assert line.split() == [
        "production",
        "False",
        "False",  # plain HTTP on port 8000 unless SECURE_SSL_REDIRECT is set
        "annotator.cache.RedisCache",
        "redis://redis:6379/0",
    ]


def test_the_compose_environment_behind_https_passes_the_deployment_checklist(tmp_path):
    """What an administrator sets behind an HTTPS proxy (README) passes check --deploy."""
    env = {k: with_defaults(v) for k, v in APP_ENV.items()}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="annotator.example.org",
        CSRF_TRUSTED_ORIGINS="https://annotator.example.org",
        SECURE_COOKIES="true",
        SECURE_SSL_REDIRECT="true",
        TRUST_X_FORWARDED_PROTO="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        PATH=os.environ["PATH"],
        HOME=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def redis_command() -> list[str]:
    spec = SERVICES["redis"]
    (mount,) = spec["volumes"]
    volume, _, path = mount.partition(":")
    assert volume in COMPOSE["volumes"], "Redis's folder must be a named volume"
    assert path == "/data"  # the redis image's working folder, where it writes its files
    return spec["command"]


def start_redis(command: list[str], port: int, folder: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [*command, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if client.ping():
                return proc
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail("redis-server did not start")


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_composes_redis_keeps_queued_messages_when_it_is_killed(tmp_path):
    """Compose's own Redis command, run here on a private port with its folder as /data."""
    command = redis_command()
    assert command[0] == "redis-server"
    port = free_port()
    proc = start_redis(command, port, tmp_path)
    try:
        redis.Redis(port=port).lpush("annotator", *[f"task-{i}" for i in range(100)])
        time.sleep(1.5)  # appendfsync everysec: written to disk within a second
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc = start_redis(command, port, tmp_path)
        assert redis.Redis(port=port).llen("annotator") == 100
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_the_worker_container_weighs_less_than_the_web_servers():
    """Containers are scheduled by their cgroups' weights (docker's default 1024)."""
    assert SERVICES["worker"]["cpu_shares"] * 4 <= SERVICES["web"].get("cpu_shares", 1024)
