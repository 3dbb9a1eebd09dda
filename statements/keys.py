"""The registry's signing keys: P-256 (ES256) JSON Web Keys, never kept in the repository.

Keys come from one of two places in settings:

- ``REGISTRY_SIGNING_KEY_DIR``: a directory of key files, one per key, written by
  ``manage.py signing_keys``. Each file is ``<kid>.json``: ``{"created": ..., "revoked": ...,
  "jwk": <private JWK>}``. The newest key not revoked signs; older ones not revoked are still
  published in did.json, so what they signed still verifies.
- ``REGISTRY_SIGNING_JWKS``: a JWK Set (JSON) of private keys with ``kid``s, e.g. from a
  secret store; the last one signs, all are published. Revoking is removing one.

A revoked key is no longer published: statements it signed no longer verify (unknown key).
That is for a key that leaked, or one whose statements have all passed their validity.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from joserfc.jwk import ECKey

ALGORITHM = "ES256"
CURVE = "P-256"
KEY_FILE_SUFFIX = ".json"


class SigningKeyError(Exception):
    """No usable signing key, or a key store that cannot be read."""


class SigningKeyMissing(SigningKeyError):
    """The settings name no key at all (or only revoked ones)."""


@dataclass(frozen=True)
class SigningKey:
    """One key pair of the registry."""

    kid: str
    created: datetime | None
    revoked: datetime | None
    key: ECKey

    @property
    def public_jwk(self) -> dict[str, str]:
        """The public half as a JWK, with its ``kid`` and intended use."""
        public = {
            name: str(value)
            for name, value in self.key.as_dict(private=False).items()
            if name in ("kty", "crv", "x", "y")
        }
        return {**public, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


def _key_from_jwk(data: object, *, where: str) -> ECKey:
    if not isinstance(data, dict):
        raise SigningKeyError(f"{where}: the key is not a JSON object")
    if data.get("kty") != "EC" or data.get("crv") != CURVE or "d" not in data:
        raise SigningKeyError(f"{where}: not a private P-256 (EC, crv P-256) JWK")
    try:
        return ECKey.import_key(data)
    except ValueError as error:
        raise SigningKeyError(f"{where}: {error}") from error


def _parse_time(value: object, *, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as error:
        raise SigningKeyError(f"{where}: {value!r} is not an ISO 8601 time") from error


def _read_key_file(path: Path) -> SigningKey:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SigningKeyError(f"{path}: cannot be read as JSON ({error})") from error
    if not isinstance(data, dict):
        raise SigningKeyError(f"{path}: not a key file")
    return SigningKey(
        kid=path.name.removesuffix(KEY_FILE_SUFFIX),
        created=_parse_time(data.get("created"), where=str(path)),
        revoked=_parse_time(data.get("revoked"), where=str(path)),
        key=_key_from_jwk(data.get("jwk"), where=str(path)),
    )


@lru_cache(maxsize=8)
def _directory_keys(directory: str, listing: tuple[tuple[str, int], ...]) -> tuple[SigningKey, ...]:
    # Cached per directory listing and modification times: a rotation shows at once.
    keys = [_read_key_file(Path(directory) / name) for name, _ in listing]
    keys.sort(key=lambda key: (key.created or datetime.min.replace(tzinfo=UTC), key.kid))
    return tuple(keys)


def _listing(directory: Path) -> tuple[tuple[str, int], ...]:
    try:
        return tuple(
            sorted(
                (entry.name, entry.stat().st_mtime_ns)
                for entry in os.scandir(directory)
                if entry.name.endswith(KEY_FILE_SUFFIX) and entry.is_file()
            )
        )
    except FileNotFoundError:
        return ()
    except OSError as error:
        raise SigningKeyError(f"{directory}: cannot be read ({error})") from error


@lru_cache(maxsize=4)
def _environment_keys(jwks: str) -> tuple[SigningKey, ...]:
    try:
        data = json.loads(jwks)
    except ValueError as error:
        raise SigningKeyError(f"REGISTRY_SIGNING_JWKS is not JSON ({error})") from error
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SigningKeyError('REGISTRY_SIGNING_JWKS must be a JWK Set: {"keys": [...]}')
    keys = []
    for position, entry in enumerate(entries):
        where = f"REGISTRY_SIGNING_JWKS key {position + 1}"
        kid = entry.get("kid") if isinstance(entry, dict) else None
        if not kid or not isinstance(kid, str):
            raise SigningKeyError(f"{where}: every key needs a kid")
        keys.append(
            SigningKey(kid=kid, created=None, revoked=None, key=_key_from_jwk(entry, where=where))
        )
    return tuple(keys)


def key_directory() -> Path | None:
    configured = getattr(settings, "REGISTRY_SIGNING_KEY_DIR", "")
    return Path(configured) if configured else None


def all_keys() -> tuple[SigningKey, ...]:
    """Every key the settings name, oldest first, revoked ones included."""
    jwks = getattr(settings, "REGISTRY_SIGNING_JWKS", "")
    if jwks:
        return _environment_keys(jwks)
    directory = key_directory()
    if directory is None:
        return ()
    return _directory_keys(str(directory), _listing(directory))


def published_keys() -> tuple[SigningKey, ...]:
    """The keys did.json publishes and statements verify with: all but the revoked."""
    return tuple(key for key in all_keys() if key.revoked is None)


def signing_key() -> SigningKey:
    """The key new statements are signed with: the newest one not revoked."""
    keys = published_keys()
    if not keys:
        raise SigningKeyMissing(
            "The registry has no signing key: set REGISTRY_SIGNING_KEY_DIR and run "
            "`manage.py signing_keys create`, or set REGISTRY_SIGNING_JWKS."
        )
    return keys[-1]


def _writable_directory() -> Path:
    if getattr(settings, "REGISTRY_SIGNING_JWKS", ""):
        raise SigningKeyError(
            "Keys come from REGISTRY_SIGNING_JWKS: change that JWK Set in its secret store."
        )
    directory = key_directory()
    if directory is None:
        raise SigningKeyError("Set REGISTRY_SIGNING_KEY_DIR to the directory for the keys.")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _write(path: Path, data: dict, *, new: bool) -> None:
    # Private keys: readable by their owner alone, written whole or not at all.
    staging = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    if new and path.exists():
        staging.unlink()
        raise SigningKeyError(f"{path} exists already")
    staging.replace(path)


def signing_key_create() -> SigningKey:
    """Make a new key pair in the key directory; it becomes the signer."""
    directory = _writable_directory()
    now = timezone.now()
    key = ECKey.generate_key(CURVE)
    kid = f"{now:%Y%m%d%H%M%S}-{key.thumbprint()[:8]}"
    _write(
        directory / f"{kid}{KEY_FILE_SUFFIX}",
        {"created": now.isoformat(), "revoked": None, "jwk": key.as_dict(private=True)},
        new=True,
    )
    return SigningKey(kid=kid, created=now, revoked=None, key=key)


def signing_key_revoke(*, kid: str) -> SigningKey:
    """Stop publishing a key: statements it signed no longer verify. Not the signer."""
    directory = _writable_directory()
    path = directory / f"{kid}{KEY_FILE_SUFFIX}"
    if "/" in kid or not path.is_file():
        raise SigningKeyError(f"No key {kid!r} in {directory}.")
    found = _read_key_file(path)
    if found.revoked is not None:
        return found
    if found.kid == signing_key().kid:
        raise SigningKeyError(
            f"{kid} is the key that signs now: rotate first, so that another key signs."
        )
    now = timezone.now()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["revoked"] = now.isoformat()
    _write(path, data, new=False)
    return SigningKey(kid=found.kid, created=found.created, revoked=now, key=found.key)
