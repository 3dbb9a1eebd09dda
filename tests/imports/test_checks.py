"""The checks before writing: the quick tests pass only what the fields' own clean accepts,
and a bad value is still reported with the field's message on its row."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from credentials.choices import CredentialKind, QualityMark
from imports.formats.base import FormatContext
from imports.formats.registry_csv import RegistryCsvFormat
from imports.reading import Column, open_text, read_table
from imports.report import ImportReport
from imports.validation import FIELDS, QUICK_CHECKS, repeated_keys
from tests.imports.conftest import registry_csv, run_import

SAMPLES = [
    "",
    " ",
    "x",
    "qualification",
    "micro_credential",
    "online",
    "blended",
    "ofqual",
    "GBP",
    "GBPX",
    "x" * 16,
    "x" * 17,
    "x" * 500,
    "x" * 501,
    "https://example.org/",
    None,
    True,
    False,
    0,
    1,
    -1,
    2**31,
    Decimal("1.5"),
    Decimal("-1"),
    datetime.date(2025, 9, 1),
    datetime.datetime(2025, 9, 1, 12, 0),
    "x\x00",
    "qualification\x00",
    [],
    [""],
    ["en"],
    ["en", "x" * 17],
    [QualityMark.DFE_FUNDED.value],
    [QualityMark.DFE_FUNDED],
    ["not-a-mark"],
    ["en\x00"],
    ("en",),
    CredentialKind.QUALIFICATION,
]


def _holds_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list | tuple) and any(map(_holds_nul, value))


def _clean_accepts(name, value):
    if _holds_nul(value):
        return False
    try:
        FIELDS[name].clean(value, None)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(QUICK_CHECKS))
def test_a_quick_check_passes_only_values_without_a_nul_the_fields_clean_accepts(name):
    passed = [value for value in SAMPLES if QUICK_CHECKS[name](value)]
    assert [value for value in passed if not _clean_accepts(name, value)] == []


def test_the_quick_checks_pass_the_values_a_parser_makes():
    good = {
        "registration_number": "BI-600/2026/4",
        "kind": "qualification",
        "title_en": "A title",
        "title_zh": "",
        "notional_hours": 120,
        "guided_learning_hours": None,
        "learning_outcomes_en": ["Explain things"],
        "learning_outcomes_zh": [],
        "mode_of_delivery": "blended",
        "languages": ["en", "zh-hant"],
        "stackable": False,
        "further_information_url": "",
        "credits": None,
        "quality_marks": [QualityMark.DFE_FUNDED.value],
        "valid_from": datetime.date(2025, 9, 1),
        "valid_to": None,
    }
    assert [name for name, value in good.items() if not QUICK_CHECKS[name](value)] == []


@pytest.mark.django_db
def test_bad_values_are_reported_with_the_fields_messages_on_their_rows():
    rows = [
        {"registration_number": "BAD-1", "provider": "p", "further_information_url": "not a url"},
        {"registration_number": "BAD-2", "provider": "p", "title_en": "x" * 501},
        {"registration_number": "BAD-3", "provider": "p", "kind": "nonsense"},
        {"registration_number": "BAD-4", "provider": "p", "mode_of_delivery": "by pigeon"},
        {"registration_number": "BAD-5", "provider": "p", "notional_hours": "-5"},
        {"registration_number": "BAD-6", "provider": "p", "quality_marks": "dfe_funded|bogus"},
        {"registration_number": "BAD-7", "provider": "p", "learning_outcomes_en": '["", "x"]'},
        {"registration_number": "BAD-8", "provider": "p", "fee_currency": "POUNDS"},
        {"registration_number": "BAD-9", "provider": "p", "credits": "123456.7"},
        {"registration_number": "BAD-10", "provider": "p", "title_en": ""},
        {"registration_number": "A" * 41, "provider": "p"},
        {"registration_number": "BAD-12", "provider": "p", "notional_hours": "99999999999"},
        {"registration_number": "BAD-13", "provider": "p", "languages": "x" * 17},
    ]
    job = run_import(
        "registry-csv", registry_csv(*({"kind": "qualification", **row} for row in rows))
    )
    errors = [
        (p["row"], p["column"], p["message"])
        for p in job.report["problems"]
        if p["severity"] == "error" and p["column"] != "provider"
    ]
    assert errors == [
        (2, "further_information_url", "Enter a valid URL."),
        (3, "title_en", "Ensure this value has at most 500 characters (it has 501)."),
        (4, "kind", "Value 'nonsense' is not a valid choice."),
        (5, "mode_of_delivery", "Value 'by pigeon' is not a valid choice."),
        (6, "notional_hours", "Ensure this value is greater than or equal to 0."),
        (
            7,
            "quality_marks",
            "Item 2 in the array did not validate: Value 'bogus' is not a valid choice.",
        ),
        (
            8,
            "learning_outcomes_en",
            "Item 1 in the array did not validate: This field cannot be blank.",
        ),
        (9, "fee_currency", "Ensure this value has at most 3 characters (it has 6)."),
        (10, "credits", "Ensure that there are no more than 6 digits in total."),
        (11, "title_en", "This field cannot be blank."),
        (
            12,
            "registration_number",
            "Ensure this value has at most 40 characters (it has 41).",
        ),
        (13, "notional_hours", "Ensure this value is less than or equal to 2147483647."),
        (
            14,
            "languages",
            "Item 1 in the array did not validate: Ensure this value has at most 16 "
            "characters (it has 17).",
        ),
    ]


def test_the_first_read_counts_rows_and_finds_repeats_as_the_full_read_does():
    content = (
        b"registration_number,title_en,provider,extra\n"
        b"603/2476/0,First,p\n"
        b"\n"
        b" , ,\t,\n"
        b"60324760,Same number written another way,p\n"
        b"short\n"
        b"AB-1,Too many cells,p,,surplus\n"
        b",Blank number,p\n"
        b"ab-1,Same as AB-1 in another case,p\n"
        b"XY-2,Last,p\n"
    )
    fmt = RegistryCsvFormat(FormatContext(report=ImportReport()))
    table = read_table(open_text(content), fmt.columns, ImportReport())
    rows = list(table.rows)
    assert [number for number, _cells in rows] == [2, 5, 6, 7, 8, 9, 10]
    assert rows[2][1] == {"registration_number": "short", "title_en": "", "provider": ""}
    assert repeated_keys(open_text(content), fmt) == (7, {"60324760", "AB1"})


def test_the_first_read_stops_where_the_full_read_stops_at_a_broken_row():
    content = (
        "registration_number,title_en,provider\n"
        "AB-1,First,p\n"
        f'AB-2,"{"x" * 200_000}",p\n'
        "AB-1,After the broken row,p\n"
    ).encode()
    fmt = RegistryCsvFormat(FormatContext(report=ImportReport()))
    report = ImportReport()
    table = read_table(open_text(content), fmt.columns, report)
    assert [number for number, _cells in table.rows] == [2]
    assert report.error_count == 1
    assert repeated_keys(open_text(content), fmt) == (1, set())


def test_a_file_matching_one_column_reads_each_rows_cell():
    content = b"registration_number,unknown\nAB-1,x\n\nAB-2\n"
    table = read_table(open_text(content), [Column("registration_number")], ImportReport())
    assert list(table.rows) == [
        (2, {"registration_number": "AB-1"}),
        (4, {"registration_number": "AB-2"}),
    ]


@pytest.mark.django_db
def test_a_value_checked_in_one_language_is_reported_in_the_next_jobs_own():
    # The same bad values in two jobs of one process: the checks' caches must not hand the
    # second job the first one's messages.
    content = registry_csv(
        {
            "registration_number": "BAD-1",
            "provider": "p",
            "kind": "qualification",
            "fee_currency": "POUNDS",
            "further_information_url": "https://exa mple.org/",
        }
    )

    def problems(language: str) -> list[str]:
        with translation.override(language):
            job = run_import("registry-csv", content)
        return [p["message"] for p in job.report["problems"] if p["column"] != "provider"]

    english = problems("en")
    chinese = problems("zh-hant")

    assert "Ensure this value has at most 3 characters (it has 6)." in english
    assert not set(english) & set(chinese)
