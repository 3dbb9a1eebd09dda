"""The keyset export writes what the row-at-a-time export wrote: same rows, columns, cells
and escaping, across batch boundaries."""

import datetime
import json

import pytest

from credentials.choices import PUBLIC_STATUSES, CredentialStatus, DeliveryMode, QualityMark
from credentials.interop import streaming
from credentials.interop.csv_cells import csv_lines
from credentials.models import Credential
from credentials.search.exports import EXPORT_COLUMNS, EXPORT_FIELDS, export_row, status_labels
from credentials.search.service import credential_search
from tests.factories import CredentialFactory, ProviderFactory

URL = "/api/v1/credentials/"


def reference_csv(params: dict, url_prefix: str) -> str:
    """The export as the dict-per-row writer produced it, read through the ORM in id order."""
    values = credential_search(params=params).matches().order_by("pk").values_list(*EXPORT_FIELDS)
    row_context = {"labels": status_labels(), "today": datetime.date.today()}
    rows = (export_row(row, url_prefix, **row_context) for row in values)
    cells = (
        [
            "|".join(row["quality_marks"]) if name == "quality_marks" else row[name]
            for name in EXPORT_COLUMNS
        ]
        for row in rows
    )
    return "\ufeff" + "".join(csv_lines(EXPORT_COLUMNS, cells))


@pytest.fixture
def awkward_register(db):
    provider = ProviderFactory(name_en='Comma, "Quote" & Co', name_zh="逗號，有限公司")
    made = [
        CredentialFactory(
            title_en='=HYPERLINK("http://example.invalid","Click")',
            title_zh="+cmd|' /C calc'!A0",
            provider=provider,
            quality_marks=[QualityMark.CEF, QualityMark.HTQ],
            mode_of_delivery=DeliveryMode.ONLINE,
        ),
        CredentialFactory(title_en="Line one\nline two", credits=None, notional_hours=None),
        CredentialFactory(
            status=CredentialStatus.SUSPENDED, level=None, valid_to=None, title_zh=""
        ),
        CredentialFactory(title_en="-10 degrees", credits="7.5", ects_credits="3.0"),
        CredentialFactory(title_en="@mention\tand tab", quality_marks=[]),
        CredentialFactory(
            status=CredentialStatus.EXPIRED,
            valid_from=datetime.date(2020, 1, 1),
            valid_to=datetime.date(2024, 1, 1),
        ),
    ]
    made += CredentialFactory.create_batch(5)
    return made


@pytest.mark.parametrize("params", [{"status": "all"}, {}, {"q": "analytics", "status": "all"}])
def test_csv_export_is_the_row_at_a_time_export(client, awkward_register, monkeypatch, params):
    # Batches of 2 then 3: every batch boundary falls inside the register.
    monkeypatch.setattr(streaming, "FIRST_BATCH", 2)
    monkeypatch.setattr(streaming, "LARGEST_BATCH", 3)
    monkeypatch.setattr(streaming, "FETCH_SIZE", 2)

    response = client.get(URL, {**params, "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8")

    expected = reference_csv(params, f"http://testserver{URL}")
    assert text == expected
    assert text.count("\n") > 4  # the comparison is over real rows


def test_json_export_is_the_row_at_a_time_export(client, awkward_register, monkeypatch):
    monkeypatch.setattr(streaming, "FIRST_BATCH", 2)
    monkeypatch.setattr(streaming, "LARGEST_BATCH", 3)

    response = client.get(URL, {"status": "all", "format": "json"})
    rows = json.loads(b"".join(response.streaming_content))

    values = (
        Credential.objects.filter(status__in=PUBLIC_STATUSES)
        .order_by("pk")
        .values_list(*EXPORT_FIELDS)
    )
    expected = [
        export_row(
            row, f"http://testserver{URL}", labels=status_labels(), today=datetime.date.today()
        )
        for row in values
    ]
    assert rows == expected
    assert len(rows) == len(awkward_register)
