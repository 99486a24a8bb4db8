"""Settings, read from environment variables with embedded defaults.

The defaults suit one analyst on a laptop: SQLite and a filesystem broker in a
local data folder, no server needed. ``ANNOTATOR_MODE=production`` refuses to
start without ``SECRET_KEY`` and ``DATABASE_URL``. Every variable is listed in
the README's configuration table.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: set[str]) -> str:
    raw = env_str(name, default)
    scheme = urlparse(raw).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(
            f"{name}={raw!r} has scheme {scheme!r}; expected one of: {allowed}."
        )
    return raw


MODE = env_str("ANNOTATOR_MODE", "local")
if MODE not in {"local", "production"}:
    raise ImproperlyConfigured(f"ANNOTATOR_MODE={MODE!r}: use local or production.")
PRODUCTION = MODE == "production"

DATA_DIR = Path(env_str("ANNOTATOR_DATA_DIR", str(BASE_DIR / "data"))).resolve()

if PRODUCTION:
    for required in ("SECRET_KEY", "DATABASE_URL"):
        if not env_str(required):
            raise ImproperlyConfigured(
                f"ANNOTATOR_MODE=production needs {required}; set it in the environment."
            )


def _local_secret_key() -> str:
    """A random key kept in the data folder, so sessions survive restarts."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY") or _local_secret_key()
DEBUG = env_bool("DEBUG", False)
if PRODUCTION:
    # A short or guessable key lets anyone forge sessions and password-reset
    # links; debug pages show settings and code to every visitor.
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "ANNOTATOR_MODE=production needs a SECRET_KEY of at least 50 random characters; "
            "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if DEBUG:
        raise ImproperlyConfigured(
            "ANNOTATOR_MODE=production refuses DEBUG=true: debug pages show settings and "
            "code to every visitor. Unset DEBUG (or set DEBUG=false)."
        )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The domain, from the core outwards (see docs/architecture.md).
    "accounts",
    "ops",
    "corpora",
    "articles",
    "suggestions",
    "imports",
    "review",
    "datasets",
    "archives",
    "releases",
]

MIDDLEWARE = [
    # First, so every answer (an error from a later middleware too) carries it.
    "annotator.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "annotator.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "annotator.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "annotator.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "annotator.wsgi.application"

DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'annotator.sqlite3'}",
    schemes={"sqlite", "postgres", "postgresql", "pgsql"},
)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, whose writers queue in their process and wait for another
    # process's write lock in steps of 0.1-1 ms, not in SQLite's busy handler
    # (annotator/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "annotator.sqlite"
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Connections are kept (DB_CONN_MAX_AGE), as on PostgreSQL: opening one per
    # request cost about 1.5 ms of CPU (connect, its PRAGMAs, Django's functions),
    # and closing the last one checkpoints and removes the WAL every time.
    DATABASES["default"]["OPTIONS"] = {
        # The web server and the worker write the same file: WAL lets readers
        # go on while one writes, IMMEDIATE takes the write lock up front so
        # two writers queue instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_annotator.sqlite3")}
else:
    # Django's, with a health check that needs no round trip while the
    # connection shows no sign of trouble (annotator/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "annotator.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL plans the label write's own statements once per connection
# (annotator/prepared.py); off behind a pooler in transaction mode.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
if not PRODUCTION:
    # WhiteNoise serves from the finders here; it only wants the folder to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Dataset releases: files written once, through Django's storage API. The file
# system under ANNOTATOR_DATA_DIR/releases by default (RELEASES_DIR moves it; a
# team shares it between web and worker hosts), or S3-compatible object storage
# with RELEASES_STORAGE=s3 (django-storages, installed separately; bucket and
# endpoint from RELEASES_S3_BUCKET and RELEASES_S3_ENDPOINT_URL, credentials the
# usual AWS_* variables).
RELEASES_STORAGE = env_str("RELEASES_STORAGE", "filesystem")
if RELEASES_STORAGE == "filesystem":
    STORAGES["releases"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(env_str("RELEASES_DIR", str(DATA_DIR / "releases"))).resolve()),
            "base_url": None,
            "file_permissions_mode": 0o444,
        },
    }
elif RELEASES_STORAGE == "s3":
    STORAGES["releases"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("RELEASES_S3_BUCKET"),
            "endpoint_url": env_str("RELEASES_S3_ENDPOINT_URL") or None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
    if not STORAGES["releases"]["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("RELEASES_STORAGE=s3 needs RELEASES_S3_BUCKET.")
else:
    raise ImproperlyConfigured(f"RELEASES_STORAGE={RELEASES_STORAGE!r}: use filesystem or s3.")
# Without collectstatic (the laptop run), WhiteNoise serves from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS: production redirects plain HTTP to HTTPS unless told otherwise. HSTS
# makes browsers remember that for SECURE_HSTS_SECONDS; it is opt-in because a
# browser keeps it even after the setting is removed (start with an hour).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Container healthchecks call these over plain HTTP from inside the host.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Trust X-Forwarded-Proto: https only behind a proxy that sets it on every
# request (and strips a client's); otherwise any client could claim HTTPS.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 10 * 1024 * 1024, minimum=1024)

# Celery: a real worker always does the segmentation. Without a broker server
# the filesystem transport passes messages through the data folder.
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL",
    "filesystem://",
    schemes={"filesystem", "redis", "rediss", "amqp", "amqps", "pyamqp"},
)
FILESYSTEM_BROKER_POLL_SECONDS = 0.05
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # The transport has no wake-up: a worker whose prefetch is full, or
        # that found the queue empty, sleeps this long before it looks again
        # (kombu's default, 1 s, capped segmentation at one article per
        # second per process). An idle worker, polling 20 times a second,
        # uses about 1 % of one core.
        "polling_interval": FILESYSTEM_BROKER_POLL_SECONDS,
    }
else:
    # A message whose worker died unacknowledged is delivered again after this
    # (Redis); the sweep that finds such messages runs a few times per timeout.
    _visibility = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        "unacked_restore_interval": max(1, min(10, _visibility // 5)),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "annotator")
# Worker processes run this much below the web server's priority (os.nice): background
# work takes the cores the requests leave (annotator/celery.py). 0: the same priority.
WORKER_NICENESS = env_int("WORKER_NICENESS", 10)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery closes the database connection before and after every task whatever
# CONN_MAX_AGE says; reusing it across up to this many tasks saves a new
# PostgreSQL connection (authentication, backend start) per task. A connection
# that broke is still replaced: CONN_HEALTH_CHECKS runs before each use.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 200, minimum=0)

# Bounded tasks: past the soft limit a task stops and records why (its article
# or job ends failed); the hard limit kills the child process if it does not.
# A child is replaced once it has grown past WORKER_MAX_MEMORY_MB (checked
# between tasks); WORKER_MEMORY_LIMIT_MB (0 = off) caps a child's address
# space, so a task that would exhaust memory fails with MemoryError instead of
# waking the kernel's OOM killer.
TASK_SOFT_TIME_LIMIT_SECONDS = env_int("TASK_SOFT_TIME_LIMIT_SECONDS", 900, minimum=1)
TASK_HARD_TIME_LIMIT_SECONDS = env_int(
    "TASK_HARD_TIME_LIMIT_SECONDS", TASK_SOFT_TIME_LIMIT_SECONDS + 60, minimum=2
)
if TASK_HARD_TIME_LIMIT_SECONDS <= TASK_SOFT_TIME_LIMIT_SECONDS:
    raise ImproperlyConfigured(
        "TASK_HARD_TIME_LIMIT_SECONDS must be greater than TASK_SOFT_TIME_LIMIT_SECONDS."
    )
CELERY_TASK_SOFT_TIME_LIMIT = TASK_SOFT_TIME_LIMIT_SECONDS
CELERY_TASK_TIME_LIMIT = TASK_HARD_TIME_LIMIT_SECONDS
WORKER_MAX_MEMORY_MB = env_int("WORKER_MAX_MEMORY_MB", 1024, minimum=0)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = WORKER_MAX_MEMORY_MB * 1024 or None  # KiB
WORKER_MEMORY_LIMIT_MB = env_int("WORKER_MEMORY_LIMIT_MB", 0, minimum=0)

# Self-healing background work (ops/reconciler.py). Every worker sweeps every
# RECONCILE_EVERY_SECONDS: an article or import job whose message was sent
# REQUEUE_QUEUED_AFTER_SECONDS ago (or could not be sent) with no worker
# starting it is sent again; one that has been running longer than
# WORK_STUCK_AFTER_SECONDS is queued again. A worker starting the same
# work for the TASK_MAX_ATTEMPTS-th time without finishing (killed, out of
# memory) gives it up as failed, with the reason shown and a retry button.
RECONCILE_EVERY_SECONDS = env_int("RECONCILE_EVERY_SECONDS", 30, minimum=1)
REQUEUE_QUEUED_AFTER_SECONDS = env_int("REQUEUE_QUEUED_AFTER_SECONDS", 300, minimum=1)
WORK_STUCK_AFTER_SECONDS = env_int(
    "WORK_STUCK_AFTER_SECONDS", TASK_HARD_TIME_LIMIT_SECONDS + 60, minimum=1
)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3, minimum=1)
MAX_ARTICLE_CHARS = env_int("MAX_ARTICLE_CHARS", 2_000_000, minimum=1000)

# Suggestions (suggestions/services.py): a corpus trains its model once it has
# SUGGESTIONS_MIN_LABELS labels, and again after every SUGGESTIONS_RETRAIN_EVERY
# new ones; until then the cue baseline suggests.
SUGGESTIONS_MIN_LABELS = env_int("SUGGESTIONS_MIN_LABELS", 50, minimum=2)
SUGGESTIONS_RETRAIN_EVERY = env_int("SUGGESTIONS_RETRAIN_EVERY", 50, minimum=1)
# A training that labels asked for waits until nobody changed a label in the corpus
# for SUGGESTIONS_QUIET_SECONDS (it never competes with people labeling for the
# machine or, on SQLite, the database), at most SUGGESTIONS_MAX_WAIT_SECONDS.
SUGGESTIONS_QUIET_SECONDS = env_int("SUGGESTIONS_QUIET_SECONDS", 20, minimum=0)
SUGGESTIONS_MAX_WAIT_SECONDS = env_int("SUGGESTIONS_MAX_WAIT_SECONDS", 600, minimum=1)
# A running training steps aside, between its batches of reads and writes and before
# each of its fits, while an export streams (annotator/foreground.py): at most this
# many seconds in all.
SUGGESTIONS_YIELD_MAX_SECONDS = env_int("SUGGESTIONS_YIELD_MAX_SECONDS", 120, minimum=0)
# The background refresh after label changes (review/services/workflow.py) starts
# no sooner than REVIEW_REFRESH_PACE times its last run's length after that run
# ended: under steady labeling one corpus's refreshes take at most 1/(1 + PACE)
# of one worker, however large the corpus grows. 0: every 2 s while labels change.
REVIEW_REFRESH_PACE = env_int("REVIEW_REFRESH_PACE", 10, minimum=0)

# Imports (articles/services/imports.py). Only tests allow private URLs: a
# worker fetching an intranet or cloud-metadata address is an SSRF hole.
IMPORT_ALLOW_PRIVATE_URLS = env_bool("IMPORT_ALLOW_PRIVATE_URLS", False)
# Or allow only these networks (comma-separated CIDRs, e.g. an intranet range).
IMPORT_ALLOWED_PRIVATE_NETWORKS = env_list("IMPORT_ALLOWED_PRIVATE_NETWORKS", [])
IMPORT_FETCH_TIMEOUT_SECONDS = env_int("IMPORT_FETCH_TIMEOUT_SECONDS", 15, minimum=1)
IMPORT_FETCH_MAX_BYTES = env_int("IMPORT_FETCH_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# A fetch that times out, loses its connection or gets a 5xx is tried this many
# times in all, waiting BACKOFF, 2*BACKOFF, 4*BACKOFF... seconds in between.
IMPORT_FETCH_ATTEMPTS = env_int("IMPORT_FETCH_ATTEMPTS", 3, minimum=1)
IMPORT_FETCH_RETRY_BACKOFF_SECONDS = env_int("IMPORT_FETCH_RETRY_BACKOFF_SECONDS", 5, minimum=0)
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_BULK_BYTES = env_int("IMPORT_MAX_BULK_BYTES", 100 * 1024 * 1024, minimum=1024)
IMPORT_BATCH_SIZE = env_int("IMPORT_BATCH_SIZE", 200, minimum=1)
# A .docx is a zip archive: refused before anything is inflated when its
# directory declares more parts, a larger part, more bytes in all, or a part
# (over 1 MB) compressed more tightly than these (imports/extraction.py).
IMPORT_ARCHIVE_MAX_MEMBERS = env_int("IMPORT_ARCHIVE_MAX_MEMBERS", 1000, minimum=10)
IMPORT_ARCHIVE_MAX_MEMBER_BYTES = env_int(
    "IMPORT_ARCHIVE_MAX_MEMBER_BYTES", 50_000_000, minimum=100_000
)
IMPORT_ARCHIVE_MAX_TOTAL_BYTES = env_int(
    "IMPORT_ARCHIVE_MAX_TOTAL_BYTES", 100_000_000, minimum=100_000
)
IMPORT_ARCHIVE_MAX_RATIO = env_int("IMPORT_ARCHIVE_MAX_RATIO", 100, minimum=2)
# Workers touch a heartbeat row this often; pages warn when none is fresh.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
WORKER_STALE_AFTER_SECONDS = env_int("WORKER_STALE_AFTER_SECONDS", 45, minimum=2)

# The API: personal tokens for clients (first, so a caller without
# credentials gets 401), the session with CSRF for the browser.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "1200/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE={API_THROTTLE_RATE!r}: use requests per period, e.g. 1200/min."
    )
API_TOKEN_DEFAULT_EXPIRY_DAYS = env_int("API_TOKEN_DEFAULT_EXPIRY_DAYS", 90, minimum=0)
# Corpora: every signed-in user may create one, unless this limits it to staff.
CORPUS_CREATE_STAFF_ONLY = env_bool("CORPUS_CREATE_STAFF_ONLY", False)
# Invitations to a corpus expire after this many days unless the owner chooses.
INVITATION_DEFAULT_EXPIRY_DAYS = env_int("INVITATION_DEFAULT_EXPIRY_DAYS", 14, minimum=1)


def email_settings(url: str) -> dict[str, object]:
    """Django's e-mail settings from one URL.

    ``console://`` (the default) prints each message to the log;
    ``smtp://user:password@host:587/?tls=true`` (or ``ssl=true``, or
    ``smtps://`` for SSL on connect) sends through that server; ``dummy://``
    drops them. User name and password are percent-decoded.
    """
    from urllib.parse import parse_qs, unquote

    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "dummy":
        return {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL has scheme {parsed.scheme!r}; use console://, dummy://, smtp:// or smtps://."
        )
    if not parsed.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host: use smtp://user:pass@host:587/.")
    query = {k: v[-1].strip().lower() for k, v in parse_qs(parsed.query).items()}
    for flag in ("tls", "ssl"):
        if query.get(flag, "false") not in _TRUE | _FALSE:
            raise ImproperlyConfigured(f"EMAIL_URL: {flag}={query[flag]!r}; use true or false.")
    use_ssl = parsed.scheme == "smtps" or query.get("ssl") in _TRUE
    use_tls = query.get("tls") in _TRUE
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL: choose tls=true or ssl (smtps://), not both.")
    try:
        port = parsed.port or (465 if use_ssl else 25)
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number.") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": 10,
    }


# E-mail (invitations, password reset): printed to the log unless EMAIL_URL names a server.
_EMAIL = email_settings(env_str("EMAIL_URL", "console://"))
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _EMAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _EMAIL.get("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "annotator <annotator@localhost>")
# Brute force: past this many failures in a window that starts at the first one,
# sign-in (or any token, from that address) is refused until the window ends
# (accounts/throttling.py).
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15, minimum=1)
API_TOKEN_FAILURES_PER_ADDRESS = env_int("API_TOKEN_FAILURES_PER_ADDRESS", 20, minimum=1)
API_TOKEN_FAILURE_WINDOW_MINUTES = env_int("API_TOKEN_FAILURE_WINDOW_MINUTES", 15, minimum=1)
# Mail bombing and account creation: requests past these in a window (from the
# first) are refused with a form error (accounts/throttling.py).
PASSWORD_RESETS_PER_EMAIL = env_int("PASSWORD_RESETS_PER_EMAIL", 3, minimum=1)
PASSWORD_RESETS_PER_ADDRESS = env_int("PASSWORD_RESETS_PER_ADDRESS", 10, minimum=1)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60, minimum=1)
SIGN_UPS_PER_ADDRESS = env_int("SIGN_UPS_PER_ADDRESS", 10, minimum=1)
SIGN_UP_WINDOW_MINUTES = env_int("SIGN_UP_WINDOW_MINUTES", 60, minimum=1)
# Proxies in front of the app that append the client's address to
# X-Forwarded-For; 0 (the default) trusts no such header, as a client can forge it.
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0)
AUTHENTICATION_BACKENDS = ["accounts.authentication.LimitedModelBackend"]
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["annotator.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.TokenRateThrottle"],
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "annotator.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "annotator API",
    "DESCRIPTION": "Label sentences of opinion pieces; pull labeled datasets.",
    "VERSION": "1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "Role": "corpora.models.Role",
        # Sentence.Kind's values, as the serializer's ChoiceField lists them: the
        # labels are part of the match, and with the model's labels the override
        # matched nothing (check --deploy warns if the two ever differ).
        "SentenceKind": ["sentence", "heading"],
        # What an import request may ask for (the job record's kind adds "bulk").
        "ImportKind": ["text", "file", "url"],
        "ArticleStatus": "articles.models.Article.Status",
        "NextPolicy": "suggestions.models.NextPolicy",
        # What POST /api/articles/{id}/segmentation/ may do (the edit's kind adds more).
        "SegmentationAction": ["split", "merge", "heading", "sentence"],
        "AnnotationEventAction": "articles.models.AnnotationEvent.Action",
        "GoldEventAction": "articles.models.GoldEvent.Action",
    },
}

# Throttle counters must be shared by every web process: set CACHE_URL to a
# Redis URL in a team deployment. The default is per process.
CACHE_URL = env_str("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            # Django's, keeping its Redis client (annotator/cache.py).
            "BACKEND": "annotator.cache.RedisCache",
            "LOCATION": CACHE_URL,
            # A cache that hangs must not hang requests: throttling fails open
            # on a cache error (accounts/throttling.py), so fail fast.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: use locmem:// or a redis:// URL.")
# With a shared Redis, sessions are read from it and kept in the database too
# (accounts/sessions.py): one SELECT less on every browser request, a label
# write too. Never with the per-process cache: a session signed out in one
# process would stay valid in another.
if CACHE_URL != "locmem://":
    SESSION_ENGINE = "accounts.sessions"

# Each line names the request it belongs to (annotator/middleware.py), so the
# request id an API client got in a 5xx answer finds the server's log line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "annotator.middleware.RequestIdLogFilter"}},
    "formatters": {
        "console": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "console",
        }
    },
    # Django logs each 5xx here; the filter puts the id on the record itself.
    "loggers": {"django.request": {"filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
