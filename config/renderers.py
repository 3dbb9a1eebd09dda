"""The API's JSON renderer: orjson, writing the same bytes as DRF's JSONRenderer.

Encoding a search page with the json module was a fixed cost on every request; orjson
does it in native code. Whatever orjson would write differently is handed to DRF's own
encoder, so a client cannot tell the two apart:

- dates, times and datetimes: DRF writes milliseconds and ``Z`` for UTC (not orjson's
  RFC 3339 microseconds), and decimals, lazy translations and anything else unusual go
  through DRF's ``JSONEncoder.default``;
- U+2028 and U+2029 are escaped, as DRF does, so the output is also valid JavaScript;
- an indented response (``Accept: application/json; indent=4``) and anything orjson
  refuses (an integer beyond 64 bits) are rendered by DRF's renderer itself.

Two differences remain, neither in anything the API sends: a float with an exponent is
written ``1e-7`` (json: ``1e-07``), and a NaN becomes ``null`` where DRF refuses it.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()


class FastJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer, encoding with orjson."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        encoder = JSONEncoder()
        try:
            rendered = orjson.dumps(data, default=encoder.default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            # What orjson refuses, DRF's renderer renders or refuses in its own words.
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATOR in rendered or _PARAGRAPH_SEPARATOR in rendered:
            rendered = rendered.replace(_LINE_SEPARATOR, b"\\u2028").replace(
                _PARAGRAPH_SEPARATOR, b"\\u2029"
            )
        return rendered
