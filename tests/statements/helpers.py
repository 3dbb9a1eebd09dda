"""A third party's tools for statements: plain JOSE and the spec's status-list decoding.

Nothing here imports the project's statements code, so the tests that use it check what
someone outside the registry can check.
"""

import base64
import gzip
import json

from django.test import Client
from django.urls import reverse
from joserfc import jws
from joserfc.jwk import ECKey


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def header_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[0]))


def claims_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[1]))


def statement(client: Client, credential) -> str:
    response = client.get(reverse("api:credential-statement", kwargs={"pk": credential.pk}))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vc+jwt"
    return response.content.decode()


def published_jwk(client: Client, kid: str) -> ECKey:
    """The public key did.json publishes under ``kid`` (a verification method id)."""
    document = client.get("/.well-known/did.json").json()
    method = next(m for m in document["verificationMethod"] if m["id"] == kid)
    assert kid in document["assertionMethod"]
    return ECKey.import_key(method["publicKeyJwk"])


def verify_with_published_key(client: Client, token: str) -> dict:
    """Verify the JWS with the key did.json names by its kid; return the credential."""
    key = published_jwk(client, header_of(token)["kid"])
    return json.loads(jws.deserialize_compact(token, key, algorithms=["ES256"]).payload)


def status_bit(client: Client, entry: dict) -> bool:
    """Fetch an entry's status list, check its signature, and read the entry's bit."""
    url = entry["statusListCredential"]
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    status_list = verify_with_published_key(client, response.content.decode())
    subject = status_list["credentialSubject"]
    assert subject["statusPurpose"] == entry["statusPurpose"]
    encoded = subject["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    bits = gzip.decompress(b64url_decode(encoded[1:]))
    assert len(bits) >= 16_384
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_entry(token: str, purpose: str) -> dict:
    return next(e for e in claims_of(token)["credentialStatus"] if e["statusPurpose"] == purpose)
