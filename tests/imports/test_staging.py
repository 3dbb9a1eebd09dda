"""The staging path (rows compared with the register in SQL) gives what the row-by-row path
gave: the expectations below were observed on ``main`` before the staging table, over files
that hit every branch of a re-import."""

import datetime

import pytest
from django.db import connection, transaction

from changes.models import ChangeEvent
from credentials.choices import CredentialStatus, StatusSource
from credentials.models import Credential, CredentialStatusChange, CredentialVersion
from credentials.services import credential_change_status
from imports.choices import ImportState
from imports.organisations import ProviderDirectory
from imports.pipeline import CheckedChunks
from imports.services import FIELDS, _Importer, import_job_create
from imports.staging import STAGING_TABLE, StagingTable
from providers.models import Provider
from tests.factories import ProviderFactory

from .conftest import DFE_2024_10, DFE_2025_02, problems, registry_csv, run_import

TITLE = "Certificate in Imported Things"


def _row(number: str, provider: Provider, **cells: str) -> dict[str, str]:
    return {
        "registration_number": number,
        "provider": provider.slug,
        "framework": "HKQF",
        "level": "4",
        "valid_from": "2024-01-01",
        "valid_to": "2030-12-31",
        "status": "registered",
        **cells,
    }


@pytest.fixture
def providers() -> tuple[Provider, Provider]:
    return ProviderFactory(name_en="Harbour College"), ProviderFactory(name_en="Lingnan College")


@pytest.fixture
def register(registry_admin, providers) -> None:
    """Five registered entries from a first import; then a status check suspends the third
    and the fourth's validity ends and a status check expires it."""
    harbour, lingnan = providers
    first = registry_csv(
        _row("24/000001/L4", harbour),
        _row("24/000002/L4", harbour),
        _row("24/000003/L4", harbour),
        _row("24/000004/L4", harbour),
        _row("24/000005/L4", lingnan),
    )
    assert run_import("registry-csv", first, actor=registry_admin).created_count == 5
    credential_change_status(
        credential=Credential.objects.get(registration_number="24/000003/L4"),
        to_status=CredentialStatus.SUSPENDED,
        source=StatusSource.STATUS_CHECK,
        reason="The provider closed.",
    )
    expiring = Credential.objects.get(registration_number="24/000004/L4")
    Credential.objects.filter(pk=expiring.pk).update(valid_to=datetime.date(2024, 12, 31))
    credential_change_status(
        credential=expiring,
        to_status=CredentialStatus.EXPIRED,
        source=StatusSource.STATUS_CHECK,
        reason="Its validity ended.",
    )


def _second_file(harbour: Provider) -> bytes:
    """Rows 2-10: unchanged, changed title, suspended (conflict), renewed, another
    provider's, new, a bad cell, and one number twice."""
    return registry_csv(
        _row("24/000001/L4", harbour),
        _row("24/000002/L4", harbour, title_en="Certificate in Changed Things"),
        _row("24/000003/L4", harbour),
        _row("24/000004/L4", harbour, valid_to="2031-12-31"),
        _row("24/000005/L4", harbour),
        _row("24/000006/L4", harbour),
        _row("24/000007/L4", harbour, credits="abc"),
        _row("24/000008/L4", harbour),
        _row("24-0000-08-L4", harbour),
    )


def _history() -> tuple[list, list]:
    versions = list(
        CredentialVersion.objects.order_by("credential__registration_number", "number").values_list(
            "credential__registration_number", "number", "source", "changes"
        )
    )
    moves = list(
        CredentialStatusChange.objects.order_by(
            "credential__registration_number", "id"
        ).values_list("credential__registration_number", "from_status", "to_status", "source")
    )
    return versions, moves


@pytest.mark.django_db
def test_any_bad_row_refuses_the_whole_file_with_every_row_numbered(
    registry_admin, providers, register
):
    before = _history()
    statuses = dict(Credential.objects.values_list("registration_number", "status"))

    job = run_import("registry-csv", _second_file(providers[0]), actor=registry_admin)

    assert job.state == ImportState.FAILED
    assert problems(job) == [
        (6, "registration_number"),
        (8, "credits"),
        (9, "registration_number"),
        (10, "registration_number"),
    ]
    messages = {p["row"]: p["message"] for p in job.report["problems"]}
    assert messages[6] == (
        "This number is on the register under Lingnan College; an import does not move "
        "records between providers."
    )
    assert messages[8] == "“abc” is not a number."
    assert messages[9] == "This registration number also appears on row 10."
    assert problems(job, "warning") == [(4, "")]
    assert _history() == before
    assert dict(Credential.objects.values_list("registration_number", "status")) == statuses
    assert not Credential.objects.filter(registration_number="24/000006/L4").exists()


@pytest.mark.django_db(transaction=True)
def test_skipping_bad_rows_writes_each_branch_as_the_row_by_row_path_did(
    registry_admin, providers, register
):
    last_event = ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    job = run_import(
        "registry-csv", _second_file(providers[0]), actor=registry_admin, skip_bad_rows=True
    )

    assert job.state == ImportState.FINISHED
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 2, 2)
    assert (job.skipped_count, job.error_count, job.warning_count) == (4, 4, 1)
    conflict = next(p for p in job.report["problems"] if p["severity"] == "warning")
    assert conflict["row"] == 4
    assert conflict["message"].startswith(
        "Conflict: the file says registered, but automatic status check made this record "
        "suspended on "
    )
    assert dict(Credential.objects.values_list("registration_number", "status")) == {
        "24/000001/L4": "registered",
        "24/000002/L4": "registered",
        "24/000003/L4": "suspended",
        "24/000004/L4": "registered",
        "24/000005/L4": "registered",
        "24/000006/L4": "registered",
    }
    versions, moves = _history()
    later = [(n, number, source, changes) for n, number, source, changes in versions if number > 1]
    assert later == [
        ("24/000002/L4", 2, "import", {"title_en": [TITLE, "Certificate in Changed Things"]}),
        ("24/000004/L4", 2, "import", {"valid_to": ["2024-12-31", "2031-12-31"]}),
    ]
    assert [v[:3] for v in versions if v[0] == "24/000006/L4"] == [("24/000006/L4", 1, "import")]
    assert [m for m in moves if m[0] in ("24/000004/L4", "24/000006/L4")] == [
        ("24/000004/L4", "", "registered", "import"),
        ("24/000004/L4", "registered", "expired", "status_check"),
        ("24/000004/L4", "expired", "registered", "import"),
        ("24/000006/L4", "", "registered", "import"),
    ]
    renewal = CredentialStatusChange.objects.filter(
        credential__registration_number="24/000004/L4"
    ).latest("id")
    assert renewal.changed_by == registry_admin
    assert "extends its validity from 2024-12-31 to 2031-12-31" in renewal.reason
    events = set(
        ChangeEvent.objects.filter(id__gt=last_event).values_list("registration_number", "kind")
    )
    assert events == {
        ("24/000002/L4", "content_changed"),
        ("24/000004/L4", "validity_changed"),
        ("24/000004/L4", "status_changed"),
        ("24/000006/L4", "created"),
    }


@pytest.mark.django_db
def test_a_newer_dfe_list_changes_only_what_it_changed():
    run_import("dfe", DFE_2024_10)
    versions = CredentialVersion.objects.count()

    job = run_import("dfe", DFE_2025_02)

    assert (job.created_count, job.updated_count, job.unchanged_count) == (19, 799, 7274)
    assert CredentialVersion.objects.count() == versions + 19 + 799


@pytest.mark.django_db
def test_the_staging_join_takes_only_the_rows_that_would_change_nothing(
    registry_admin, providers, register
):
    """Row 2 is settled in SQL; the conflict (row 4) and every change go on to the rules."""
    job = import_job_create(
        actor=registry_admin,
        format="registry-csv",
        content=_second_file(providers[0]),
        filename="second.csv",
    )
    importer = _Importer(job)
    opened = importer._open()
    assert opened is not None
    table, fmt, _, repeated = opened
    with (
        transaction.atomic(),
        CheckedChunks(table, fmt, repeated, report=fmt.report, size=100) as chunks,
    ):
        importer.directory = ProviderDirectory()
        rows = [row for chunk in chunks for row in importer._take(chunk)]
        importer._resolve_providers(rows, fmt)

        assert importer._unchanged_rows(rows) == {2}


def test_the_given_mask_names_the_fields_the_table_holds_whatever_their_order():
    staging = StagingTable(FIELDS)
    assert staging.given(["provider", "title_en", "kind"]) == (
        staging.bits["title_en"] | staging.bits["kind"]
    )
    assert staging.given(["kind", "title_en"]) == staging.given(["title_en", "kind"])
    assert staging.given(["title_en"]) == staging.bits["title_en"]
    assert staging.given([]) == 0


@pytest.mark.django_db
def test_the_staged_rows_give_the_planner_their_count_and_their_keys():
    """Only the join key is sampled: the other columns' statistics would cost more to
    gather than the join they could guide."""
    staging = StagingTable(FIELDS)
    fields = dict.fromkeys(staging.fields)
    rows = [[number, f"K{number}", 0, None, None, None, *fields.values()] for number in (2, 3, 4)]
    with transaction.atomic(), connection.cursor() as cursor:
        staging.create()
        staging.copy(rows)
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [STAGING_TABLE])
        assert cursor.fetchone() == (3,)
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = %s", [STAGING_TABLE])
        assert cursor.fetchall() == [("registration_key",)]
