"""Settings import cleanly with and without Sentry; production logs JSON, local logs text."""

import json
import subprocess
import sys

import pytest

_PROBE = """
import json, logging
import django
django.setup()
import sentry_sdk
from django.conf import settings
client = sentry_sdk.get_client()
print(json.dumps({
    "sentry": client.is_active(),
    "pii": bool(client.options.get("send_default_pii")),
    "environment": client.options.get("environment"),
    "integrations": sorted(getattr(client, "integrations", {})),
    "format": settings.LOGGING["handlers"]["console"]["formatter"],
    "hijack": settings.CELERY_WORKER_HIJACK_ROOT_LOGGER,
}))
"""


def _probe(module: str, **env: str) -> dict:
    environment = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECRET_KEY": "settings-probe",
        "DJANGO_SETTINGS_MODULE": module,
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["config.settings.production", "config.settings.local"])
def test_settings_without_sentry(module):
    probe = _probe(module)
    assert probe["sentry"] is False
    assert probe["hijack"] is False


def test_production_settings_with_sentry_send_no_personal_data():
    # A syntactically valid DSN on a port nothing listens on: nothing is sent during import.
    probe = _probe(
        "config.settings.production",
        SENTRY_DSN="http://public@127.0.0.1:9/1",
        SENTRY_ENVIRONMENT="staging",
        SENTRY_TRACES_SAMPLE_RATE="0.1",
    )
    assert probe["sentry"] is True
    assert probe["pii"] is False
    assert probe["environment"] == "staging"
    assert {"celery", "django"} <= set(probe["integrations"])


def test_production_logs_json_and_local_logs_text():
    assert _probe("config.settings.production")["format"] == "json"
    assert _probe("config.settings.local")["format"] == "text"
    assert _probe("config.settings.production", LOG_FORMAT="text")["format"] == "text"
