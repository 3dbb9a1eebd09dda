"""A parsed value as its column holds it, by the converter chosen once per field."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from credentials.choices import CredentialKind, QualityMark
from imports.services import _column_value, _columns_values


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


STAGED = ("title_en", "kind", "level", "credits", "fee", "quality_marks", "valid_from")


@pytest.mark.parametrize(
    "values",
    [
        {
            "title_en": "A title",
            "level": SimpleNamespace(pk=7),
            "credits": Decimal("12.36"),
            "quality_marks": [QualityMark.DFE_FUNDED.value],
            "valid_from": datetime.date(2025, 9, 1),
        },
        {"kind": CredentialKind.QUALIFICATION, "title_en": "A title", "fee": None},
    ],
    ids=["plain values", "an enum member"],
)
def test_a_rows_staged_values_are_its_column_values_in_order(values):
    """Each field named gets what _column_value makes of the row's value; None if not given."""
    staged = _columns_values(STAGED)(values)
    expected = [_column_value(name, values[name]) if name in values else None for name in STAGED]
    assert staged == expected
    assert [type(value) for value in staged] == [type(value) for value in expected]
