"""Request bodies the API reads: JSON no deeper than any real record needs."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists/objects more than ``limit`` levels deep (no recursion)."""
    pending = [(value, 1)]
    children: Iterable[Any]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested beyond ``API_JSON_MAX_DEPTH`` with a 400.

    Python's decoder recurses per level, so a body of ten thousand ``[`` would otherwise end
    in a RecursionError and a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.API_JSON_MAX_DEPTH
        too_deep = ParseError(f"JSON nested more than {limit} levels deep.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise too_deep from error
        if json_depth_exceeds(data, limit):
            raise too_deep
        return data
