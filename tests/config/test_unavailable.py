"""With PostgreSQL unreachable, pages and the API answer 503 with Retry-After, not 500."""

import socket

import pytest
from django.db import connection
from django.test import Client


@pytest.fixture
def database_down():
    """Point the connection at a port nothing listens on: every query fails to connect."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port))
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/", "/search/?q=nursing", "/zh-hant/"])
def test_a_page_says_briefly_unavailable(database_down, path):
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    if path.startswith("/zh-hant/"):
        assert "登記冊暫時無法使用" in body
    else:
        assert "The register is briefly unavailable" in body


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_a_json_503(database_down):
    response = Client(raise_request_exception=False).get("/api/v1/credentials/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "detail": "The register is briefly unavailable. Please try again shortly."
    }


@pytest.mark.django_db
def test_a_bug_is_still_a_500(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr("credentials.views._register_at_a_glance", broken)
    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response
