import pytest
from django.urls import reverse

from config import health


@pytest.mark.django_db
def test_healthz_reports_database_and_redis_ok(client):
    """With real PostgreSQL and Redis up, /healthz answers 200 and names each check."""
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.django_db
def test_healthz_reports_unreachable_redis_as_503(client, settings):
    """A broker that cannot be reached makes the service unhealthy, not a 500."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "unavailable"}


@pytest.mark.django_db
def test_healthz_reports_broken_database_as_503(client, monkeypatch):
    """A failing database query is reported as unavailable."""
    monkeypatch.setattr(health, "_database_ok", lambda: False)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
