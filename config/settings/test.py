"""Settings for the pytest suite: real PostgreSQL and Redis, fast hashing, in-memory email."""

from .base import *  # noqa: F403
from .base import DATABASE_APP_ROLE, DATABASES, MIGRATION_DATABASE, env, task_queues

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="insecure-test-key")
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A configured replica is the test database itself, so TestCase transactions stay visible.
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
CACHES["default"]["KEY_PREFIX"] = "registry-test"  # noqa: F405
# A developer's `make run` worker may share this Redis: keep test tasks on their own queues.
TASK_QUEUE_PREFIX = "registry-test-"
CELERY_TASK_DEFAULT_QUEUE = f"{TASK_QUEUE_PREFIX}default"
CELERY_TASK_QUEUES = task_queues(TASK_QUEUE_PREFIX, TASK_QUEUE_NAMES)  # noqa: F405
HEARTBEAT_KEY_PREFIX = "registry-test:heartbeat"
# Serve static files from the apps' folders without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Flushes between transactional tests get past the history tables' TRUNCATE triggers.
DATABASES["default"]["ENGINE"] = "config.test_postgresql"
# The suite creates, migrates and flushes its database, so it connects as the owner; the role
# tests (tests/test_database_roles.py) log in as the application role, DATABASE_URL's when two
# URLs are given, else `registry_app`, which they create if they may.
APP_ROLE_PASSWORD = DATABASES["default"]["PASSWORD"] if MIGRATION_DATABASE else ""
if MIGRATION_DATABASE:
    DATABASES["default"].update(
        {key: MIGRATION_DATABASE[key] for key in ("USER", "PASSWORD", "HOST", "PORT")}
    )  # as config.db_roles.as_owner does; settings cannot import it
DATABASE_APP_ROLE = DATABASE_APP_ROLE or "registry_app"

# No rate limits but where a test sets them (tests/security); every client is 127.0.0.1.
THROTTLE_RATES = dict.fromkeys(THROTTLE_RATES)  # noqa: F405

# No daily export is built here unless a test builds one (into its own directory).
REGISTER_EXPORT_DIR = BASE_DIR / ".pytest_cache" / "register-exports-none"  # noqa: F405
# The tests' real beat processes would otherwise build that directory's first export, and
# every later test would find one; tests/credentials/interop turns it on where it is tested.
REGISTER_EXPORT_CATCH_UP = False

# Webhook tests send to a receiver on 127.0.0.1 over plain http (tests/changes).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=True)
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=True)
