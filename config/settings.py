"""Project settings.

Only this module reads the environment (through django-environ). Production
differs from a local run by environment variables alone; `.env.example` lists
them all and README.md documents each with its default and production value.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from config import env as parse

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

# Required outside DEBUG; local runs get a stable, obviously insecure key.
SECRET_KEY = parse.secret_key(env.str("SECRET_KEY", default=""), debug=DEBUG)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Outside DEBUG the sandbox mints TVM tickets for anyone: refused unless this
# explicit override is set, which `check --deploy` then reports as an error.
SANDBOX_ALLOW_IN_PRODUCTION = env.bool("SANDBOX_ALLOW_IN_PRODUCTION", default=False)
# The sandbox (local emulators of every external system) is on for local runs
# and off in production unless switched on explicitly.
SANDBOX = parse.sandbox_switch(
    env.bool("SANDBOX", default=DEBUG),
    debug=DEBUG,
    allowed_in_production=SANDBOX_ALLOW_IN_PRODUCTION,
)
# Emulator defaults for external URLs, TVM and OAuth clients: local runs only.
EMULATOR_DEFAULTS = SANDBOX and DEBUG

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "rest_framework",
    "django_htmx",
    "django_q",
    "core",
    "recruiting",
    "freelancers",
    "supportchat",
    *(["sandbox"] if SANDBOX else []),
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASE_CONN_MAX_AGE = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES = {
    "default": parse.tune_database(
        parse.database_from_url(
            env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
            "DATABASE_URL",
        ),
        conn_max_age=DATABASE_CONN_MAX_AGE,
        # File-backed, so threads (live server, fan-out workers) get their own connections.
        test_name=BASE_DIR / ".test-db.sqlite3",
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and task queue -----------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")

# CACHE_URL, else Redis at REDIS_URL, else each process's memory.
CACHES = parse.caches(env.str("CACHE_URL", default=""), REDIS_URL)
SESSION_ENGINE = parse.session_engine(CACHES)

# django-q2 delivers at least once: retry must be longer than timeout, attempts
# are bounded, and sync jobs never catch up on missed runs.
Q_CLUSTER = {
    "name": env.str("Q_CLUSTER_NAME", default="product"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=900),
    "retry": env.int("Q_RETRY", default=1200),
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "poll": 1,
    "label": _("Task queue"),
    **parse.queue_broker(REDIS_URL),
}

# --- Auth ---------------------------------------------------------------------

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["core.auth.OrganizationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# Accounts are created by administrators, never by sign-up.
ACCOUNT_ADAPTER = "core.auth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}

# Every page needs a login (LoginRequiredMiddleware) unless its view is marked
# `login_not_required`: the public catalogue, health checks, the sandbox.

# --- Email --------------------------------------------------------------------

# EMAIL_URL (smtp+tls://user:pass@host:587) wins over EMAIL_BACKEND.
_email = parse.email(
    env.str("EMAIL_URL", default=""),
    backend=env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"),
)
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
if _email.file_path:
    EMAIL_FILE_PATH = _email.file_path
# Seconds an SMTP call may block (an admin's invitation is sent in the request).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18n ---------------------------------------------------------------------

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Hashed, compressed static files (after `collectstatic`) unless DEBUG; the
# test suite switches it off so pages render without a collected manifest.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Security (production values come from the environment) -------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Load balancer probes speak plain HTTP to the instance.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only behind a proxy that strips the header from client requests.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False)
    else None
)

# Keys for fields encrypted at rest (job-site tokens, subsystem secrets): a
# dedicated list, newest first, independent of SECRET_KEY. Rotate by putting a
# new key first and running `manage.py rotate_encryption_keys`.
# Required outside DEBUG, each a Fernet key; local runs get a fixed key.
FIELD_ENCRYPTION_KEYS = parse.encryption_keys(
    env.list("FIELD_ENCRYPTION_KEYS", default=[]), debug=DEBUG
)
# Long encrypted values are compressed first (core/fields.py). Releases
# before this one cannot read such values: off while older processes still
# run beside this release, and off, followed by `rotate_encryption_keys`
# (which then writes every value uncompressed), before going back to one.
FIELD_COMPRESS = env.bool("FIELD_COMPRESS", default=True)

# --- Jobs and health ----------------------------------------------------------

# Base URL used to build absolute links in emails and OAuth redirect URIs.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Local emulators answer under SITE_URL/sandbox/<system>/; every adapter's base
# URL defaults to its emulator when the sandbox is on and must be set otherwise.
SANDBOX_URL = env.str("SANDBOX_URL", default=f"{SITE_URL.rstrip('/')}/sandbox")
# Default fault knobs per emulator as JSON, e.g. {"hh": {"latency_ms": 300}};
# the admin (Sandbox > Fault settings) overrides them at run time.
SANDBOX_FAULTS = parse.json_object("SANDBOX_FAULTS", env.str("SANDBOX_FAULTS", default=""))
# Load benchmarks only (bench/api_load.sh): the job-site emulators serve each
# distinct search request's answer from memory after generating it once
# (sandbox/memo.py); answers are frozen, so never on for tests or a demo.
SANDBOX_MEMO_SEARCH = env.bool("SANDBOX_MEMO_SEARCH", default=False)
# Which documented form of hh.ru resume contacts the hh emulator answers in:
# "current" (`contact_value`), "legacy" (`value` objects) or "mixed" (by resume).
SANDBOX_HH_CONTACT_FORM = parse.one_of(
    "SANDBOX_HH_CONTACT_FORM",
    env.str("SANDBOX_HH_CONTACT_FORM", default="mixed"),
    ("current", "legacy", "mixed"),
)

# Base URLs and credentials of external systems: with the sandbox on in DEBUG
# they default to the emulators'; otherwise an enabled one must be set.
external = parse.ExternalSystems(
    env=env, sandbox_url=SANDBOX_URL, emulator_defaults=EMULATOR_DEFAULTS
)


# Outbound HTTP defaults for every adapter (seconds).
HTTP_CONNECT_TIMEOUT = env.float("HTTP_CONNECT_TIMEOUT", default=3.05)
HTTP_READ_TIMEOUT = env.float("HTTP_READ_TIMEOUT", default=10.0)
HTTP_MAX_RETRIES = env.int("HTTP_MAX_RETRIES", default=3)

# --- Logging ------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "urllib3": {"level": "WARNING"},
    },
}

JOB_RUN_RETENTION_DAYS = env.int("JOB_RUN_RETENTION_DAYS", default=90)
JOBRUNS_PRUNE_ENABLED = env.bool("JOBRUNS_PRUNE_ENABLED", default=True)
HTTP_USER_AGENT = env.str("HTTP_USER_AGENT", default="recruiting-platform/1.0 (+ops@localhost)")

# --- supportchat ----------------------------------------------------------------

# ppc shards: comma-separated database URLs; the item `default` stands for the
# default database. Empty: one shard, the default database. Shard N (1-based,
# the order of this list) is the Django database alias `default` or `ppc_N`.
PPC_SHARD_DATABASE_URLS = env.list("PPC_SHARD_DATABASE_URLS", default=[])
# Sandbox and tests only: with no shard list, add a second shard derived from
# the default database (SQLite: a sibling file; PostgreSQL: `<name>_shard2` on
# the same server), so the demo and the tests exercise two shards.
PPC_SANDBOX_SECOND_SHARD = env.bool("PPC_SANDBOX_SECOND_SHARD", default=SANDBOX)
_ppc = parse.ppc_shards(
    PPC_SHARD_DATABASE_URLS,
    default=DATABASES["default"],
    second_shard=PPC_SANDBOX_SECOND_SHARD,
    conn_max_age=DATABASE_CONN_MAX_AGE,
    base_dir=BASE_DIR,
)
PPC_SHARDS = _ppc.aliases
DATABASES.update(_ppc.databases)
DATABASE_ROUTERS = ["supportchat.routers.ShardRouter"]

SUPPORT_CHAT_SYNC_ENABLED = env.bool("SUPPORT_CHAT_SYNC_ENABLED", default=True)
# A local CSV file of client ids to read instead of YT (its mtime is the
# table's modification time); empty: read the YT table.
SUPPORT_CHAT_EXCLUSION_SOURCE = env.str("SUPPORT_CHAT_EXCLUSION_SOURCE", default="")
SUPPORT_CHAT_YT_TABLE = env.str(
    "SUPPORT_CHAT_YT_TABLE", default="//home/support/clients_chat_exclusion"
)
SUPPORT_CHAT_YT_CLIENT_ID_COLUMN = env.str("SUPPORT_CHAT_YT_CLIENT_ID_COLUMN", default="client_id")
YT_PROXY_URL = (
    external.url("YT_PROXY_URL", "yt", enabled=not SUPPORT_CHAT_EXCLUSION_SOURCE)
    if SUPPORT_CHAT_SYNC_ENABLED
    else env.str("YT_PROXY_URL", default="")
)
YT_TOKEN = env.str("YT_TOKEN", default="")
# YT fails several times in a row at times: more retries, longer backoff.
YT_MAX_RETRIES = env.int("YT_MAX_RETRIES", default=5)
YT_BACKOFF_SECONDS = env.float("YT_BACKOFF_SECONDS", default=1.0)
# Safety: a plan changing more than this share of the disabled set, or more
# than this many clients, is refused without --force; plans of at most
# SUPPORT_CHAT_SAFETY_FLOOR changes never trip the share guard.
SUPPORT_CHAT_MAX_CHANGE_SHARE = env.float("SUPPORT_CHAT_MAX_CHANGE_SHARE", default=0.10)
SUPPORT_CHAT_MAX_CHANGES = env.int("SUPPORT_CHAT_MAX_CHANGES", default=20_000)
SUPPORT_CHAT_SAFETY_FLOOR = env.int("SUPPORT_CHAT_SAFETY_FLOOR", default=20)
SUPPORT_CHAT_BATCH_SIZE = env.int("SUPPORT_CHAT_BATCH_SIZE", default=5_000)
# How many client ids per shard and direction a run keeps in its plan.
SUPPORT_CHAT_PLAN_ID_CAP = env.int("SUPPORT_CHAT_PLAN_ID_CAP", default=1_000)

# --- recruiting: subsystems (amoCRM, Yandex Tracker) ---------------------------

# amoCRM answers on each account's own host: `{subdomain}` is replaced by the
# connection's account (Kommo accounts: https://{subdomain}.kommo.com).
AMOCRM_URL_TEMPLATE = env.str(
    "AMOCRM_URL_TEMPLATE",
    default=f"{SANDBOX_URL.rstrip('/')}/amocrm/{{subdomain}}"
    if EMULATOR_DEFAULTS
    else "https://{subdomain}.amocrm.ru",
)
# Requests per second per amoCRM account (the documented limit is 7).
AMOCRM_RATE_LIMIT = env.float("AMOCRM_RATE_LIMIT", default=7.0)
# Seconds a web request waits at most for an amoCRM rate-limit slot before it
# answers UNAVAILABLE with a retry-after (jobs wait as long as the queue is).
AMOCRM_RATE_WAIT = env.float("AMOCRM_RATE_WAIT", default=5.0)
TRACKER_API_URL = external.url("TRACKER_API_URL", "tracker")
# Where a recruiter opens a deal or an issue in the subsystem's web interface
# (the account's host and the product's URL scheme; not part of the API
# references, so unverified): `{subdomain}`, `{id}` and `{key}` are replaced.
AMOCRM_LEAD_URL_TEMPLATE = env.str(
    "AMOCRM_LEAD_URL_TEMPLATE", default="https://{subdomain}.amocrm.ru/leads/detail/{id}"
)
TRACKER_ISSUE_URL_TEMPLATE = env.str(
    "TRACKER_ISSUE_URL_TEMPLATE", default="https://tracker.yandex.ru/{key}"
)
# A PENDING claim (the external call in flight) is leased this long; after it
# a retry reconciles by the stored marker instead of waiting.
APPLICATION_CLAIM_SECONDS = env.int("APPLICATION_CLAIM_SECONDS", default=120)
APPLICATIONS_POLL_ENABLED = env.bool("APPLICATIONS_POLL_ENABLED", default=True)
APPLICATIONS_POLL_MINUTES = env.int("APPLICATIONS_POLL_MINUTES", default=5)
APPLICATIONS_CONTACTS_PULL_ENABLED = env.bool("APPLICATIONS_CONTACTS_PULL_ENABLED", default=True)
SUBSYSTEM_TOKENS_REFRESH_ENABLED = env.bool("SUBSYSTEM_TOKENS_REFRESH_ENABLED", default=True)
SEARCH_SESSIONS_PRUNE_ENABLED = env.bool("SEARCH_SESSIONS_PRUNE_ENABLED", default=True)
CURRENCY_RATES_REFRESH_ENABLED = env.bool("CURRENCY_RATES_REFRESH_ENABLED", default=True)

# --- recruiting: job sites and search ----------------------------------------

# hh.ru: API base (api.hh.ru) and the page users grant access on (hh.ru).
HH_API_URL = external.url("HH_API_URL", "hh")
HH_OAUTH_URL = external.url("HH_OAUTH_URL", "hh")
HH_CLIENT_ID = external.credential("HH_CLIENT_ID", "sandbox-hh-client", enabled=True)
HH_CLIENT_SECRET = external.credential("HH_CLIENT_SECRET", "sandbox-hh-secret", enabled=True)
# SuperJob: API base (api.superjob.ru/2.0) and the consent page (www.superjob.ru).
SUPERJOB_API_URL = external.url("SUPERJOB_API_URL", "superjob/2.0")
SUPERJOB_OAUTH_URL = external.url("SUPERJOB_OAUTH_URL", "superjob")
SUPERJOB_CLIENT_ID = external.credential("SUPERJOB_CLIENT_ID", "1", enabled=True)
SUPERJOB_CLIENT_SECRET = external.credential(
    "SUPERJOB_CLIENT_SECRET", "v3.r.sandbox-superjob-secret", enabled=True
)
# Fan-out search: read timeout of one site call and the deadline of a whole
# page (seconds); results per page; how long a search cursor stays valid.
JOBSITE_SEARCH_TIMEOUT = env.float("JOBSITE_SEARCH_TIMEOUT", default=4.0)
JOBSITE_SEARCH_DEADLINE = env.float("JOBSITE_SEARCH_DEADLINE", default=5.0)
JOBSITE_SEARCH_PAGE_SIZE = env.int("JOBSITE_SEARCH_PAGE_SIZE", default=20)
JOBSITE_SEARCH_CURSOR_TTL = env.int("JOBSITE_SEARCH_CURSOR_TTL", default=3600)
# Threads per process for the site calls of searches: one call per site of
# every search in flight, so at least GUNICORN_THREADS x the number of sites
# (2); fewer, and a call left running past a page's deadline (a slow token
# refresh) queues the calls of other searches behind it.
JOBSITE_SEARCH_THREADS = env.int("JOBSITE_SEARCH_THREADS", default=16)
# Search sessions keep their buffered resumes apart from the rest of their
# state; releases before that read them inside it. On while such a release
# still runs beside this one (a rolling deploy), and for JOBSITE_SEARCH_CURSOR_TTL
# before going back to one: each page then writes them inside the state too.
JOBSITE_SEARCH_BUFFERS_IN_STATE = env.bool("JOBSITE_SEARCH_BUFFERS_IN_STATE", default=False)
# Read timeouts of job-site calls that spend something when answered (seconds):
# the OAuth code exchange and token refresh (single-use codes and refresh
# tokens), and a paid contact opening. Long, so a slow site's answer is kept;
# connecting uses HTTP_CONNECT_TIMEOUT. The refresh lease outlives the first.
JOBSITE_TOKEN_TIMEOUT = env.float("JOBSITE_TOKEN_TIMEOUT", default=30.0)
JOBSITE_CONTACTS_TIMEOUT = env.float("JOBSITE_CONTACTS_TIMEOUT", default=30.0)

# --- API (core/api: DRF, the error model, TVM, throttling, OpenAPI) ------------


REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.TvmAuthentication",
        "core.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsRecruiter"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.RecruiterRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    # Per-recruiter request rates by throttle scope; an API view opts in with
    # `throttle_scope = "search"`. Views without a scope use "api".
    "DEFAULT_THROTTLE_RATES": {
        "api": parse.throttle_rate(
            "API_THROTTLE_DEFAULT", env.str("API_THROTTLE_DEFAULT", default="600/minute")
        ),
        "search": parse.throttle_rate(
            "API_THROTTLE_SEARCH", env.str("API_THROTTLE_SEARCH", default="60/minute")
        ),
        "contacts": parse.throttle_rate(
            "API_THROTTLE_CONTACTS", env.str("API_THROTTLE_CONTACTS", default="30/minute")
        ),
    },
}

# The largest request body the API reads (bytes); above it: RESOURCE_EXHAUSTED, 413.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "Recruiting API",
    "DESCRIPTION": (
        "JSON API of the recruiting product. Every error answers "
        '`{"code", "message", "details"}` with a gRPC status name in `code` and the '
        "standard gRPC-to-HTTP status. Authentication: a browser session (with the "
        "CSRF token on unsafe methods) or TVM service + user tickets."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ErrorCode": "core.api.schema.ERROR_CODES"},
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # Vendored (drf-spectacular-sidecar): the docs page loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# TVM: other services call the API with a service ticket (X-Ya-Service-Ticket)
# and a user ticket (X-Ya-User-Ticket), checked by the local tvmtool daemon.
TVM_ENABLED = env.bool("TVM_ENABLED", default=SANDBOX)
TVM_TOOL_URL = external.url("TVM_TOOL_URL", "tvmtool", enabled=TVM_ENABLED)
# The sandbox emulator's token by default; production: TVMTOOL_LOCAL_AUTHTOKEN's value.
TVM_TOOL_AUTH_TOKEN = external.credential(
    "TVM_TOOL_AUTH_TOKEN", "sandbox-tvmtool-local-token", enabled=TVM_ENABLED
)
# TVM client ids allowed to call the API (the front end and trusted services).
TVM_ALLOWED_SOURCES = parse.required(
    "TVM_ALLOWED_SOURCES",
    env.list("TVM_ALLOWED_SOURCES", cast=int, default=[2001234] if EMULATOR_DEFAULTS else []),
    when=TVM_ENABLED,
)
# Our alias in tvmtool's config, sent as ?dst= when tvmtool holds several clients.
TVM_SELF_ALIAS = env.str("TVM_SELF_ALIAS", default="")
TVM_TOOL_TIMEOUT = env.float("TVM_TOOL_TIMEOUT", default=1.0)
TVM_TOOL_MAX_RETRIES = env.int("TVM_TOOL_MAX_RETRIES", default=1)
# How long a valid ticket's check result is reused (0 turns the cache off).
# Kept far below a ticket's lifetime: the exact TTL of TVM tickets is
# (unverified) not documented; senders refresh them about every 8 min.
TVM_CACHE_SECONDS = env.int("TVM_CACHE_SECONDS", default=10)

# --- freelancers ----------------------------------------------------------------

# The certification service (`findByUids`): base URL, batch size and how many
# batches are in flight at once.
FREELANCER_CERTIFICATES_API_URL = external.url("FREELANCER_CERTIFICATES_API_URL", "certification")
FREELANCER_CERTIFICATES_SYNC_ENABLED = env.bool(
    "FREELANCER_CERTIFICATES_SYNC_ENABLED", default=True
)
FREELANCER_CERTIFICATES_BATCH_SIZE = env.int("FREELANCER_CERTIFICATES_BATCH_SIZE", default=100)
FREELANCER_CERTIFICATES_CONCURRENCY = env.int("FREELANCER_CERTIFICATES_CONCURRENCY", default=4)
# Certificate kinds that make a freelancer searchable when current.
FREELANCER_CERTIFICATES_ACCEPTED_KINDS = env.list(
    "FREELANCER_CERTIFICATES_ACCEPTED_KINDS", default=["direct", "direct_pro"]
)
# Safety: a run is refused without --force when the freelancers it would hide
# although their stored certificate is still current exceed both this share of
# the visible ones and the absolute allowance (so small catalogues are guarded).
FREELANCER_CERTIFICATES_MAX_HIDE_SHARE = env.float(
    "FREELANCER_CERTIFICATES_MAX_HIDE_SHARE", default=0.2
)
FREELANCER_CERTIFICATES_GUARD_ALLOWANCE = env.int(
    "FREELANCER_CERTIFICATES_GUARD_ALLOWANCE", default=2
)
FREELANCER_PHOTO_MAX_BYTES = env.int("FREELANCER_PHOTO_MAX_BYTES", default=2 * 1024 * 1024)
FREELANCER_CATALOGUE_PAGE_SIZE = env.int("FREELANCER_CATALOGUE_PAGE_SIZE", default=20)
# How long an anonymous visitor's catalogue page is served from the cache
# (changes invalidate it at once; this bounds a per-process cache's staleness).
FREELANCER_CATALOGUE_CACHE_SECONDS = env.int("FREELANCER_CATALOGUE_CACHE_SECONDS", default=60)
# The daily e-mail before a card leaves the catalogue: days before the last
# current certificate expires (docs/jobs/freelancer_expiry_notices.md).
FREELANCER_EXPIRY_NOTICES_ENABLED = env.bool("FREELANCER_EXPIRY_NOTICES_ENABLED", default=True)
FREELANCER_EXPIRY_NOTICE_DAYS = env.list("FREELANCER_EXPIRY_NOTICE_DAYS", cast=int, default=[30, 7])
