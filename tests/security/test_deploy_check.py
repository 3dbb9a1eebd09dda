"""`manage.py check --deploy` with production settings reports nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

from joserfc.jwk import ECKey

# The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE, which a deployment never has.
ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-like-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "registry.example.org",
        # Production has a signing key for registry statements (statements.checks).
        "REGISTRY_SIGNING_JWKS": json.dumps(
            {"keys": [ECKey.generate_key("P-256", parameters={"kid": "k1"}).as_dict(private=True)]}
        ),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
