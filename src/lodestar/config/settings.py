"""Settings, driven by environment variables.

- ``LODESTAR_DATA_DIR``: where the embedded SQLite database lives (default
  ``~/.local/share/lodestar``).
- ``DATABASE_URL``: a PostgreSQL (or SQLite) URL; overrides the embedded database.
- ``LODESTAR_SECRET_KEY``: required unless ``LODESTAR_DEBUG`` is on; when unset, the key in
  ``<data dir>/secret_key`` (the file ``make run`` writes).
- ``LODESTAR_DEBUG``: ``1``/``true`` for development mode.
- ``LODESTAR_ALLOWED_HOSTS``: comma-separated host names.
- ``LODESTAR_EMAIL_*``, ``LODESTAR_BASE_URL``: how email is sent (below; docs/SECURITY.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in _TRUE


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of 0 or more, not {value!r}.")
    return number


TESTING = "pytest" in sys.modules or _env_bool("LODESTAR_TESTING")
DEBUG = _env_bool("LODESTAR_DEBUG")

DATA_DIR = Path(
    os.environ.get("LODESTAR_DATA_DIR", str(Path.home() / ".local" / "share" / "lodestar"))
).expanduser()

# The key file `make run` writes once (readable by its owner alone): every command on this
# machine (the server, `lodestar backlog list`, ...) then signs with the same key.
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    key = os.environ.get("LODESTAR_SECRET_KEY", "").strip()
    if not key and SECRET_KEY_FILE.is_file():
        key = SECRET_KEY_FILE.read_text().strip()
    return key


# Only a development or test process may run on this key; production refuses it.
INSECURE_DEFAULT_SECRET_KEY = "lodestar-insecure-development-key-change-me"  # noqa: S105
SECRET_KEY = _secret_key()
if not SECRET_KEY or SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "LODESTAR_SECRET_KEY is missing or is the development default. Set it to a long "
            "random value (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            f"or put one in {SECRET_KEY_FILE} (readable by you alone; `make run` does), "
            "or set LODESTAR_DEBUG=1 for a development server."
        )
    SECRET_KEY = INSECURE_DEFAULT_SECRET_KEY

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("LODESTAR_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
if TESTING:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "lodestar.core",
    "lodestar.people",
    "lodestar.strategy",
    "lodestar.backlog",
    "lodestar.discovery",
    "lodestar.sprints",
    "lodestar.decisions",
    "lodestar.outcomes",
    "lodestar.releases",
    "lodestar.coverage",
    "lodestar.reports",
    "lodestar.comments",
    "lodestar.notifications",
    "lodestar.interop",
    "lodestar.api",
    "lodestar.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files need no policy, every answer of Lodestar's own gets one.
    "lodestar.config.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lodestar.api.ratelimit.ApiRateLimitMiddleware",
    "lodestar.api.parser.ApiBodyMiddleware",
    "lodestar.api.http.SessionAnswersMiddleware",
    "lodestar.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "lodestar.config.urls"
WSGI_APPLICATION = "lodestar.config.wsgi.application"

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
                "lodestar.people.context_processors.workspace",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = _sqlite_options()
        else:
            config["CONN_HEALTH_CHECKS"] = True
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "lodestar.sqlite3",
        "OPTIONS": _sqlite_options(),
        # Reopening the file, its PRAGMAs and the schema cost ~2 ms a request: keep it open.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def _sqlite_options() -> dict[str, Any]:
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "people:home"
LOGOUT_REDIRECT_URL = "people:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves through the finders; it still expects STATIC_ROOT to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The shared layout's CSS/JS and the vendored front-end packages live outside any app.
STATICFILES_DIRS: list[Path] = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# A production server links content-hashed names, cached for good, with gzip copies;
# `lodestar web` collects them into STATIC_ROOT at start (config/static.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "lodestar.config.static.StaticStorage"
    },
}

CACHES = {
    # Per-process, and holds nothing Lodestar relies on: whatever every process must agree on
    # (rate limits, sign-in throttling, sessions) lives in the database (core/ratelimit.py).
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "lodestar",
    },
}

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG and not TESTING:
    # Behind a TLS-terminating proxy in production; LODESTAR_INSECURE_HTTP=1 serves plain HTTP
    # on a trusted network (for example the local `make run`).
    _https = not _env_bool("LODESTAR_INSECURE_HTTP")
    SESSION_COOKIE_SECURE = _https
    CSRF_COOKIE_SECURE = _https
    SECURE_SSL_REDIRECT = _https
    SECURE_HSTS_SECONDS = 31536000 if _https else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
    SECURE_HSTS_PRELOAD = _https
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [
        origin.strip()
        for origin in os.environ.get("LODESTAR_CSRF_TRUSTED_ORIGINS", "").split(",")
        if origin.strip()
    ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"lodestar": {"level": "INFO"}},
}

# Sign-in throttling (people/throttle.py), counted in the database by every process.
# An account's failures from one address: free ones, then delays that double (1 s, 2 s, 4 s,
# ...) up to the cap; forgotten this long after the last one.
LOGIN_THROTTLE_FREE_FAILURES = 3
LOGIN_THROTTLE_MAX_DELAY_SECONDS = 300
LOGIN_THROTTLE_FORGET_SECONDS = 3600
# Failures from one address, whatever the accounts (stops one address spraying many).
LOGIN_THROTTLE_ADDRESS_FAILURES = _env_int("LODESTAR_LOGIN_ADDRESS_FAILURES", 30)
LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS = 900
# Failures from everywhere (stops an attack spread over many addresses); beyond it, browsers
# that are not a known device of the account wait for the window to end.
LOGIN_THROTTLE_GLOBAL_FAILURES = _env_int("LODESTAR_LOGIN_GLOBAL_FAILURES", 300)
LOGIN_THROTTLE_GLOBAL_WINDOW_SECONDS = 60
# The signed cookie that makes a browser a known device of the accounts signed in on it.
LOGIN_DEVICE_COOKIE_NAME = "lodestar_device"
LOGIN_DEVICE_COOKIE_DAYS = 365
# The API rate limit (api/ratelimit.py): requests per window per token or session user, and
# per client address for requests without valid credentials.
API_RATE_LIMIT_PER_MINUTE = _env_int("LODESTAR_API_RATE_LIMIT", 1200)
API_ANONYMOUS_RATE_LIMIT_PER_MINUTE = _env_int("LODESTAR_API_ANONYMOUS_RATE_LIMIT", 60)
API_RATE_LIMIT_WINDOW_SECONDS = 60
# Reverse proxies in front of the server whose X-Forwarded-For is trusted for the client's
# address (0: the connecting address is the client's).
TRUSTED_PROXIES = _env_int("LODESTAR_TRUSTED_PROXIES", 0)

# The longest API URL (path and query) Lodestar answers; longer ones get a 414 problem. The web
# server's own request-line limit (gunicorn's limit_request_line, set by `lodestar web`) sits
# above it, so every URL up to there gets Lodestar's answer rather than gunicorn's.
API_MAX_URL_LENGTH = 4096

TRASH_RETENTION_DAYS = 30
INVITATION_TTL_DAYS = 7
# Password reset by email (people/services/passwords.py): a link works for an hour and once
# (Django's token generator: it stops working when the password changes); requests are
# counted per address typed and per client address (core/ratelimit.py).
PASSWORD_RESET_TIMEOUT = 3600
PASSWORD_RESET_RATE_LIMIT_PER_EMAIL = _env_int("LODESTAR_PASSWORD_RESET_RATE_LIMIT_PER_EMAIL", 3)
PASSWORD_RESET_RATE_LIMIT_PER_CLIENT = _env_int("LODESTAR_PASSWORD_RESET_RATE_LIMIT_PER_CLIENT", 20)
PASSWORD_RESET_RATE_LIMIT_WINDOW_SECONDS = 3600
# Email change (people/services/email_change.py): the link sent to the new address works for a
# day; an account makes at most this many attempts per window (counted before the password
# is checked).
EMAIL_CHANGE_MAX_AGE_SECONDS = 86400
EMAIL_CHANGE_RATE_LIMIT_PER_USER = 10
EMAIL_CHANGE_RATE_LIMIT_WINDOW_SECONDS = 3600
# Domain events: how often the worker reads the outbox, and how long delivered events stay.
OUTBOX_POLL_SECONDS = 2.0
OUTBOX_RETENTION_DAYS = 7
# Webhooks (interop/webhooks, docs/WEBHOOKS.md): private networks a receiver may be on
# (comma-separated CIDRs, e.g. "10.20.0.0/16,127.0.0.1/32"; none by default: only public
# addresses are reached), and the seconds a delivery may take to connect and to read.
WEBHOOK_ALLOWED_NETWORKS = os.environ.get("LODESTAR_WEBHOOK_ALLOWED_NETWORKS", "")
WEBHOOK_TIMEOUT_SECONDS = float(_env_int("LODESTAR_WEBHOOK_TIMEOUT_SECONDS", 10))
# Live updates: how often an item's page, a backlog and a sprint board ask whether what they
# show changed (a poll that answers 304 when nothing did; see core/live.py).
LIVE_POLL_SECONDS = float(_env_int("LODESTAR_LIVE_POLL_SECONDS", 10))

# Email (the public portal's confirmation links; password reset, invitations and email
# change). LODESTAR_EMAIL_BACKEND picks how messages leave: "console" (the default: printed
# by the server, for development), "file" (one file per message in LODESTAR_EMAIL_FILE_PATH,
# default <data dir>/mail) or "smtp" (LODESTAR_EMAIL_HOST, _PORT, _USER, _PASSWORD, _USE_TLS
# or _USE_SSL). Tests use Django's in-memory outbox.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = os.environ.get("LODESTAR_EMAIL_BACKEND", "console").strip().lower() or "console"
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"LODESTAR_EMAIL_BACKEND must be one of {', '.join(_EMAIL_BACKENDS)}, "
        f"not {_email_backend!r}."
    )
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = Path(
    os.environ.get("LODESTAR_EMAIL_FILE_PATH", "").strip() or DATA_DIR / "mail"
).expanduser()
EMAIL_HOST = os.environ.get("LODESTAR_EMAIL_HOST", "localhost").strip()
EMAIL_PORT = _env_int("LODESTAR_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("LODESTAR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LODESTAR_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = _env_bool("LODESTAR_EMAIL_USE_SSL")
EMAIL_USE_TLS = _env_bool("LODESTAR_EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("Set LODESTAR_EMAIL_USE_TLS or LODESTAR_EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("LODESTAR_EMAIL_FROM", "").strip() or "lodestar@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address links in emails start with (scheme and host, e.g. https://pm.example.com); when
# unset, the address the visitor's request came to (a host ALLOWED_HOSTS accepts).
BASE_URL = os.environ.get("LODESTAR_BASE_URL", "").strip().rstrip("/")

# The public portal (discovery/portal_services.py): how long an emailed confirmation link
# works, and how many ideas and votes one email address and one client address may send per
# window (counted in the database, core/ratelimit.py).
PORTAL_CONFIRMATION_MAX_AGE_SECONDS = 2 * 86400
PORTAL_RATE_LIMIT_PER_EMAIL = _env_int("LODESTAR_PORTAL_RATE_LIMIT_PER_EMAIL", 5)
PORTAL_RATE_LIMIT_PER_CLIENT = _env_int("LODESTAR_PORTAL_RATE_LIMIT_PER_CLIENT", 30)
PORTAL_RATE_LIMIT_WINDOW_SECONDS = 3600

# Imports from other tools (interop/imports): the largest file an import takes, checked by its
# size before a byte of it is read.
IMPORT_MAX_BYTES = _env_int("LODESTAR_IMPORT_MAX_BYTES", 100 * 1024 * 1024)
