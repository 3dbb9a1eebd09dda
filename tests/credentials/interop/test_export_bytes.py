"""Both CSV exports write, byte for byte, what the cell-by-cell encoder wrote before them.

The reference here is that encoder, written out again: every value turned into text by its
codec, every cell then escaped with ``str.startswith`` on the triggers, every status word
read from the register's published table. It shares nothing with the exports' row builders
but the column lists, so a faster builder that writes one byte differently fails here.
"""

import csv
import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from credentials.choices import PUBLIC_STATUSES, DeliveryMode, QualityMark
from credentials.choices import CredentialStatus as S
from credentials.interop import streaming
from credentials.interop.registry_csv import COLUMNS, EXPORT_FIELDS, FIELD_CELLS, Cell
from credentials.models import Credential
from credentials.search import exports as search_exports
from credentials.services import credential_transition
from tests.factories import CredentialFactory, ProviderFactory

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The registers' words as they publish them (docs/status-vocabulary.md).
WORDS = {
    ("ofqual", "registered"): "Available to learners",
    ("ofqual", "teach_out"): "No longer available to new learners",
    ("ofqual", "expired"): "No longer awarded",
    ("ofqual", "withdrawn"): "No longer awarded",
    ("ofqual", "superseded"): "No longer awarded",
    ("hkqr", "registered"): "Current",
    ("hkqr", "teach_out"): "Current",
    ("hkqr", "expired"): "Archived",
    ("hkqr", "withdrawn"): "Archived",
    ("hkqr", "superseded"): "Archived",
}
LABELS = {
    "registered": "Registered",
    "teach_out": "Teach-out",
    "superseded": "Superseded",
    "suspended": "Suspended",
    "expired": "Expired",
    "withdrawn": "Withdrawn",
    "draft": "Draft",
}


def safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


def cell_text(cell: Cell, value: Any) -> str:
    if value is None:
        return ""
    if cell is Cell.BOOLEAN:
        return "true" if value else "false"
    if cell is Cell.DATE:
        return value.isoformat()
    if cell is Cell.TEXT_LIST:
        return json.dumps(list(value), ensure_ascii=False) if value else ""
    if cell is Cell.CODE_LIST:
        return "|".join(value)
    return str(value)


def word(register: str, status: str, valid_from: datetime.date | None) -> str:
    today = datetime.date.today()
    if register == "ofqual" and status == "registered" and valid_from and valid_from > today:
        return "Not yet available to learners"
    return WORDS.get((register, status), "")


def csv_of(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


@pytest.fixture
def awkward_register(micro_credential, registry_admin) -> list[Credential]:
    """The fully filled entry, and entries whose every kind of cell is awkward: formula-like
    text in each text column, blanks, zero and false, a start of validity to come, and each
    public status with a successor for the superseded one."""
    body = ProviderFactory(
        slug="awarder",
        name_en='=Awarder, "Quoted"',
        name_zh="+頒授機構",
        short_name="-AW",
        jurisdiction="GB",
        ofqual_recognition_number="RN5000",
        ukprn="10000001",
    )
    future = datetime.date.today() + datetime.timedelta(days=40)
    made = [
        micro_credential,
        CredentialFactory(
            registration_number="24/000301/L4",
            title_en='=HYPERLINK("http://example.invalid","Click")',
            title_zh="@計算\t機",
            qualification_type="+Award",
            awarding_body=body,
            credits=Decimal("0.0"),
            ects_credits=Decimal("7.5"),
            notional_hours=0,
            guided_learning_hours=1,
            summary_en="-minus first\r\nthen a new line",
            summary_zh="\t以定位字元開始",
            learning_outcomes_en=["=1+1", 'Comma, and "quote"', "Line one\nline two"],
            learning_outcomes_zh=["中文，全形標點"],
            assessment_type="@assessed",
            prerequisites="\rcarriage return first",
            languages=["en", "yue"],
            stackable=False,
            fee=Decimal("0.00"),
            fee_currency="HKD",
            quality_marks=[QualityMark.CEF, QualityMark.HTQ],
            mode_of_delivery=DeliveryMode.ONLINE,
            valid_from=future,
            valid_to=future + datetime.timedelta(days=365),
            external_register="=ext",
            external_status="-status",
        ),
        CredentialFactory(
            registration_number="24/000302/L4",
            title_zh="",
            level=None,
            credits=None,
            notional_hours=None,
            valid_from=None,
            valid_to=None,
            status=S.DRAFT,
        ),
        CredentialFactory(registration_number="24/000303/L4", status=S.SUSPENDED),
        CredentialFactory(
            registration_number="24/000304/L4",
            status=S.EXPIRED,
            valid_from=datetime.date(2020, 1, 1),
            valid_to=datetime.date(2024, 1, 1),
        ),
        CredentialFactory(registration_number="24/000305/L4", status=S.WITHDRAWN),
    ]
    old = CredentialFactory(registration_number="24/000306/L4")
    successor = CredentialFactory(registration_number="24/000307/L4", title_en="-Successor")
    taught_out = CredentialFactory(registration_number="24/000308/L4")
    credential_transition(
        actor=registry_admin,
        credential=old,
        to_status=S.SUPERSEDED,
        reason="Replaced.",
        superseded_by=successor,
    )
    credential_transition(
        actor=registry_admin,
        credential=taught_out,
        to_status=S.TEACH_OUT,
        reason="Closed to new learners.",
        teach_out_ends_on=datetime.date.today() + datetime.timedelta(days=300),
    )
    return [*made, old, successor, taught_out]


@pytest.fixture
def small_batches(monkeypatch):
    # Every batch boundary falls inside the register.
    monkeypatch.setattr(streaming, "FIRST_BATCH", 2)
    monkeypatch.setattr(streaming, "LARGEST_BATCH", 3)
    monkeypatch.setattr(streaming, "FETCH_SIZE", 2)


def test_the_registry_csv_is_the_cell_by_cell_encoders(
    awkward_register, registry_admin, small_batches
):
    staff = APIClient()
    staff.force_authenticate(registry_admin)
    response = staff.get("/api/v1/exports/register.csv")
    exported = b"".join(response.streaming_content).decode("utf-8")

    # The registers' words come last; every other column is read, after the id.
    assert COLUMNS[-2:] == ("ofqual_status", "hkqr_status")
    read_columns = COLUMNS[:-2]
    assert EXPORT_FIELDS[0] == "pk" and len(read_columns) == len(EXPORT_FIELDS) - 1
    rows = [list(COLUMNS)]
    for values in Credential.objects.order_by("pk").values_list(*EXPORT_FIELDS):
        row = dict(zip(read_columns, values[1:], strict=True))
        rows.append(
            [
                *(
                    cell_text(FIELD_CELLS.get(column, Cell.TEXT), value)
                    for column, value in row.items()
                ),
                word("ofqual", row["status"], row["valid_from"]),
                word("hkqr", row["status"], row["valid_from"]),
            ]
        )
    assert exported == csv_of(rows)
    assert len(rows) == len(awkward_register) + 1
    # The comparison covers what the builder has to get right.
    for text in ("'=HYPERLINK", "'@計算", "'-AW", "Not yet available to learners", "false"):
        assert text in exported


def test_the_search_csv_is_the_cell_by_cell_encoders(awkward_register, small_batches):
    response = APIClient().get("/api/v1/credentials/", {"status": "all", "format": "csv"})
    exported = b"".join(response.streaming_content).decode("utf-8")

    url = "http://testserver/api/v1/credentials/"
    rows = [list(search_exports.EXPORT_COLUMNS)]
    public = Credential.objects.filter(status__in=PUBLIC_STATUSES).order_by("pk")
    for values in public.values_list(*search_exports.EXPORT_FIELDS):
        (pk, *cells, marks, status, valid_from, valid_to, teach_out_ends_on, successor) = values
        rows.append(
            [
                *cells,
                "|".join(marks or ()),
                status,
                LABELS[status],
                word("ofqual", status, valid_from),
                word("hkqr", status, None),
                valid_from,
                valid_to,
                teach_out_ends_on,
                successor,
                f"{url}{pk}/",
            ]
        )
    assert exported == "\ufeff" + csv_of(rows)
    assert len(rows) == len(awkward_register)  # the header, and every entry but the draft
    for text in ("'=HYPERLINK", "'@計算", "'-Successor", "Not yet available to learners"):
        assert text in exported
