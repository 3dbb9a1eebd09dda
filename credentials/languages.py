"""Which language codes the register accepts in a credential's languages of instruction."""

import re

from django.conf.locale import LANG_INFO

# BCP 47 shape: a primary ISO 639 subtag, then script or region subtags (zh-hant, en-gb).
_SHAPE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
# Django knows the ISO 639-1 languages it is translated into; Hong Kong and UK registers also
# hold these ISO 639-3 codes, which it does not.
_EXTRA_PRIMARY = frozenset({"yue", "cmn", "nan", "hak", "sco", "gv", "kw", "bsl", "sgn"})
PRIMARY_SUBTAGS = frozenset({code.split("-")[0] for code in LANG_INFO} | _EXTRA_PRIMARY)


def is_language_code(code: str) -> bool:
    """A BCP 47 code whose primary subtag names a language the register knows."""
    code = code.strip().lower()
    return bool(_SHAPE.match(code)) and code.split("-")[0] in PRIMARY_SUBTAGS
