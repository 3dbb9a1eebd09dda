"""The import benchmark's file, its clean-up and its place in the headline."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from benchmarks.headline import headline
from benchmarks.imports import (
    NUMBER_PREFIX,
    _high_water,
    import_bench_restore,
    write_dfe_file,
    write_registry_csv,
)
from credentials.models import Credential, CredentialStatusChange, CredentialVersion
from imports.models import ImportJob
from providers.models import Provider
from tests.factories import CredentialFactory
from tests.imports.conftest import run_import


@pytest.mark.django_db
def test_the_registry_csv_is_new_entries_and_the_restore_takes_out_all_they_added(
    tmp_path, registry_admin
):
    originals = CredentialFactory.create_batch(3)
    high_water = _high_water()
    path = tmp_path / "register.csv"

    assert write_registry_csv(path, 2) == 2

    with path.open(encoding="utf-8") as file:
        numbers = [row["registration_number"] for row in csv.DictReader(file)]
    assert numbers == [NUMBER_PREFIX + c.registration_number for c in originals[:2]]
    job = run_import("registry-csv", path, actor=registry_admin)
    assert job.created_count == 2

    import_bench_restore(high_water)

    assert set(Credential.objects.values_list("pk", flat=True)) == {c.pk for c in originals}
    assert not CredentialVersion.objects.filter(credential_id__gt=high_water[0]).exists()
    assert not CredentialStatusChange.objects.filter(credential_id__gt=high_water[0]).exists()
    assert not ImportJob.objects.exists()
    assert not Provider.objects.filter(pk__gt=high_water[1]).exists()
    assert _counted_by_cube() == _counted_by_entries()


def _counted_by_cube() -> dict[str, int]:
    """Entries by status as the browse counts' cube and its pending deltas have them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, sum(n) FROM (SELECT status, n FROM credentials_facetcount_by_area"
            " UNION ALL SELECT status, n FROM credentials_facetdelta_by_area) AS counted"
            " GROUP BY status HAVING sum(n) <> 0"
        )
        return dict(cursor.fetchall())


def _counted_by_entries() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM credentials_credential GROUP BY status")
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_the_child_command_imports_the_file_and_prints_its_own_time(tmp_path):
    CredentialFactory.create_batch(2)
    path = tmp_path / "register.csv"
    write_registry_csv(path, 2)
    out = io.StringIO()

    call_command("bench_import", "--format", "registry-csv", str(path), stdout=out)

    job = ImportJob.objects.get()
    assert (job.state, job.created_count) == ("finished", 2)
    # Storing, checking and writing the file, commit included: more than the job's own run.
    assert json.loads(out.getvalue())["seconds"] > job.report["elapsed_seconds"]


def test_the_dfe_copy_moves_every_number_out_of_the_generated_range(tmp_path):
    path = tmp_path / "dfe.csv"

    rows = write_dfe_file(path)

    with path.open(encoding="utf-8") as file:
        numbers = [row["QualificationNumber"] for row in csv.DictReader(file)]
    assert rows == len(set(numbers)) == 8092
    # The generator's UK numbers are 600/0000/0 to 699/9999/9.
    assert not [number for number in numbers if number.startswith("6")]


def test_imports_are_in_the_headline_beside_their_targets():
    result = {
        "all": {"api_p50_ms": 10.0, "api_p95_ms": 50.0, "ratio_p50": 1.5},
        "browse": [],
        "exports": [],
        "imports": [
            {
                "label": "registry CSV re-import",
                "rows_per_second": 15_000.0,
                "end_to_end_rows_per_second": 12_000.0,
                "peak_rss_mb": 500.0,
            },
            {
                "label": "DfE first import",
                "rows_per_second": 15_000.0,
                "end_to_end_rows_per_second": 9_000.0,
                "peak_rss_mb": 300.0,
            },
        ],
    }

    rows = {row["measure"]: row for row in headline(result)}

    assert rows["import registry CSV re-import: rows/s end to end"]["met"] is True
    assert rows["import registry CSV re-import: peak RSS MB"]["met"] is False
    # The command's whole time counts, not the job's own rate before its commit.
    assert rows["import DfE first import: rows/s end to end"]["met"] is False
