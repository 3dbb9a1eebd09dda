"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.celery_routes import task_queues
from config.redis_urls import redis_db_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Production-safe defaults: DEBUG off, no hosts; local.py and test.py relax them.
# SECRET_KEY is set per environment: production has no default, so it fails fast.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Real public reference data (frameworks, HK and UK registers), carried in the repository.
REFERENCE_DATA_DIR = BASE_DIR / "qualifications" / "data"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "config",  # migrate as the owner role, then the application role's grants
    "providers",
    "qualifications",
    "credentials",
    "qa_reviews",
    "statements",
    "status_checks",
    "imports",
    "changes",
    "workspace",
    "follows",
    # Top layer: apps that use every other app and that nothing imports.
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The health check above looks at the socket instead of asking SELECT 1 (config/postgresql).
DATABASES["default"]["ENGINE"] = "config.postgresql"
# An optional streaming replica for public reads: config/db_routers.py, README "Scale-out".
# Without DATABASE_REPLICA_URL there is no replica alias and every query uses default.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["ENGINE"] = DATABASES["default"]["ENGINE"]
DATABASE_ROUTERS = ["config.db_routers.ReplicaRouter"]
# Seconds a browser that just wrote keeps reading the primary, to see its own change.
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
MIDDLEWARE += ["config.replica.ReplicaReadsMiddleware"]
# `manage.py backup` / `restore`: README "Backup and restore".
INSTALLED_APPS += ["operations"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, cache and status-check state (platform) ---------------------------------
# Three databases, so that flushing the cache (a test's cache.clear(), an operator's FLUSHDB)
# never drops queued tasks or circuit-breaker state: REDIS_URL's database N holds the Celery
# broker and results, N+1 the cache, N+2 the status-check state, unless a URL of its own is set.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CACHE_URL = env("CACHE_URL", default="") or redis_db_url(REDIS_URL, 1)
STATUS_CHECK_REDIS_URL = env("STATUS_CHECK_REDIS_URL", default="") or redis_db_url(REDIS_URL, 2)

# The cache is optional: ResilientRedisCache turns a Redis outage into misses (pages compute)
# rather than 500s, and short socket timeouts keep an unreachable host from stalling requests.
CACHES = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "registry",
        "OPTIONS": {
            "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
        },
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Hong_Kong"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Credential Registry <registry@localhost>")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:dashboard"
LOGOUT_REDIRECT_URL = "credentials:home"

# Search (credentials.search): totals are exact up to this many matches and shown as
# "1,000+" beyond; a text search reads (and counts, and groups facets over) at most this
# many candidates. 10,000 cost 150-250 ms per broad text search at 1M entries on two cores,
# 1,000 costs 20-60 ms: docs/search.md, Performance.
SEARCH_RESULT_CAP = env.int("SEARCH_RESULT_CAP", default=1_000)
# A text query's results are ranked within its first this-many matches (ts_rank reads each).
SEARCH_RANK_WINDOW = env.int("SEARCH_RANK_WINDOW", default=1_000)
# Browse counts (filters, no text) are exact and kept this long, with their pages of ids;
# any save of a credential, provider, level or area makes them stale at once.
SEARCH_FACET_CACHE_SECONDS = env.int("SEARCH_FACET_CACHE_SECONDS", default=300)
# "Did you mean": a text search finding fewer results than this looks up a correction of its
# misspelt words in the register's vocabulary (credentials.search.vocabulary), which beat
# rebuilds every SEARCH_VOCABULARY_REFRESH_SECONDS.
SEARCH_SUGGESTION_BELOW = env.int("SEARCH_SUGGESTION_BELOW", default=3)
SEARCH_VOCABULARY_REFRESH_SECONDS = env.int("SEARCH_VOCABULARY_REFRESH_SECONDS", default=3600)
# An export (format=csv|json, the registry CSV) matching at most this many entries collects
# their ids first and reads them by key; a broader one walks the id index
# (credentials.interop.streaming; docs/performance.md). 0: always walk.
EXPORT_ID_SET_LIMIT = env.int("EXPORT_ID_SET_LIMIT", default=10_000)
# Browse counts read the facet cubes plus their pending deltas (credentials.search.cube); beat
# folds the deltas in this often, which bounds what a read sums.
SEARCH_FACET_CUBE_COMPACT_SECONDS = env.int("SEARCH_FACET_CUBE_COMPACT_SECONDS", default=60)

# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "providers.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # DRF's JSON output, encoded by orjson (config/renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.registry_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# A credential's deepest JSON (a list of learning outcomes in an object) is three levels.
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=20)

SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Credential Registry API",
    "DESCRIPTION": "The public register of micro-credentials and qualifications.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files: the docs work offline
    # and load nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise show a badge from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "CredentialStatusEnum": "credentials.choices.CredentialStatus",
        "ProviderStatusEnum": "providers.choices.ProviderStatus",
        "AccreditationStatusEnum": "credentials.choices.AccreditationStatus",
    },
}

# https://docs.celeryq.dev/en/stable/userguide/configuration.html#result-backend
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-serializer
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-reject-on-worker-lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-prefetch-multiplier
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#result-expires
CELERY_RESULT_EXPIRES = 24 * 60 * 60
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
}
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-retry-on-startup
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#beat-schedule
CELERY_BEAT_SCHEDULE: dict = {}

# Logging: see the Observability section at the end.

# --- Accreditation-status checks (status_checks) --------------------------------------------
# Every number below is an operator's dial, so each comes from the environment.
STATUS_CHECK_CHUNK_SIZE = env.int("STATUS_CHECK_CHUNK_SIZE", default=1000)
# Days before a validity period ends at which providers are warned, widest first; each is sent
# once per validity end date.
STATUS_CHECK_ALERT_WINDOWS = tuple(
    sorted(env.list("STATUS_CHECK_ALERT_WINDOWS", cast=int, default=[90, 30]), reverse=True)
)
# A poison task (one that kills its worker) is redelivered by task_reject_on_worker_lost; the
# count of deliveries bounds that loop.
STATUS_CHECK_MAX_DELIVERIES = env.int("STATUS_CHECK_MAX_DELIVERIES", default=5)
# https://docs.celeryq.dev/en/stable/userguide/tasks.html#time-limits
STATUS_CHECK_TASK_SOFT_TIME_LIMIT = env.int("STATUS_CHECK_TASK_SOFT_TIME_LIMIT", default=300)
STATUS_CHECK_TASK_TIME_LIMIT = env.int("STATUS_CHECK_TASK_TIME_LIMIT", default=360)
# Circuit-breaker state, rate-limit windows and delivery counts live here so that every worker
# process sees the same picture of a register.
# STATUS_CHECK_REDIS_URL is set with the other Redis URLs near the top.
STATUS_CHECK_REDIS_PREFIX = env("STATUS_CHECK_REDIS_PREFIX", default="registry:status-checks")
# Registry staff copied on every provider alert (e.g. a shared mailbox); blank for none.
STATUS_CHECK_ALERT_CC = env.list("STATUS_CHECK_ALERT_CC", default=[])
# Defaults for every register adapter; a register's own entry below may override any key.
STATUS_CHECK_HTTP = {
    "CONNECT_TIMEOUT": env.float("STATUS_CHECK_CONNECT_TIMEOUT", default=3.0),
    "READ_TIMEOUT": env.float("STATUS_CHECK_READ_TIMEOUT", default=10.0),
    "MAX_RETRIES": env.int("STATUS_CHECK_MAX_RETRIES", default=3),
    "BACKOFF_BASE": env.float("STATUS_CHECK_BACKOFF_BASE", default=0.5),
    "BACKOFF_MAX": env.float("STATUS_CHECK_BACKOFF_MAX", default=8.0),
    # A Retry-After longer than this opens the circuit instead of holding a worker asleep.
    "RETRY_AFTER_MAX": env.float("STATUS_CHECK_RETRY_AFTER_MAX", default=30.0),
    "RATE_LIMIT_PER_SECOND": env.int("STATUS_CHECK_RATE_LIMIT_PER_SECOND", default=10),
    "CIRCUIT_FAILURE_THRESHOLD": env.int("STATUS_CHECK_CIRCUIT_FAILURE_THRESHOLD", default=5),
    "CIRCUIT_FAILURE_WINDOW": env.int("STATUS_CHECK_CIRCUIT_FAILURE_WINDOW", default=60),
    "CIRCUIT_RESET_TIMEOUT": env.int("STATUS_CHECK_CIRCUIT_RESET_TIMEOUT", default=300),
}
# External registers, keyed by the value of Credential.external_register. A register whose URL
# is blank is not asked; its credentials get the local rules only.
STATUS_CHECK_REGISTERS = {
    "ofqual": {
        "ADAPTER": "status_checks.adapters.ofqual.OfqualRegisterAdapter",
        "NAME": "Ofqual Register of Regulated Qualifications",
        "BASE_URL": env("STATUS_CHECK_OFQUAL_API_URL", default=""),
        # Only the private "gov" endpoints need a subscription key; the public ones do not.
        "API_KEY": env("STATUS_CHECK_OFQUAL_API_KEY", default=""),
    },
    "hkqr": {
        "ADAPTER": "status_checks.adapters.published_file.PublishedRegisterFileAdapter",
        "NAME": "Hong Kong Qualifications Register",
        "URL": env("STATUS_CHECK_HKQR_FILE_URL", default=""),
        "REFERENCE_COLUMN": env(
            "STATUS_CHECK_HKQR_REFERENCE_COLUMN", default="Registration Number"
        ),
        "STATUS_COLUMN": env("STATUS_CHECK_HKQR_STATUS_COLUMN", default="Status"),
        "END_DATE_COLUMN": env("STATUS_CHECK_HKQR_END_DATE_COLUMN", default="Valid To"),
        "CACHE_SECONDS": env.int("STATUS_CHECK_HKQR_CACHE_SECONDS", default=3600),
    },
}
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html#crontab-schedules
CELERY_BEAT_SCHEDULE["status-sweep-daily"] = {
    "task": "status_checks.tasks.status_sweep_daily",
    "schedule": crontab(
        hour=env.int("STATUS_SWEEP_HOUR", default=2),
        minute=env.int("STATUS_SWEEP_MINUTE", default=30),
    ),
}
# Redis hands an unacknowledged task to another worker only after visibility_timeout, and only
# when a worker scans for such tasks: every interval x throttle seconds (kombu defaults 10 x 10).
# https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html
CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env.int(
    "CELERY_UNACKED_RESTORE_INTERVAL", default=10
)
CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = env.int(
    "CELERY_UNACKED_RESTORE_THROTTLE", default=10
)
# A worker killed mid-scan leaves the scan's mutex behind; nobody restores until it expires.
CELERY_BROKER_TRANSPORT_OPTIONS["unacked_mutex_expire"] = env.int(
    "CELERY_UNACKED_MUTEX_EXPIRE", default=300
)
# PostgreSQL is the record of a sweep's work (status_checks.StatusSweepChunk); the broker only
# carries it. A sweep with no progress for STATUS_SWEEP_STALL_SECONDS has lost its messages (or
# its worker): the reaper, run every STATUS_SWEEP_REAPER_SECONDS by beat, queues its unfinished
# chunks again, and after STATUS_SWEEP_MAX_REQUEUES such attempts marks it failed.
STATUS_SWEEP_STALL_SECONDS = env.int("STATUS_SWEEP_STALL_SECONDS", default=15 * 60)
STATUS_SWEEP_MAX_REQUEUES = env.int("STATUS_SWEEP_MAX_REQUEUES", default=3)
STATUS_SWEEP_REAPER_SECONDS = env.float("STATUS_SWEEP_REAPER_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE["status-sweep-reaper"] = {
    "task": "status_checks.tasks.status_sweep_reap_task",
    "schedule": STATUS_SWEEP_REAPER_SECONDS,
}
# Sweep tasks retry database and Redis connection errors with exponential backoff from
# BACKOFF seconds up to BACKOFF_MAX a wait: ten retries outlive a restart of several minutes.
STATUS_CHECK_TASK_RETRY_BACKOFF = env.int("STATUS_CHECK_TASK_RETRY_BACKOFF", default=5)
STATUS_CHECK_TASK_RETRY_BACKOFF_MAX = env.int("STATUS_CHECK_TASK_RETRY_BACKOFF_MAX", default=300)
STATUS_CHECK_TASK_MAX_RETRIES = env.int("STATUS_CHECK_TASK_MAX_RETRIES", default=10)


# --- Bulk import (imports) ------------------------------------------------------------------
# Uploads larger than this are refused before they are read; the DfE list is about 3 MB.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
# A run that meets a database or Redis outage retries after 5, 10, 20 ... up to 120 s: about
# 13 minutes over 10 retries, so a restart or failover is waited out (imports.tasks).
IMPORT_RETRY_BACKOFF_BASE = env.float("IMPORT_RETRY_BACKOFF_BASE", default=5.0)
IMPORT_RETRY_BACKOFF_MAX = env.float("IMPORT_RETRY_BACKOFF_MAX", default=120.0)
IMPORT_MAX_RETRIES = env.int("IMPORT_MAX_RETRIES", default=10)
# The reaper (imports.recovery) runs again an unfinished job whose row has not moved for this
# long and that no worker holds, up to IMPORT_MAX_ATTEMPTS runs, then marks it failed.
IMPORT_STALL_SECONDS = env.int("IMPORT_STALL_SECONDS", default=20 * 60)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE["import-reaper"] = {
    "task": "imports.tasks.import_reap_task",
    "schedule": env.float("IMPORT_REAP_INTERVAL", default=60.0),
}

# --- Change feed and webhooks (changes; docs/changes.md) ------------------------------------
# The registry's public address, for links in webhook bodies (no request to take it from).
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
# Targets must be https on public addresses; these open plain http and private networks
# (tests, a closed intranet). Never both on in production.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=5.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=10.0)
# A delivery is tried up to WEBHOOK_MAX_ATTEMPTS times, waiting base x 2^(n-1) seconds (capped,
# then jittered down by up to half) after failed attempt n.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 60 * 60.0)
# This many failed attempts in a row pause a subscription and tell its owner.
WEBHOOK_PAUSE_AFTER_FAILURES = env.int("WEBHOOK_PAUSE_AFTER_FAILURES", default=10)
# The reaper sends again what is due and unsent, and frees a claim older than this (a worker
# that died mid-send).
WEBHOOK_SENDING_TIMEOUT = env.int("WEBHOOK_SENDING_TIMEOUT", default=300)
WEBHOOK_REPLAY_MAX_EVENTS = env.int("WEBHOOK_REPLAY_MAX_EVENTS", default=10_000)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ChangeKindEnum": "changes.choices.EventKind",
        # The record's kind keeps the name it had before the feed brought a second "kind".
        "KindEnum": "credentials.choices.CredentialKind",
        "WebhookSubscriptionStateEnum": "changes.choices.SubscriptionState",
        "WebhookDeliveryStateEnum": "changes.choices.DeliveryState",
    }
)
CELERY_BEAT_SCHEDULE["webhook-dispatch"] = {
    "task": "changes.tasks.webhook_dispatch_task",
    "schedule": env.float("WEBHOOK_DISPATCH_INTERVAL", default=10.0),
}
CELERY_BEAT_SCHEDULE["webhook-reaper"] = {
    "task": "changes.tasks.webhook_reap_task",
    "schedule": env.float("WEBHOOK_REAP_INTERVAL", default=60.0),
}

# --- Following by e-mail (follows; docs/follow.md) -------------------------------------------
# A confirmation link works this long; unconfirmed requests are then erased.
FOLLOW_CONFIRM_HOURS = env.int("FOLLOW_CONFIRM_HOURS", default=48)
# At most this many unconfirmed requests per address: nobody can flood a third party.
FOLLOW_MAX_PENDING_PER_ADDRESS = env.int("FOLLOW_MAX_PENDING_PER_ADDRESS", default=3)
# A manage link works this long; at most one is e-mailed per address this often.
FOLLOW_MANAGE_LINK_DAYS = env.int("FOLLOW_MANAGE_LINK_DAYS", default=7)
FOLLOW_MANAGE_MAIL_MINUTES = env.int("FOLLOW_MANAGE_MAIL_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["follow-notify"] = {
    "task": "follows.tasks.follow_notify_task",
    "schedule": env.float("FOLLOW_NOTIFY_INTERVAL", default=300.0),
}
CELERY_BEAT_SCHEDULE["follow-expire"] = {
    "task": "follows.tasks.follow_expire_task",
    "schedule": env.float("FOLLOW_EXPIRE_INTERVAL", default=3600.0),
}

# --- QA reviews (qa_reviews) ---------------------------------------------------------------
# The body on whose behalf the registry's QA reviews accredit; it names the accreditation
# record an approval writes and the public record page's "accredited by".
QA_REVIEW_ACCREDITOR = env("QA_REVIEW_ACCREDITOR", default="HKCAAVQ")
# Providers are reminded once when an open condition comes this many days from its due date.
QA_CONDITION_REMINDER_DAYS = env.int("QA_CONDITION_REMINDER_DAYS", default=14)
# Registry staff copied on overdue-condition notices (e.g. a shared mailbox); blank for none.
QA_NOTIFY_CC = env.list("QA_NOTIFY_CC", default=[])
# Named API enums instead of drf-spectacular's hashed names for clashing field names.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ReviewTypeEnum": "qa_reviews.choices.ReviewType",
        "ReviewStageEnum": "qa_reviews.choices.ReviewStage",
        "JudgementOutcomeEnum": "qa_reviews.choices.JudgementOutcome",
        "DecisionOutcomeEnum": "qa_reviews.choices.DecisionOutcome",
        "ConditionStateEnum": "qa_reviews.choices.ConditionState",
        "ConditionEventKindEnum": "qa_reviews.choices.ConditionEventKind",
        # The credential kind keeps the name it had before condition events also had a kind.
        "KindEnum": "credentials.choices.CredentialKind",
    }
)
# Reviewers' evidence files are private: only the permission-checked review page serves them,
# so MEDIA_URL is never routed.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
QA_EVIDENCE_MAX_MB = env.int("QA_EVIDENCE_MAX_MB", default=20)
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html#crontab-schedules
CELERY_BEAT_SCHEDULE["qa-conditions-daily"] = {
    "task": "qa_reviews.tasks.conditions_daily_task",
    "schedule": crontab(
        hour=env.int("QA_CONDITIONS_HOUR", default=7),
        minute=env.int("QA_CONDITIONS_MINUTE", default=0),
    ),
}

# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html#entries
CELERY_BEAT_SCHEDULE["search-vocabulary-refresh"] = {
    "task": "credentials.tasks.search_vocabulary_refresh_task",
    "schedule": SEARCH_VOCABULARY_REFRESH_SECONDS,
}
# The daily export (credentials.interop.daily_export): the whole public register as dated
# CSV and JSON files in REGISTER_EXPORT_DIR, served at /api/v1/exports/daily/ and /download/;
# the newest REGISTER_EXPORT_KEEP days are kept. Built after the status sweep, so the day's
# expiries are in it.
REGISTER_EXPORT_DIR = Path(env("REGISTER_EXPORT_DIR", default=str(BASE_DIR / "exports")))
REGISTER_EXPORT_KEEP = env.int("REGISTER_EXPORT_KEEP", default=3)
# Local time (TIME_ZONE). A beat that starts with the day's build missed (a new deployment,
# or down at this hour) queues one at once (credentials.beat) unless CATCH_UP is off.
REGISTER_EXPORT_HOUR = env.int("REGISTER_EXPORT_HOUR", default=4)
REGISTER_EXPORT_MINUTE = env.int("REGISTER_EXPORT_MINUTE", default=0)
REGISTER_EXPORT_CATCH_UP = env.bool("REGISTER_EXPORT_CATCH_UP", default=True)
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html#crontab-schedules
CELERY_BEAT_SCHEDULE["daily-export-build"] = {
    "task": "credentials.tasks.daily_export_build_task",
    "schedule": crontab(hour=REGISTER_EXPORT_HOUR, minute=REGISTER_EXPORT_MINUTE),
}
CELERY_BEAT_SCHEDULE["search-facet-cube-compact"] = {
    "task": "credentials.tasks.facet_cube_compact_task",
    "schedule": SEARCH_FACET_CUBE_COMPACT_SECONDS,
}
# --- Registry statements (statements; docs/statements.md) -----------------------------------
# The registry's did:web name, e.g. did:web:register.example.org (a port as %3A8000); blank
# takes the host each request came to.
REGISTRY_DID = env("REGISTRY_DID", default="")
# The issuer's name in every statement.
REGISTRY_ISSUER_NAME = env("REGISTRY_ISSUER_NAME", default="Credential Registry")
# The signing keys: a directory that `manage.py signing_keys` writes (never inside the code),
# or a JWK Set of private keys from a secret store, which wins when set (its last key signs).
REGISTRY_SIGNING_KEY_DIR = env("REGISTRY_SIGNING_KEY_DIR", default="")
REGISTRY_SIGNING_JWKS = env("REGISTRY_SIGNING_JWKS", default="")
# A signed status list is cached at most this long; any status change makes it stale at once.
STATEMENT_STATUS_LIST_CACHE_SECONDS = env.int("STATEMENT_STATUS_LIST_CACHE_SECONDS", default=300)

# --- Celery queues (platform) ----------------------------------------------------------------
# A million-entry sweep must not delay e-mail, imports or a one-credential check, so each kind
# has a queue and its own workers can be scaled (docker-compose.yml: worker-sweeps, worker).
# A worker started without -Q consumes all of them. config.celery_routes applies this table.
TASK_QUEUE_NAMES = ("default", "mail", "imports", "sweeps", "webhooks")
# Prepended to every queue name: test runs use their own queues on a shared Redis.
TASK_QUEUE_PREFIX = ""
# The routing table, by task name; unnamed tasks go to "default". A status-check sweep task
# for a one-credential check goes to "default" too (config.celery_routes.ON_DEMAND_SCOPES).
TASK_QUEUE_BY_NAME = {
    "status_checks.tasks.status_sweep_daily": "default",
    "status_checks.tasks.status_sweep_reap_task": "default",
    "status_checks.tasks.status_sweep_dispatch_task": "sweeps",
    "status_checks.tasks.status_check_chunk_task": "sweeps",
    "status_checks.tasks.status_alerts_send_task": "mail",
    "imports.tasks.import_run_task": "imports",
    "imports.tasks.import_reap_task": "default",
    "qa_reviews.tasks.conditions_daily_task": "default",
    "qa_reviews.tasks.review_assignment_notify_task": "mail",
    "qa_reviews.tasks.review_decision_notify_task": "mail",
    "qa_reviews.tasks.conditions_notify_task": "mail",
    "credentials.tasks.search_vocabulary_refresh_task": "default",
    "credentials.tasks.daily_export_build_task": "default",
    "credentials.tasks.facet_cube_compact_task": "default",
    # A slow subscriber delays only other webhooks, never e-mail or imports.
    "changes.tasks.webhook_dispatch_task": "webhooks",
    "changes.tasks.webhook_deliver_task": "webhooks",
    "changes.tasks.webhook_reap_task": "default",
    "changes.tasks.webhook_paused_notify_task": "mail",
    "follows.tasks.follow_notify_task": "default",
    "follows.tasks.follow_expire_task": "default",
    "follows.tasks.follow_digest_send_task": "mail",
}
# https://docs.celeryq.dev/en/stable/userguide/routing.html#routers
CELERY_TASK_ROUTES = ("config.celery_routes.route_task",)
CELERY_TASK_DEFAULT_QUEUE = f"{TASK_QUEUE_PREFIX}default"
CELERY_TASK_QUEUES = task_queues(TASK_QUEUE_PREFIX, TASK_QUEUE_NAMES)

# --- Worker and beat heartbeats for /healthz (platform) -------------------------------------
# Every worker writes a timestamp to the broker's Redis each HEARTBEAT_INTERVAL seconds, and
# beat on each tick (woken at least that often); /healthz calls either stale past
# HEARTBEAT_STALE_AFTER seconds and answers "degraded".
HEARTBEAT_INTERVAL = env.int("HEARTBEAT_INTERVAL", default=15)
HEARTBEAT_STALE_AFTER = env.int("HEARTBEAT_STALE_AFTER", default=90)
HEARTBEAT_KEY_PREFIX = env("HEARTBEAT_KEY_PREFIX", default="registry:heartbeat")
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#beat-scheduler
CELERY_BEAT_SCHEDULER = "config.heartbeat.HeartbeatScheduler"
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#beat-max-loop-interval
CELERY_BEAT_MAX_LOOP_INTERVAL = HEARTBEAT_INTERVAL

# --- Observability (config.observability; README, Observability) ---------------------------
# Every request gets an id (the proxy's X-Request-ID when sane) that every log line carries;
# every request is timed for /metrics.
MIDDLEWARE = [
    "config.observability.request_id.RequestIdMiddleware",
    "config.observability.http.RequestTelemetryMiddleware",
    *MIDDLEWARE,
]
# "json" (one object a line, production's default) or "text" (local and test default).
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.observability.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.observability.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
# Workers log through LOGGING too, so task lines have the same format and request id.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-hijack-root-logger
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# /metrics answers only with this bearer token, and not at all (404) while it is blank.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Gauges read from PostgreSQL at scrape time, one collector per app that owns the rows.
METRICS_COLLECTORS = [
    "status_checks.metrics.SweepProgressCollector",
    "imports.metrics.ImportProgressCollector",
]
# Sentry error reports, only when a DSN is given; no personal data is sent.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from config.observability.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# --- Database roles (roles) ----------------------------------------------------------------
# DATABASE_URL's role runs the application and may not rewrite history; `migrate` connects as
# MIGRATION_DATABASE_URL's role, the owner, then grants DATABASE_APP_ROLE its privileges
# (config/db_roles.py). Without MIGRATION_DATABASE_URL one role does both: triggers only.
MIGRATION_DATABASE_URL = env("MIGRATION_DATABASE_URL", default="")
MIGRATION_DATABASE = (
    environ.Env.db_url_config(MIGRATION_DATABASE_URL) if MIGRATION_DATABASE_URL else {}
)
DATABASE_APP_ROLE = env(
    "DATABASE_APP_ROLE",
    default=DATABASES["default"]["USER"] if MIGRATION_DATABASE_URL else "",
)

# --- Security: sign-in lockout, two-factor, rate limits, Content-Security-Policy (accounts) ----
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "csp", "accounts"]
MIDDLEWARE.insert(0, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accounts.middleware.StaffTwoFactorMiddleware",
)
# https://django-axes.readthedocs.io/en/latest/2_installation.html: last, to answer lockouts.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "providers.auth.RoleAwareModelBackend",
]
# Behind N reverse proxies, the client address is the entry N places from the right of this
# header (each proxy appends the address it saw). 0 trusts no header: REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_HEADER = "HTTP_" + env(
    "TRUSTED_PROXY_HEADER", default="X-Forwarded-For"
).upper().replace("-", "_")
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
# A username from one address: a forgotten password locks only that pair, not the account.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout; more tries during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# /admin/ asks staff for a TOTP code (accounts.middleware); production turns it on.
REQUIRE_STAFF_2FA = env.bool("REQUIRE_STAFF_2FA", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Credential Registry")

# Rate limits, "N/second|minute|hour|day" or blank for none, per user or else per address
# (config.throttling); the HTML search shares the API's browse bucket.
THROTTLE_RATES = {
    "browse": env("THROTTLE_RATE_BROWSE", default="120/minute") or None,
    "export": env("THROTTLE_RATE_EXPORT", default="20/hour") or None,
    "write": env("THROTTLE_RATE_WRITE", default="120/minute") or None,
    "token": env("THROTTLE_RATE_TOKEN", default="10/hour") or None,
    # Checking a pasted registry statement (page and API), signed in or not.
    "verify": env("THROTTLE_RATE_VERIFY", default="30/minute") or None,
    # Follow sign-ups and manage-link requests per client address (follows, docs/follow.md).
    "follow": env("THROTTLE_RATE_FOLLOW", default="10/hour") or None,
}
# https://www.django-rest-framework.org/api-guide/throttling/
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "config.throttling.AnonymousBrowseThrottle",
    "config.throttling.ExportThrottle",
    "config.throttling.WriteThrottle",
    "config.throttling.TokenCreateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = THROTTLE_RATES
# Fail closed: a new endpoint needs a sign-in until it declares AllowAny.
REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = ["rest_framework.permissions.IsAuthenticated"]

# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Status sweeps and imports share one set of job states (queued, running, finished, failed);
# naming it keeps the schema check, and so check --deploy, free of collision warnings.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["JobStateEnum"] = "status_checks.choices.SweepState"
