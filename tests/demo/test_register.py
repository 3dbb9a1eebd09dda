"""The demo entries come in through the register's own import, and bad data files stop the seed.

Data: ``demo/data`` seeded once for the tests that only read it or undo what they change;
a copy of it with one file changed for each of the others.
"""

import csv
import datetime
import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from credentials.choices import CredentialStatus, StatusSource
from credentials.models import Credential, CredentialVersion
from demo.register import REGISTER_FILES
from demo.seed import DEMO_DATA_DIR
from imports.choices import ImportFormat, ImportState
from imports.models import ImportJob
from providers.models import Provider

MICRO_CREDENTIALS = "hk/micro-credentials.csv"
UK_QUALIFICATIONS = "uk/level-4-5-qualifications-register.csv"


def _seed(data_dir=DEMO_DATA_DIR) -> str:
    out = StringIO()
    call_command("seed_demo", data_dir=data_dir, stdout=out)
    return out.getvalue()


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of the demo data folder that a test may change."""
    return shutil.copytree(DEMO_DATA_DIR, tmp_path / "data")


def _edit_csv(path, number: str, **cells: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    assert any(row["registration_number"] == number for row in rows), number
    for row in rows:
        if row["registration_number"] == number:
            row.update(cells)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """Seed the demo data once for the class, inside a transaction rolled back afterwards;
    each test's own savepoint undoes what it changes."""
    with django_db_blocker.unblock(), transaction.atomic():
        _seed()
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
class TestSeededFromTheDemoData:
    def test_each_register_file_is_one_finished_registry_import(self):
        """Every entry is created by a registry-CSV import job, with version 1 from the
        import."""
        jobs = ImportJob.objects.order_by("pk")
        assert [job.filename for job in jobs] == [
            f"demo/data/{spec.name}" for spec in REGISTER_FILES
        ]
        assert {(job.format, job.state) for job in jobs} == {
            (ImportFormat.REGISTRY_CSV, ImportState.FINISHED)
        }
        assert sum(job.created_count for job in jobs) == Credential.objects.count() == 528
        versions = CredentialVersion.objects.filter(number=1, source=StatusSource.IMPORT)
        assert versions.count() == Credential.objects.count()
        _seed()
        assert ImportJob.objects.count() == len(REGISTER_FILES), "a second run imports nothing"
        assert CredentialVersion.objects.count() == Credential.objects.count()

    def test_a_changed_entry_is_imported_again_and_versioned(self):
        """An entry edited on the register is set back by a new import of its file, with a
        version."""
        Credential.objects.filter(registration_number="25/JS1000/L5").update(title_zh="改")
        _seed()
        job = ImportJob.objects.latest("pk")
        assert job.filename == f"demo/data/{REGISTER_FILES[0].name}"
        assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 416)
        credential = Credential.objects.get(registration_number="25/JS1000/L5")
        assert credential.title_zh.startswith("理學士")
        assert credential.versions.latest("number").changes["title_zh"][0] == "改"

    def test_invented_entries_keep_their_place_relative_to_today(self):
        """The micro-credentials' dates are as of a fixed day and move with the calendar."""
        today = timezone.localdate()
        python = Credential.objects.get(registration_number="23/001101/L4")
        assert python.valid_from == today - datetime.timedelta(days=700)
        assert python.valid_to == today + datetime.timedelta(days=400)
        # The HK programmes' dates are real ones and stay put.
        programme = Credential.objects.get(registration_number="25/JS1000/L5")
        assert (programme.valid_from, programme.valid_to) == (
            datetime.date(2025, 9, 1),
            datetime.date(2030, 8, 31),
        )


@pytest.mark.django_db
def test_a_registered_entry_past_its_validity_is_seeded_expired(data_copy):
    """A registered row whose validity has ended comes in expired, as the sweep would have it."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    _edit_csv(data_copy / UK_QUALIFICATIONS, "610/4163/4", valid_to=yesterday.isoformat())
    _seed(data_copy)
    credential = Credential.objects.get(registration_number="610/4163/4")
    assert credential.status == CredentialStatus.EXPIRED
    assert list(credential.status_changes.values_list("from_status", "to_status")) == [
        ("", CredentialStatus.EXPIRED)
    ]


@pytest.mark.django_db
def test_a_bad_register_row_names_its_file_and_row_and_writes_nothing(data_copy):
    """A row the import refuses stops the whole seed with the import's own message."""
    _edit_csv(data_copy / MICRO_CREDENTIALS, "24/001102/L3", level="9")
    with pytest.raises(
        CommandError,
        match=r"hk/micro-credentials.csv did not import \(1 error\): "
        r"row \d+ level: “HKQF 9” is not a level on the register",
    ):
        _seed(data_copy)
    assert not Credential.objects.exists()
    assert not Provider.objects.exists()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_malformed_json_is_a_clear_error(data_copy):
    """A data file that is not JSON is named, and nothing is written."""
    (data_copy / "reviews.json").write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match=r"reviews.json is not valid JSON"):
        _seed(data_copy)
    assert not Credential.objects.exists()


@pytest.mark.django_db
def test_an_unknown_key_in_a_json_record_is_a_clear_error(data_copy):
    """A misspelt key in a JSON record names the file and the key."""
    path = data_copy / "accounts.json"
    accounts = json.loads(path.read_text(encoding="utf-8"))
    accounts[0]["is_admin"] = True
    path.write_text(json.dumps(accounts), encoding="utf-8")
    with pytest.raises(CommandError, match=r"accounts.json: .*'is_admin'"):
        _seed(data_copy)
    assert not Provider.objects.exists()


@pytest.mark.django_db
def test_a_pathway_naming_an_unknown_entry_is_a_clear_error(data_copy):
    """A pathway component that no register file holds is named."""
    path = data_copy / "pathways.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["pathways"][0]["components"][0]["credential"] = "99/999999/L5"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match=r"pathways.json names 99/999999/L5"):
        _seed(data_copy)
    assert not Credential.objects.exists()


@pytest.mark.django_db
def test_a_bad_provider_row_names_the_provider_and_field(data_copy):
    """A provider the model refuses is named with the field and its message."""
    path = data_copy / "providers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",HK,training_provider,", ",HK,pirate_ship,", 1), "utf-8")
    with pytest.raises(CommandError, match=r"providers \('atelier-east',\): provider_type: "):
        _seed(data_copy)
    assert not Provider.objects.exists()


@pytest.mark.django_db
def test_a_bad_date_in_a_register_file_names_the_line(data_copy):
    """A validity date the seed cannot read is named with its file and line."""
    _edit_csv(data_copy / MICRO_CREDENTIALS, "24/001102/L3", valid_to="31/12/2027")
    with pytest.raises(
        CommandError, match=r"hk/micro-credentials.csv line \d+: “31/12/2027” is not a date"
    ):
        _seed(data_copy)
    assert not Credential.objects.exists()


@pytest.mark.django_db
def test_a_bad_accreditation_row_is_refused_by_the_accreditation_service(data_copy):
    """Accreditation comes in through accreditation_record_set, which refuses a status the
    register does not know; the seed names the file and line and writes nothing."""
    path = data_copy / "accreditation-records.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",withdrawn,manual", ",revoked-ish,manual", 1), "utf-8")
    with pytest.raises(
        CommandError, match=r"accreditation-records.csv line 2: status: Value 'revoked-ish'"
    ):
        _seed(data_copy)
    assert not Credential.objects.exists()
