"""Verify a registry statement with a generic JOSE library and nothing of the registry's code.

    pip install joserfc
    python verify_statement.py statement.jwt            # did:web over https, as the spec says
    python verify_statement.py --http statement.jwt     # a development server on plain http

Prints the verdict and exits 0 only for a valid statement: 1 revoked, suspended or expired,
2 for a signature that does not hold (altered, or a key the registry does not publish).
"""

import base64
import gzip
import json
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def did_web_document_url(did: str, scheme: str) -> str:
    # did:web:host%3Aport -> <scheme>://host:port/.well-known/did.json
    host = did.removeprefix("did:web:").replace("%3A", ":")
    return f"{scheme}://{host}/.well-known/did.json"


def verified_payload(token: str, scheme: str) -> dict:
    """Check the JWS with the key its kid names in the issuer's DID document."""
    header = json.loads(b64url(token.split(".")[0]))
    if header.get("alg") != "ES256" or header.get("typ") != "vc+jwt":
        raise ValueError(f"not an ES256 VC-JWT: {header}")
    did = header["kid"].split("#")[0]
    document = json.loads(fetch(did_web_document_url(did, scheme)))
    methods = [m for m in document["verificationMethod"] if m["id"] == header["kid"]]
    if not methods:
        raise BadSignatureError(f"{header['kid']} is not published in {did}")
    key = ECKey.import_key(methods[0]["publicKeyJwk"])
    payload = json.loads(jws.deserialize_compact(token, key, algorithms=["ES256"]).payload)
    issuer = payload["issuer"]["id"] if isinstance(payload["issuer"], dict) else payload["issuer"]
    if issuer != did:
        raise BadSignatureError(f"issued by {issuer}, signed by {did}")
    return payload


def status_bit(entry: dict, scheme: str) -> bool:
    """Read the statement's bit in a (verified) Bitstring Status List, first bit MSB."""
    status_list = verified_payload(fetch(entry["statusListCredential"]), scheme)
    encoded = status_list["credentialSubject"]["encodedList"]
    bits = gzip.decompress(b64url(encoded.removeprefix("u")))  # multibase "u" = base64url
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def main(arguments: list[str]) -> int:
    scheme = "http" if "--http" in arguments else "https"
    path = next(argument for argument in arguments if not argument.startswith("--"))
    token = Path(path).read_text(encoding="utf-8").strip()
    try:
        credential = verified_payload(token, scheme)
    except BadSignatureError as error:
        print(f"TAMPERED or unknown key: {error}")
        return 2
    registration = credential["credentialSubject"]["registration"]
    print(f"{registration['registrationNumber']}: {credential['description']}")
    for entry in credential["credentialStatus"]:
        if status_bit(entry, scheme):
            print(f"{entry['statusPurpose'].upper()}: the registration is not in force")
            return 1
    until = credential.get("validUntil")
    if until and datetime.fromisoformat(until.replace("Z", "+00:00")) < datetime.now(UTC):
        print(f"EXPIRED on {credential['validUntil']}")
        return 1
    print("VALID")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
