"""The shipped image works: its static build, then every page under production settings.

The collectstatic command is read out of the Dockerfile and run as it is, so the
image and this test cannot drift apart; the app then runs under gunicorn the
way the Dockerfile's CMD starts it, with ANNOTATOR_MODE=production on that
static folder, and every page is requested over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import yaml
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.services import token_create
from imports.services import import_job_run, import_text_create, import_url_create
from ops.services import worker_heartbeat_touch
from releases.services.releases import release_create
from tests.imports.conftest import NEWS_PAGE, PageServer
from tests.plugins.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
VENV_BIN = Path(sys.executable).parent

# WhiteNoise's name for a file with its content hash: app.3f2a1b9c0d4e.css
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
STATIC_REF = re.compile(r"""(?:src|href)=["'](/static/[^"'?#]+)""")

# GET on a POST-only action answers 405; everything else renders (200) or
# sends the caller on (302). A page added without an entry here renders 200.
EXPECTED_STATUS = {
    "logout": 405,
    "admin:logout": 405,
    "api_token_revoke": 405,
    "member_add": 405,
    "member_role": 405,
    "member_remove": 405,
    "agreement_recompute": 405,
    "auto_gold_toggle": 405,
    "adjudication_decide": 405,
    "assignment_add": 405,
    "assignment_remove": 405,
    "assignment_reassign": 405,
    "assignments_bulk": 405,
    "assignments_overlap": 405,
    "member_queue_reassign": 405,
    "article_archive": 405,
    "next_article": 405,
    "import_job_retry": 405,
    "corpus_import_preview": 405,
    "retry_article": 405,
    "release_withdraw": 405,
    "splits_reset": 405,
    # A release still queued has no file yet; the diff page needs ?from=&to=.
    "release_file": 404,
    "release_diff": 404,
    "admin:login": 302,  # signed in already: on to the admin's index
    "invitation_create": 405,
    "suggestion_model_train": 405,
    "suggestion_settings_save": 405,
    "invitation_revoke": 405,
    "invitation_accept": 404,  # a made-up token: the invitation page says so
    "segmentation_undo": 405,
}


def admin_adds_refused(user) -> set[str]:
    """The admin's add forms for models whose ModelAdmin allows no adds (they answer 403)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_add"
        for model, model_admin in admin_site._registry.items()
        if not model_admin.has_add_permission(request)
    }


def dockerfile_instructions(keyword: str) -> list[str]:
    """The arguments of each ``KEYWORD`` instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    prefix = keyword.upper() + " "
    return [line[len(prefix) :].strip() for line in text.splitlines() if line.startswith(prefix)]


def collectstatic_command() -> str:
    (command,) = [run for run in dockerfile_instructions("RUN") if "collectstatic" in run]
    return command


def gunicorn_arguments(port: int) -> list[str]:
    """The Dockerfile's CMD, bound to a private port with one worker process."""
    (cmd,) = dockerfile_instructions("CMD")
    program, *arguments = json.loads(cmd)
    assert program == "gunicorn"
    kept = [a for a in arguments if not a.startswith(("--bind", "--workers"))]
    return [*kept, f"--bind=127.0.0.1:{port}", "--workers=1"]


def build_static(target: Path) -> subprocess.CompletedProcess:
    """Run the Dockerfile's collectstatic line, in a shell as Docker does, into ``target``."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(target.parent),
        "STATIC_ROOT": str(target),
    }
    return subprocess.run(
        ["sh", "-c", collectstatic_command()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("image") / "staticfiles"
    result = build_static(target)
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def test_the_image_build_writes_the_manifest_production_reads(static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    assert HASHED.search(manifest["paths"]["css/app.css"])
    assert (static_root / manifest["paths"]["css/app.css"]).exists()


def database_url() -> str:
    """The test database, as DATABASE_URL for another process."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(params["USER"] or "", safe="")
    password = quote(params["PASSWORD"] or "", safe="")
    return (
        f"postgres://{user}:{password}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}"
        f"/{params['NAME']}"
    )


@pytest.fixture
def production_server(static_root, settings, tmp_path) -> Iterator[str]:
    """The app under gunicorn as the image runs it, on the test database: its base URL."""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ANNOTATOR_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "DATABASE_URL": database_url(),
        "STATIC_ROOT": str(static_root),
        "ANNOTATOR_DATA_DIR": str(settings.DATA_DIR),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        # The healthcheck sends the first name as Host, the tests use the second.
        "ALLOWED_HOSTS": "annotator.example.org,127.0.0.1",
        # As docker-compose.yml runs it: plain HTTP, no proxy in front.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *gunicorn_arguments(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"gunicorn exited:\n{log.read_text()}"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not answer:\n{log.read_text()}"
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def url_patterns(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    """Every route of the project: (route, name, pattern)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", pattern


def page_paths(objects: dict) -> dict[str, str]:
    """name -> path for every page (not the JSON API, whose routes its own tests cover)."""
    page_kwargs = {
        "api_token_revoke": {"pk": objects["token"].pk},
        "import_job": {"slug": objects["corpus"].slug, "pk": objects["job"].pk},
        "import_job_status": {"slug": objects["corpus"].slug, "pk": objects["job"].pk},
        "import_job_retry": {"slug": objects["corpus"].slug, "pk": objects["job"].pk},
        "retry_article": {"pk": objects["article"].pk},
        "article_snapshot": {"pk": objects["fetched_article_id"]},
        "label_article": {"pk": objects["article"].pk},
        "read_article": {"pk": objects["article"].pk},
        "sentence_history": {"pk": objects["article"].sentences.filter(kind="sentence").first().pk},
        "member_role": {"slug": objects["corpus"].slug, "user_id": objects["member"].pk},
        "member_remove": {"slug": objects["corpus"].slug, "user_id": objects["member"].pk},
        "article_agreement": {"slug": objects["corpus"].slug, "article_id": objects["article"].pk},
        "adjudication_decide": {
            "slug": objects["corpus"].slug,
            "sentence_id": objects["article"].sentences.first().pk,
        },
        "assignment_add": {"slug": objects["corpus"].slug, "article_id": objects["article"].pk},
        "release_detail": {"slug": objects["corpus"].slug, "version": objects["release"]},
        "release_status": {"slug": objects["corpus"].slug, "version": objects["release"]},
        "release_withdraw": {"slug": objects["corpus"].slug, "version": objects["release"]},
        "release_file": {
            "slug": objects["corpus"].slug,
            "version": objects["release"],
            "name": "README.md",
        },
        "invitation_revoke": {"slug": objects["corpus"].slug, "invitation_id": 1},
        "invitation_accept": {"token": "made-up-token"},
        # A link that is not valid: the page that says so.
        "password_reset_confirm": {"uidb64": "MQ", "token": "made-up-token"},
        "assignment_remove": {
            "slug": objects["corpus"].slug,
            "article_id": objects["article"].pk,
            "user_id": objects["member"].pk,
        },
        "assignment_reassign": {
            "slug": objects["corpus"].slug,
            "article_id": objects["article"].pk,
            "user_id": objects["member"].pk,
        },
        "member_queue": {"slug": objects["corpus"].slug, "user_id": objects["member"].pk},
        "member_queue_reassign": {"slug": objects["corpus"].slug, "user_id": objects["member"].pk},
        "article_edit": {"pk": objects["article"].pk},
        "article_text": {"pk": objects["article"].pk},
        "article_archive": {"pk": objects["article"].pk},
        "article_history": {"pk": objects["article"].pk},
        "segmentation_undo": {"pk": objects["article"].pk, "edit_id": 1},
    }
    paths: dict[str, str] = {}
    missing: list[str] = []
    for route, name, pattern in url_patterns():
        if route.startswith("api/") and name != "api-docs":
            continue  # JSON; the Swagger UI page is HTML with static files of its own
        params = set(pattern.pattern.regex.groupindex)
        if route.startswith("admin/"):
            if params or name == "admin:autocomplete":
                continue  # object pages: the changelists and add forms below use the same files
            paths[name] = "/" + route.replace("^", "").replace("$", "")
            continue
        kwargs = page_kwargs.get(name, {})
        if params - set(kwargs) == {"slug"}:
            kwargs = {"slug": objects["corpus"].slug}
        if params != set(kwargs):
            missing.append(f"{name} ({route})")
            continue
        path = route
        for key, value in kwargs.items():
            path = re.sub(rf"<(?:\w+:)?{key}>", str(value), path)
        paths[name] = "/" + path
    assert not missing, f"pages without test arguments (add them to page_kwargs): {missing}"
    return paths


@pytest.fixture
def site_objects(transactional_db, corpus, owner, annotator, make_article, settings) -> dict:
    """What the pages show, made through the services and committed for the server to see."""
    # The server keeps Django's password hashers; the tests' fast one is not among them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    owner.set_password(f"pw-{owner.username}")
    owner.is_staff = owner.is_superuser = True
    owner.save()
    article = make_article(corpus)
    job = import_text_create(corpus=corpus, user=owner, text="A queued import. It waits.")
    token, _secret = token_create(user=owner, name="deploy test", expires_in_days=None)
    settings.IMPORT_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    pages = PageServer()
    try:
        pages.page("/story", NEWS_PAGE)
        fetched = import_url_create(corpus=corpus, user=owner, url=pages.url("/story"))
        import_job_run(job_id=fetched.pk)
        fetched.refresh_from_db()
    finally:
        pages.close()
    assert fetched.article_id, fetched.error
    worker_heartbeat_touch(hostname="deployment-test")
    release = release_create(corpus=corpus, user=owner, name="Op-eds", version="1.0", licence="MIT")
    return {
        "release": release.version,
        "corpus": corpus,
        "article": article,
        "job": job,
        "token": token,
        "member": annotator,
        "fetched_article_id": fetched.article_id,
    }


def sign_in(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    login = client.get("/accounts/login/")
    assert login.status_code == 200, login.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    assert csrf, login.text
    answer = client.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf[1]},
    )
    assert answer.status_code == 302, answer.text
    return client


def test_every_page_renders_under_production_settings_from_the_images_static_build(
    production_server, site_objects, owner
):
    paths = page_paths(site_objects)
    assert {"home", "corpus_detail", "label_article", "api-docs", "admin:index"} <= set(paths)
    refused = admin_adds_refused(owner)
    client = sign_in(production_server, owner.username, f"pw-{owner.username}")
    assets: set[str] = set()
    failures: list[str] = []
    for name, path in sorted(paths.items()):
        response = client.get(path)
        expected = 403 if name in refused else EXPECTED_STATUS.get(name, 200)
        if response.status_code != expected:
            failures.append(f"{name} {path}: {response.status_code}, expected {expected}")
            continue
        if response.headers.get("content-type", "").startswith("text/html"):
            assets.update(STATIC_REF.findall(response.text))
    assert not failures, "\n".join(failures)

    assert any(a.startswith("/static/css/") for a in assets), assets
    unhashed = sorted(a for a in assets if not HASHED.search(a))
    assert not unhashed, f"pages refer to static files by unhashed names: {unhashed}"
    for asset in sorted(assets):
        response = client.get(asset)
        assert response.status_code == 200, asset
        # WhiteNoise marks a file it knows by its hashed name as cacheable forever.
        assert "immutable" in response.headers.get("cache-control", ""), asset


def run_healthcheck(path: str, base: str) -> subprocess.CompletedProcess:
    """docker-compose.yml's web healthcheck command, pointed at ``base``."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    program, *arguments = compose["services"]["web"]["healthcheck"]["test"][1:]
    assert program == "python"
    env = {"PATH": os.environ["PATH"], "ALLOWED_HOSTS": "annotator.example.org,127.0.0.1"}
    return subprocess.run(
        [sys.executable, *arguments[:-1], path, base],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_container_healthcheck_passes_against_the_production_server(
    production_server, site_objects
):
    assert run_healthcheck("/healthz", production_server).returncode == 0
    assert run_healthcheck("/readyz", production_server).returncode == 0
    missing = run_healthcheck("/no-such-page", production_server)
    assert missing.returncode == 1
    assert "404" in missing.stderr
