"""Registration numbers: one normal form for every register, CV and query."""

import re

_SEPARATORS = re.compile(r"[^0-9A-Za-z]")


def registration_key(number: str) -> str:
    """The form Credential.registration_key stores: separators dropped, upper case.

    Registers and CVs write the same number differently (603/2476/0, 60324760,
    24/000123/l4); comparing keys makes them all match.
    """
    return _SEPARATORS.sub("", number).upper()
