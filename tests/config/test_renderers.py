"""The orjson renderer writes the bytes DRF's JSONRenderer writes, for the same data."""

import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from config.renderers import FastJSONRenderer
from tests.factories import CredentialFactory

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")

SAMPLES = {
    "plain": {"count": 3, "capped": False, "next": None, "ratio": 0.25, "items": [1, "two"]},
    "text": {"en": 'Quote " back\\slash\ttab\nline', "zh": "香港大學微證書", "emoji": "🎓"},
    "separators": {"line": "a\u2028b", "paragraph": "c\u2029d"},
    "dates": {
        "utc": datetime.datetime(2026, 12, 3, 6, 48, 24, 123456, tzinfo=datetime.UTC),
        "utc_whole": datetime.datetime(2026, 12, 3, 6, 48, 24, tzinfo=datetime.UTC),
        "hong_kong": datetime.datetime(2026, 12, 3, 14, 48, 24, 5, tzinfo=HONG_KONG),
        "naive": datetime.datetime(2026, 12, 3, 6, 48, 24, 999999),
        "date": datetime.date(2025, 9, 1),
        "time": datetime.time(9, 30, 0, 250000),
    },
    "others": {
        "decimal": decimal.Decimal("6.5"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Title"),
        "set_like": (1, 2, 3),
        "int_keys": {1: "one", 2: "two"},
    },
    "beyond_64_bits": {"huge": 2**70},
    "drf_containers": ReturnDict(
        {"results": ReturnList([{"id": 1, "title_en": "Finance"}], serializer=None)},
        serializer=None,
    ),
    "empty": {"results": [], "facets": {}},
    "list": [{"a": None}, [], "x"],
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_output_is_byte_for_byte_drfs(name):
    data = SAMPLES[name]

    assert FastJSONRenderer().render(data, "application/json") == JSONRenderer().render(
        data, "application/json"
    )


def test_an_indented_response_is_drfs_too():
    data = SAMPLES["plain"]
    media_type = "application/json; indent=4"

    rendered = FastJSONRenderer().render(data, media_type, {})

    assert rendered == JSONRenderer().render(data, media_type, {})
    assert b"\n    " in rendered


def test_nothing_renders_as_nothing():
    assert FastJSONRenderer().render(None) == JSONRenderer().render(None) == b""


def test_a_search_response_is_drfs(client, db):
    CredentialFactory(title_en="Finance\u2028for All", title_zh="金融")
    response = client.get("/api/v1/credentials/", {"status": "all"})
    data = response.data

    assert response.status_code == 200
    assert response.content == JSONRenderer().render(data, "application/json")
    assert response.content == FastJSONRenderer().render(data, "application/json")
    assert data["results"]
