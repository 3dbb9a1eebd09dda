"""The registry's own CSV: what export writes, the registry-csv import reads back unchanged."""

import csv
import datetime
import io

import pytest
from django.core.management.color import no_style
from django.db import connection
from rest_framework.test import APIClient

from credentials.choices import CredentialStatus
from credentials.interop import streaming
from credentials.interop.csv_cells import csv_lines
from credentials.interop.registry_csv import (
    COLUMNS,
    FIELD_CELLS,
    PROVIDER_ATTRIBUTES,
    RELATION_COLUMNS,
    encode,
)
from credentials.models import Credential
from credentials.services import EDITABLE_FIELDS, credential_snapshot, credential_transition
from credentials.vocabulary import REGISTERS, register_term
from imports.choices import ImportState
from providers.models import Provider
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory
from tests.imports.conftest import (
    DFE_2025_02,
    HKQR_REGISTER,
    OFQUAL_SAMPLE,
    registry_csv,
    run_import,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/register.csv"


def export(client: APIClient | None = None) -> bytes:
    response = (client or APIClient()).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="register-')
    return b"".join(response.streaming_content)


def register_state() -> dict[str, dict]:
    """Every entry's editable fields and status, with relations by natural key (ids differ
    between databases)."""
    state = {}
    for credential in Credential.objects.select_related(
        "provider", "awarding_body", "level__framework", "area_of_study"
    ):
        values = credential_snapshot(credential)
        values["provider"] = credential.provider.slug
        body = credential.awarding_body
        values["awarding_body"] = body.slug if body else None
        values["level"] = (
            (credential.level.framework.code, credential.level.code) if credential.level else None
        )
        values["area_of_study"] = (
            (credential.area_of_study.scheme, credential.area_of_study.code)
            if credential.area_of_study
            else None
        )
        values["status"] = credential.status
        state[credential.registration_number] = values
    return state


def empty_the_register() -> None:
    """Empty the register, history included, as only the owner can: the flush the test
    database uses, which gets past the history tables' TRUNCATE triggers. The services (and
    the app's database role) never delete a credential with history."""
    with connection.cursor() as cursor:
        # ALTER TABLE waits for no deferred foreign-key check of this test's transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgtype & 32 = 32"
        )
        guarded = [name for (name,) in cursor.fetchall()]
        tables = [Credential._meta.db_table, Provider._meta.db_table, *guarded]
        for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(statement)


def test_every_editable_field_has_a_column():
    covered = set(FIELD_CELLS) | set(RELATION_COLUMNS)
    assert covered == set(EDITABLE_FIELDS)
    assert len(COLUMNS) == len(set(COLUMNS))


def dfe_sample() -> bytes:
    """The first 500 rows of the real DfE list, and its Entry Level rows (some are drafts)."""
    with DFE_2025_02.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for n, row in enumerate(reader) if n < 500 or row["Level"] == "Entry Level"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_export_then_import_into_an_empty_register_is_lossless(micro_credential, registry_admin):
    """Real DfE rows (drafts among them), the Ofqual sample, the HKQR-style fixture with
    Chinese text, and a record using every field: exported, imported into an empty register,
    they come back the same, and a second export is byte for byte the first."""
    dfe = run_import("dfe", dfe_sample())
    run_import("ofqual", OFQUAL_SAMPLE)
    run_import("hkqr", HKQR_REGISTER)  # its 24/000201/L4 updates micro_credential
    CredentialFactory(status=CredentialStatus.EXPIRED, title_zh="", quality_marks=[])
    # Registered, though its validity has ended: the status checks have not run yet.
    CredentialFactory(valid_from=datetime.date(2019, 9, 1), valid_to=datetime.date(2022, 8, 31))
    before = register_state()
    staff = APIClient()
    staff.force_authenticate(registry_admin)
    first = export(staff)

    empty_the_register()
    assert Credential.objects.count() == 0
    job = run_import("registry-csv", first, filename="register.csv")

    assert job.state == ImportState.FINISHED, job.report["problems"][:5]
    assert CredentialStatus.DRAFT in {values["status"] for values in before.values()}
    assert job.created_count == len(before) == dfe.created_count + 10 + 9 + 2
    assert register_state() == before
    assert export(staff) == first


def test_reimporting_an_export_changes_nothing(micro_credential):
    content = export()

    job = run_import("registry-csv", content)

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 1)
    assert micro_credential.versions.count() == 0


def test_the_public_export_leaves_out_drafts_but_their_provider_sees_them(micro_credential):
    draft = CredentialFactory(status=CredentialStatus.DRAFT, registration_number="P/25/ABC")
    member = MembershipFactory(provider=draft.provider).user

    public = list(csv.DictReader(io.StringIO(export().decode())))
    assert [row["registration_number"] for row in public] == ["24/000201/L4"]

    client = APIClient()
    client.force_authenticate(member)
    rows = list(csv.DictReader(io.StringIO(export(client).decode())))
    assert {row["registration_number"] for row in rows} == {"24/000201/L4", "P/25/ABC"}
    assert next(row for row in rows if row["registration_number"] == "P/25/ABC")["status"] == (
        "draft"
    )


def test_formula_cells_are_written_as_text_and_read_back_unchanged(
    micro_credential, registry_admin
):
    """OWASP CSV injection: a title a spreadsheet would run stays text, and still round-trips."""
    formula = '=HYPERLINK("http://example.invalid","Click")'
    Credential.objects.filter(pk=micro_credential.pk).update(
        title_en=formula, summary_en="-5 tips", learning_outcomes_en=["@SUM(A1:A9)"]
    )
    staff = APIClient()
    staff.force_authenticate(registry_admin)
    content = export(staff)

    row = next(csv.DictReader(io.StringIO(content.decode())))
    assert row["title_en"] == "'" + formula
    assert row["summary_en"] == "'-5 tips"
    before = register_state()
    empty_the_register()
    job = run_import("registry-csv", content, filename="register.csv")

    assert job.state == ImportState.FINISHED, job.report["problems"][:5]
    assert register_state() == before
    assert Credential.objects.get().title_en == formula


def test_one_providers_export_lists_only_its_entries(micro_credential):
    other = CredentialFactory()

    response = APIClient().get(URL, {"provider": other.provider.slug})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["registration_number"] for row in rows] == [other.registration_number]


@pytest.mark.parametrize("slug", ["\x00", "a b", "prov\x00ider", "../etc"])
def test_a_malformed_provider_slug_is_a_400_before_the_download_starts(slug):
    """Found by the schema fuzz: a NUL byte failed the streamed query after the 200."""
    response = APIClient().get(URL, {"provider": slug})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "provider's slug" in response.json()["provider"][0]


def test_teach_out_and_superseded_entries_round_trip_with_their_successor_later_in_the_file(
    registry_admin,
):
    """The successor sorts after the superseded entry, so it is not yet on the register when
    that row is read: the move waits until every row is written."""
    ends = datetime.date.today() + datetime.timedelta(days=300)
    old = CredentialFactory(registration_number="24/000001/L4")
    new = CredentialFactory(registration_number="24/000002/L4", provider=old.provider)
    taught_out = CredentialFactory(registration_number="24/000003/L4", provider=old.provider)
    credential_transition(
        actor=registry_admin,
        credential=old,
        to_status=CredentialStatus.SUPERSEDED,
        reason="Replaced by the 2026 revision.",
        superseded_by=new,
    )
    credential_transition(
        actor=registry_admin,
        credential=taught_out,
        to_status=CredentialStatus.TEACH_OUT,
        reason="Closed to new learners.",
        teach_out_ends_on=ends,
    )
    staff = APIClient()
    staff.force_authenticate(registry_admin)
    first = export(staff)
    rows = {row["registration_number"]: row for row in csv.DictReader(io.StringIO(first.decode()))}
    assert [
        rows[old.registration_number][column]
        for column in ("status", "superseded_by", "ofqual_status", "hkqr_status")
    ] == ["superseded", new.registration_number, "No longer awarded", "Archived"]
    assert [
        rows[taught_out.registration_number][column]
        for column in ("status", "teach_out_ends_on", "ofqual_status", "hkqr_status")
    ] == ["teach_out", ends.isoformat(), "No longer available to new learners", "Current"]

    empty_the_register()
    job = run_import("registry-csv", first, filename="register.csv", actor=registry_admin)

    assert (job.state, job.error_count) == (ImportState.FINISHED, 0), job.report["problems"]
    old_again = Credential.objects.get(registration_number=old.registration_number)
    assert old_again.status == CredentialStatus.SUPERSEDED
    assert old_again.superseded_by.registration_number == new.registration_number
    assert Credential.objects.get(registration_number="24/000003/L4").teach_out_ends_on == ends
    assert export(staff) == first


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"status": "superseded"}, "names its successor"),
        ({"status": "superseded", "superseded_by": "99/999999/L4"}, "neither on the register"),
        ({"status": "registered", "superseded_by": "24/000002/L4"}, "Only a superseded entry"),
    ],
)
def test_a_superseded_row_without_a_successor_on_the_register_is_a_row_error(
    registry_admin, cells, message
):
    provider = CredentialFactory(registration_number="24/000002/L4").provider
    content = registry_csv(
        {
            "registration_number": "24/000005/L4",
            "provider": provider.slug,
            "framework": "HKQF",
            "level": "4",
            "valid_from": "2025-09-01",
            **cells,
        }
    )

    job = run_import("registry-csv", content, actor=registry_admin)

    assert job.state == ImportState.FAILED
    assert [
        (p["row"], p["column"]) for p in job.report["problems"] if p["severity"] == "error"
    ] == [(2, "superseded_by")]
    assert message in job.report["problems"][-1]["message"]
    assert not Credential.objects.filter(registration_number="24/000005/L4").exists()


def instance_row(credential: Credential) -> list[str]:
    """A registry CSV row as the writer over model instances built it (the reference)."""

    def provider_cells(provider: Provider | None) -> list[str]:
        if provider is None:
            return [""] * (1 + len(PROVIDER_ATTRIBUTES))
        return [provider.slug, *(getattr(provider, name) or "" for name in PROVIDER_ATTRIBUTES)]

    cells = {name: encode(cell, getattr(credential, name)) for name, cell in FIELD_CELLS.items()}
    for relation in ("provider", "awarding_body"):
        related = provider_cells(getattr(credential, relation))
        cells.update(zip(RELATION_COLUMNS[relation], related, strict=True))
    level, area = credential.level, credential.area_of_study
    cells["framework"] = level.framework.code if level else ""
    cells["level"] = level.code if level else ""
    cells["area_scheme"] = area.scheme if area else ""
    cells["area_code"] = area.code if area else ""
    cells["status"] = credential.status
    successor = credential.superseded_by
    cells["superseded_by"] = successor.registration_number if successor else ""
    for register in REGISTERS:
        cells[f"{register}_status"] = register_term(
            register,
            credential.status,
            valid_from=credential.valid_from,
            today=datetime.date.today(),
        )
    return [cells[column] for column in COLUMNS]


def test_the_keyset_export_writes_what_the_instance_writer_wrote(monkeypatch, registry_admin):
    """Across batch boundaries, every row (drafts for staff), cell and escape as before."""
    monkeypatch.setattr(streaming, "FIRST_BATCH", 2)
    monkeypatch.setattr(streaming, "LARGEST_BATCH", 3)
    run_import("ofqual", OFQUAL_SAMPLE)
    run_import("hkqr", HKQR_REGISTER)
    body = ProviderFactory(slug="awarder", ukprn="10000001", short_name="AW")
    CredentialFactory(
        awarding_body=body,
        title_en="=SUM(A1:A2)",
        learning_outcomes_en=["Line one\nline two", 'Comma, and "quote"'],
        languages=["en", "yue"],
        stackable=True,
        fee="1200.50",
        fee_currency="HKD",
    )
    CredentialFactory(status=CredentialStatus.DRAFT, level=None, valid_from=None, valid_to=None)
    staff = APIClient()
    staff.force_authenticate(registry_admin)

    exported = export(staff).decode("utf-8")

    credentials = Credential.objects.select_related(
        "provider", "awarding_body", "level__framework", "area_of_study", "superseded_by"
    ).order_by("pk")
    expected = "".join(csv_lines(COLUMNS, (instance_row(c) for c in credentials)))
    assert exported == expected
    assert exported.count("\n") > credentials.count() >= 20
