"""Signing keys: from a directory the command writes, or a JWK Set; never from the code."""

import json
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from joserfc.jwk import ECKey

from statements.did import did_document
from statements.keys import SigningKeyError, published_keys, signing_key
from tests.factories import CredentialFactory

from .helpers import header_of, statement

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def key_dir(settings, tmp_path):
    directory = tmp_path / "keys"
    settings.REGISTRY_SIGNING_KEY_DIR = str(directory)
    return directory


def _run(*args: str) -> str:
    out = StringIO()
    call_command("signing_keys", *args, stdout=out)
    return out.getvalue()


def test_create_writes_a_private_key_only_its_owner_can_read(key_dir):
    output = _run("create")

    (path,) = key_dir.glob("*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    data = json.loads(path.read_text())
    assert (data["jwk"]["kty"], data["jwk"]["crv"]) == ("EC", "P-256")
    assert "d" in data["jwk"]
    assert signing_key().kid == path.stem
    assert f"Created signing key {path.stem}" in output


def test_create_twice_is_refused_but_if_missing_is_a_no_op(key_dir):
    _run("create")

    with pytest.raises(CommandError, match="rotate"):
        _run("create")
    assert "exists already" in _run("create", "--if-missing")
    assert len(list(key_dir.glob("*.json"))) == 1


def test_list_shows_which_key_signs_and_which_still_verify(key_dir):
    _run("create")
    first = signing_key().kid
    _run("rotate")
    second = signing_key().kid

    lines = _run("list").splitlines()

    assert lines[0].startswith(f"{first}\tverifying")
    assert lines[1].startswith(f"{second}\tsigning")


def test_the_signing_key_cannot_be_revoked_and_unknown_keys_are_named(key_dir):
    _run("create")

    with pytest.raises(CommandError, match="rotate first"):
        _run("revoke", signing_key().kid)
    with pytest.raises(CommandError, match="No key 'nope'"):
        _run("revoke", "nope")
    with pytest.raises(CommandError, match="No key"):
        _run("revoke", "../../etc/passwd")


def test_rotate_without_a_key_says_to_create_one(key_dir):
    with pytest.raises(CommandError, match="signing_keys create"):
        _run("rotate")


def test_a_jwk_set_from_the_environment_publishes_all_and_signs_with_the_last(settings):
    older = ECKey.generate_key("P-256", parameters={"kid": "2025-a"}).as_dict(private=True)
    newer = ECKey.generate_key("P-256", parameters={"kid": "2026-b"}).as_dict(private=True)
    settings.REGISTRY_SIGNING_JWKS = json.dumps({"keys": [older, newer]})

    assert [key.kid for key in published_keys()] == ["2025-a", "2026-b"]
    assert signing_key().kid == "2026-b"
    document = did_document(did="did:web:registry.example.org")
    assert document["assertionMethod"] == [
        "did:web:registry.example.org#2025-a",
        "did:web:registry.example.org#2026-b",
    ]
    # Only the public half is ever published.
    assert all("d" not in m["publicKeyJwk"] for m in document["verificationMethod"])
    with pytest.raises(CommandError, match="REGISTRY_SIGNING_JWKS"):
        _run("rotate")


@pytest.mark.parametrize(
    ("jwks", "message"),
    [
        ("not json", "not JSON"),
        ('{"keys": []}', "JWK Set"),
        ('{"keys": [{"kty": "oct", "k": "abc", "kid": "x"}]}', "P-256"),
        ('{"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "c"}]}', "kid"),
    ],
)
def test_a_broken_jwk_set_fails_with_the_reason(settings, jwks, message):
    settings.REGISTRY_SIGNING_JWKS = jwks

    with pytest.raises(SigningKeyError, match=message):
        published_keys()


@pytest.mark.django_db
def test_without_a_key_the_statement_endpoints_answer_503(settings, client, tmp_path):
    settings.REGISTRY_SIGNING_KEY_DIR = str(tmp_path / "empty")
    credential = CredentialFactory()

    response = client.get(f"/api/v1/credentials/{credential.pk}/statement.jwt")
    assert response.status_code == 503
    assert "signing_keys create" in response.json()["detail"]
    assert client.get("/api/v1/status-lists/revocation/0").status_code == 503
    assert client.get("/.well-known/did.json").status_code == 503


@pytest.mark.django_db
def test_did_web_encodes_the_port_and_follows_the_setting(settings, client):
    token = statement(client, CredentialFactory())
    local = client.get("/.well-known/did.json", HTTP_HOST="localhost:8000").json()
    settings.REGISTRY_DID = "did:web:registry.example.org"
    fixed = client.get("/.well-known/did.json").json()

    assert header_of(token)["kid"].startswith("did:web:testserver#")
    assert local["id"] == "did:web:localhost%3A8000"
    assert fixed["id"] == "did:web:registry.example.org"
    assert fixed["verificationMethod"][0]["controller"] == "did:web:registry.example.org"


def test_check_deploy_refuses_production_without_a_signing_key():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-like-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "registry.example.org",
        "REGISTRY_SIGNING_KEY_DIR": "",
        "REGISTRY_SIGNING_JWKS": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "statements.E001" in result.stderr + result.stdout


@pytest.mark.django_db
def test_an_unreadable_key_store_is_a_503_that_does_not_show_the_path(settings, client, tmp_path):
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "k1.json").write_text("{not json")
    settings.REGISTRY_SIGNING_KEY_DIR = str(directory)
    credential = CredentialFactory()

    response = client.get(f"/api/v1/credentials/{credential.pk}/statement.jwt")

    assert response.status_code == 503
    assert str(tmp_path) not in response.json()["detail"]
    assert client.get("/.well-known/did.json").status_code == 503
