"""Addresses as the follows keep them: normalised, and keyed for grouping without reading.

``address_key`` is an HMAC-SHA256 of the lower-cased address under a key derived from
SECRET_KEY, so the table alone does not reveal who follows what and a manage link names an
address without containing it. Rotating SECRET_KEY regroups nothing already stored; live
follows keep working (they also keep the address), old manage links stop.
"""

from django.utils.crypto import salted_hmac

KEY_SALT = "follows.addresses"


def address_normalise(email: str) -> str:
    """The address as typed, trimmed, with its domain lower-cased."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def address_key(email: str) -> str:
    return salted_hmac(KEY_SALT, address_normalise(email).lower(), algorithm="sha256").hexdigest()
