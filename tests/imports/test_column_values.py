"""A parsed value as its column holds it, by the converter chosen once per field."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from credentials.choices import CredentialKind, QualityMark
from imports.services import _column_value


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("level", SimpleNamespace(pk=7), 7),
        ("level", None, None),
        ("awarding_body", SimpleNamespace(pk=3), 3),
        ("credits", Decimal("12.36"), Decimal("12.4")),
        ("credits", Decimal("12.25"), Decimal("12.2")),
        ("fee", Decimal("2148"), Decimal("2148.00")),
        ("fee", None, None),
        ("kind", CredentialKind.QUALIFICATION, "qualification"),
        ("title_en", "A title", "A title"),
        ("notional_hours", 120, 120),
        ("valid_from", datetime.date(2025, 9, 1), datetime.date(2025, 9, 1)),
        ("quality_marks", [QualityMark.DFE_FUNDED.value], [QualityMark.DFE_FUNDED.value]),
    ],
)
def test_a_parsed_value_becomes_its_columns_value(name, value, expected):
    converted = _column_value(name, value)
    assert converted == expected
    assert type(converted) is type(expected)
    if isinstance(expected, Decimal):
        assert converted.as_tuple() == expected.as_tuple()
