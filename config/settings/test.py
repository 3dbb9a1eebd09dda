"""Settings for the pytest suite: real PostgreSQL and Redis, fast hashing, in-memory email."""

from .base import *  # noqa: F403
from .base import env, task_queues

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
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "registry-test"  # noqa: F405
# A developer's `make run` worker may share this Redis: keep test tasks on their own queues.
TASK_QUEUE_PREFIX = "registry-test-"
CELERY_TASK_DEFAULT_QUEUE = f"{TASK_QUEUE_PREFIX}default"
CELERY_TASK_QUEUES = task_queues(TASK_QUEUE_PREFIX, TASK_QUEUE_NAMES)  # noqa: F405
HEARTBEAT_KEY_PREFIX = "registry-test:heartbeat"
# Serve static files from the apps' folders without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No rate limits but where a test sets them (tests/security); every client is 127.0.0.1.
THROTTLE_RATES = dict.fromkeys(THROTTLE_RATES)  # noqa: F405
