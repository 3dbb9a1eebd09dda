"""The registry's decentralised identifier (did:web) and its DID document.

did:web names a host: ``did:web:register.example.org`` resolves to
``https://register.example.org/.well-known/did.json``. A port is part of the name with its
colon percent-encoded (``did:web:localhost%3A8000``), as the did:web method requires.
``REGISTRY_DID`` fixes the name; without it the name follows the host a request came to, so
a development server at any address publishes a document that matches its statements.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .keys import published_keys

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"]


def registry_did(request: HttpRequest) -> str:
    """The registry's DID: the configured one, else did:web of the request's host."""
    configured = getattr(settings, "REGISTRY_DID", "")
    if configured:
        return configured
    return "did:web:" + request.get_host().replace(":", "%3A")


def verification_method_id(did: str, kid: str) -> str:
    return f"{did}#{kid}"


def did_document(*, did: str) -> dict[str, Any]:
    """Every published key as a JsonWebKey verification method for assertions."""
    methods = [
        {
            "id": verification_method_id(did, key.kid),
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": key.public_jwk,
        }
        for key in published_keys()
    ]
    return {
        "@context": DID_CONTEXT,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
