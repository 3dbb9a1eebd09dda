"""docs/statements.md's recipes work against a running registry, with no project code."""

import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from credentials.choices import CredentialStatus
from credentials.services import credential_transition
from tests.factories import CredentialFactory, UserFactory

from .helpers import b64url_decode, b64url_encode

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "examples" / "verify_statement.py"
DOC = ROOT / "docs" / "statements.md"


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def _verify(tmp_path: Path, token: str) -> subprocess.CompletedProcess:
    path = tmp_path / "statement.jwt"
    path.write_text(token)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--http", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _shell_recipe() -> str:
    text = DOC.read_text(encoding="utf-8")
    return re.search(r"<!-- status-bit recipe -->\s*```sh\n(.*?)```", text, re.S).group(1)


@pytest.fixture
def registered(live_server):
    credential = CredentialFactory()
    url = f"{live_server.url}/api/v1/credentials/{credential.pk}/statement.jwt"
    return credential, _fetch(url)


def test_the_python_recipe_verifies_and_catches_tampering_and_suspension(tmp_path, registered):
    credential, token = registered

    valid = _verify(tmp_path, token)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "VALID" in valid.stdout
    assert credential.registration_number in valid.stdout

    header, payload, signature = token.split(".")
    altered = bytearray(b64url_decode(payload))
    altered[40] ^= 0x01
    tampered = _verify(tmp_path, f"{header}.{b64url_encode(bytes(altered))}.{signature}")
    assert tampered.returncode == 2, tampered.stdout + tampered.stderr
    assert "TAMPERED" in tampered.stdout

    credential_transition(
        actor=UserFactory(is_staff=True, is_superuser=True),
        credential=credential,
        to_status=CredentialStatus.SUSPENDED,
        reason="Provider under investigation.",
    )
    suspended = _verify(tmp_path, token)
    assert suspended.returncode == 1, suspended.stdout + suspended.stderr
    assert "SUSPENSION" in suspended.stdout


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("bash", "curl", "jq", "gunzip", "od", "base64")),
    reason="the shell recipe needs bash, curl, jq, gunzip, od and base64",
)
def test_the_shell_recipe_reads_the_status_bits(tmp_path, registered):
    credential, token = registered
    (tmp_path / "statement.jwt").write_text(token)

    def bits() -> str:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", _shell_recipe()],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert bits() == "revocation: 0\nsuspension: 0\n"
    credential_transition(
        actor=UserFactory(is_staff=True, is_superuser=True),
        credential=credential,
        to_status=CredentialStatus.WITHDRAWN,
        reason="Course closed.",
    )
    assert bits() == "revocation: 1\nsuspension: 0\n"
