"""Webhook signatures as the Standard Webhooks specification defines them.

Each delivery carries ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature: v1,<base64 HMAC-SHA256>`` computed with the subscription's secret
over ``"{webhook-id}.{webhook-timestamp}.{body}"``. The secret is ``whsec_`` followed by
the base64 of the key bytes, so any Standard Webhooks library verifies it (docs/changes.md).
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
SIGNATURE_VERSION = "v1"


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for one message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signature_valid(
    *, secret: str, message_id: str, timestamp: int, body: bytes, header: str
) -> bool:
    """Whether any signature in ``header`` (space-separated) is this message's."""
    expected = signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in header.split())


def signed_headers(*, secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "CredentialRegistry-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
