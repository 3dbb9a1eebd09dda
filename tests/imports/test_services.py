"""Imports of the real register files, the HKQR-style fixture, and broken files.

Data: ``uk/dfe-approved-qualifications-2024-10.csv`` (8,201 rows) and ``-2025-02.csv``
(8,092 rows), ``uk/ofqual-full-export-sample.csv`` (10 rows) from the shared data folder;
``fixtures/hkqr-style-register.csv`` and ``fixtures/hkqr-broken-rows.csv`` here.
"""

import contextlib
import csv
import datetime
import gc
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Max

from credentials.choices import (
    CredentialKind,
    CredentialStatus,
    DeliveryMode,
    QualityMark,
    StatusSource,
)
from credentials.models import Credential, CredentialStatusChange, CredentialVersion
from credentials.services import credential_snapshot
from imports.choices import ImportState
from imports.formats.ofqual_common import with_slashes
from imports.models import ImportJob
from imports.services import _Importer, import_job_create, import_run, snapshot
from providers.choices import MembershipRole
from providers.models import Provider
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory

from .conftest import (
    DFE_2024_10,
    DFE_2025_02,
    HKQR_BROKEN,
    HKQR_REGISTER,
    OFQUAL_SAMPLE,
    problems,
    registry_csv,
    run_import,
)

pytestmark = pytest.mark.django_db


def dfe_rows(path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {with_slashes(row["QualificationNumber"]): row for row in csv.DictReader(handle)}


def test_every_dfe_row_is_imported_and_a_reimport_changes_nothing(django_assert_max_num_queries):
    """All 8,092 rows of the 2025-02 list land in one run, in batches: the queries grow with
    the awarding organisations added (one insert each), not with the rows. Importing the same
    file again writes no version, status change or timestamp."""
    with django_assert_max_num_queries(60 + 130):
        job = run_import("dfe", DFE_2025_02)

    assert job.state == ImportState.FINISHED
    assert (job.rows_total, job.rows_done) == (8092, 8092)
    assert (job.created_count, job.updated_count, job.error_count) == (8092, 0, 0)
    assert Credential.objects.count() == 8092
    assert set(Credential.objects.values_list("external_register", flat=True)) == {"ofqual"}
    assert CredentialVersion.objects.filter(number=1, source=StatusSource.IMPORT).count() == 8092
    assert CredentialStatusChange.objects.filter(source=StatusSource.IMPORT).count() == 8092
    assert job.report["rows_per_second"] > 0
    print(f"\nDfE 2025-02, first import: {job.report['rows_per_second']} rows/s")

    aat = Credential.objects.select_related("provider", "level__framework", "area_of_study").get(
        registration_number="610/0818/7"
    )
    assert aat.title_en == "AAT Level 1 Award in Bookkeeping"
    assert (aat.level.framework.code, aat.level.code) == ("RQF", "1")
    assert aat.area_of_study.name_en == "Accounting and finance"
    assert aat.provider.name_en == "Association of Accounting Technicians"
    assert aat.provider.ofqual_recognition_number.startswith("RN")
    assert QualityMark.DFE_FUNDED in aat.quality_marks
    assert (aat.valid_from, aat.valid_to) == (datetime.date(2022, 9, 1), datetime.date(2026, 7, 31))
    # Awarding organisations are matched through Ofqual's register, not added once per spelling.
    assert Provider.objects.filter(ofqual_recognition_number__isnull=False).count() >= 100

    versions = CredentialVersion.objects.count()
    changes = CredentialStatusChange.objects.count()
    last_update = Credential.objects.aggregate(last=Max("updated_at"))["last"]

    with django_assert_max_num_queries(60):
        again = run_import("dfe", DFE_2025_02)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 8092)
    assert CredentialVersion.objects.count() == versions
    assert CredentialStatusChange.objects.count() == changes
    assert Credential.objects.aggregate(last=Max("updated_at"))["last"] == last_update
    print(f"DfE 2025-02, re-import: {again.report['rows_per_second']} rows/s")


@pytest.mark.parametrize("chunk_size", [None, 1000], indirect=True)
def test_a_newer_snapshot_is_recorded_as_changes_and_dropped_rows_are_reported(chunk_size):
    """2024-10 then 2025-02: new numbers are created, changed fields become versions with
    source "import" holding [before, after], and numbers the newer list lacks are reported,
    not deleted."""
    old, new = dfe_rows(DFE_2024_10), dfe_rows(DFE_2025_02)
    run_import("dfe", DFE_2024_10)

    job = run_import("dfe", DFE_2025_02)

    assert job.state == ImportState.FINISHED
    assert job.created_count == len(new.keys() - old.keys())
    assert job.updated_count > 0
    missing = job.report["missing_from_file"]
    assert missing["count"] == len(old.keys() - new.keys())
    assert set(missing["registration_numbers"]) == old.keys() - new.keys()
    assert Credential.objects.count() == len(old.keys() | new.keys())

    renamed = next(
        number
        for number in sorted(old.keys() & new.keys())
        if " ".join(old[number]["QualificationName"].split())
        != " ".join(new[number]["QualificationName"].split())
    )
    version = CredentialVersion.objects.get(
        credential__registration_number=renamed, number=2, source=StatusSource.IMPORT
    )
    assert version.changes["title_en"] == [
        " ".join(old[renamed]["QualificationName"].split()),
        " ".join(new[renamed]["QualificationName"].split()),
    ]
    assert version.snapshot["title_en"] == version.changes["title_en"][1]
    # Every version the diff wrote names at least one field, before and after.
    for changes in CredentialVersion.objects.filter(number=2).values_list("changes", flat=True):
        assert changes and all(len(pair) == 2 and pair[0] != pair[1] for pair in changes.values())


def test_the_ofqual_export_maps_statuses_dates_and_organisations():
    """Ofqual's statuses become registry statuses, kept word for word as external status."""
    job = run_import("ofqual", OFQUAL_SAMPLE)

    assert (job.state, job.created_count, job.error_count) == (ImportState.FINISHED, 10, 0)
    by_number = {c.registration_number: c for c in Credential.objects.select_related("level")}
    old_nvq = by_number["500/4059/5"]
    assert (old_nvq.status, old_nvq.external_status) == (
        CredentialStatus.WITHDRAWN,
        "No longer awarded",
    )
    assert old_nvq.credits is None  # 0 credits: credit was not used
    assert (old_nvq.valid_from, old_nvq.valid_to) == (
        datetime.date(2008, 5, 1),
        datetime.date(2012, 3, 31),
    )
    open_ended = by_number["600/1946/3"]
    assert open_ended.status == CredentialStatus.REGISTERED
    assert open_ended.external_status == "Available to learners"
    assert (open_ended.credits, open_ended.notional_hours, open_ended.guided_learning_hours) == (
        Decimal("14.0"),
        140,
        107,
    )
    assert open_ended.assessment_type == "Portfolio of Evidence"
    assert open_ended.further_information_url.startswith("https://qualifications.pearson.com/")
    # Available, but its certification end date has passed.
    assert by_number["600/2089/1"].status == CredentialStatus.EXPIRED
    assert by_number["601/6918/7"].external_status == "No longer available to new learners"
    assert {c.provider.name_en for c in by_number.values()} == {"Pearson Education Ltd"}
    assert all(c.external_register == "ofqual" for c in by_number.values())


@pytest.mark.parametrize("chunk_size", [None, 2], indirect=True)
def test_the_hkqr_style_file_keeps_chinese_titles_and_operators(chunk_size):
    job = run_import("hkqr", HKQR_REGISTER)

    assert (job.state, job.created_count, job.error_count) == (ImportState.FINISHED, 9, 0)
    entry = Credential.objects.select_related("provider", "level__framework", "area_of_study").get(
        registration_number="24/000201/L4"
    )
    assert entry.title_zh == "應用數據分析專業證書（Python、SQL）"
    assert entry.title_en == "Professional Certificate in Applied Data Analytics (Python, SQL)"
    assert (entry.level.framework.code, entry.level.code) == ("HKQF", "4")
    assert (entry.credits, entry.notional_hours) == (Decimal("12.0"), 120)
    assert entry.kind == CredentialKind.MICRO_CREDENTIAL
    assert entry.mode_of_delivery == DeliveryMode.BLENDED
    assert entry.area_of_study.code == "Computing"
    assert entry.provider.name_zh == "海港專業進修學院"
    assert (entry.status, entry.external_register) == (CredentialStatus.REGISTERED, "hkqr")

    assert Credential.objects.get(registration_number="25/000102/L5").area_of_study.code == (
        "SocialSciences"
    )
    archived = Credential.objects.get(registration_number="20/000150/L4")
    assert (archived.status, archived.external_status) == (CredentialStatus.EXPIRED, "Archived")
    quoted = Credential.objects.get(registration_number="25/000204/L6")
    assert (
        quoted.title_en
        == 'Postgraduate Certificate in FinTech Regulation, "RegTech" and Compliance'
    )
    # A row naming its operator only in Chinese finds the provider an earlier row added.
    chinese_only = Credential.objects.get(registration_number="25/000205/L4")
    assert chinese_only.provider.name_en == "Jade Hill Institute of Health and Social Care"
    assert Provider.objects.count() == 6


@pytest.mark.parametrize("chunk_size", [None, 2], indirect=True)
def test_a_file_of_broken_rows_reports_every_problem_by_row_and_writes_nothing(chunk_size):
    providers = Provider.objects.count()

    job = run_import("hkqr", HKQR_BROKEN)

    assert job.state == ImportState.FAILED
    assert job.wrote_nothing
    assert Credential.objects.count() == 0
    assert Provider.objects.count() == providers
    errors = problems(job)
    for expected in [
        (3, "QF Level"),  # bad level
        (4, "Valid From"),  # 31/02/2025
        (5, "Registration Number"),  # 24/000303/L4 ...
        (6, "Registration Number"),  # ... again as 24-000303-L4
        (7, "Operator"),  # no operator and no provider chosen
        (8, "Title (English)"),  # 655 characters
        (9, "Mode"),  # by pigeon
        (10, "Valid To"),  # ends before it starts
        (11, "Registration Number"),  # /L3 but level 4
        (12, "QF Credit"),  # "ten"
    ]:
        assert expected in errors, expected
    assert not any(row == 2 for row, _ in errors)
    messages = {(p["row"], p["column"]): p["message"] for p in job.report["problems"]}
    assert "at most 500 characters" in messages[(8, "Title (English)")]
    assert "also appears on row 6" in messages[(5, "Registration Number")]
    assert "“9” is not an HKQF level" in messages[(3, "QF Level")]
    assert job.skipped_count == 10


@pytest.mark.parametrize("chunk_size", [None, 2], indirect=True)
def test_skipping_bad_rows_imports_the_good_ones(chunk_size):
    job = run_import("hkqr", HKQR_BROKEN, skip_bad_rows=True)

    assert job.state == ImportState.FINISHED
    assert (job.created_count, job.skipped_count) == (1, 10)
    assert list(Credential.objects.values_list("registration_number", flat=True)) == [
        "24/000300/L4"
    ]


def test_dfe_rows_with_bad_levels_dates_and_numbers_are_reported():
    """Real DfE rows, each spoilt in one cell."""
    with DFE_2025_02.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, [next(reader) for _ in range(5)]
    rows[0]["Level"] = "Level 9"
    rows[1]["Age1619_FundingApprovalStartDate"] = "2022-09-01"
    rows[2]["QualificationNumber"] = "6100818"
    rows[3]["AwardingOrganisation"] = ""
    lines = [",".join(header)] + [",".join(f'"{row[name]}"' for name in header) for row in rows]
    content = "\n".join(lines).encode()

    job = run_import("dfe", content)

    assert job.state == ImportState.FAILED
    assert problems(job) == [
        (2, "Level"),
        (3, "Age1619_FundingApprovalStartDate"),
        (4, "QualificationNumber"),
        (5, "AwardingOrganisation"),
    ]
    assert Credential.objects.count() == 0


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("latin-1", "not UTF-8"), ("utf-16", "UTF-16"), ("cp1252", "not UTF-8")],
)
def test_a_file_in_another_encoding_gets_a_clear_message(encoding, expected):
    text = HKQR_REGISTER.read_text(encoding="utf-8")
    # Latin-1 cannot hold the Chinese columns; keep a row an older spreadsheet would write.
    if encoding != "utf-16":
        text = "\n".join(
            [
                "Registration Number,Title (English),Operator,QF Level,Valid From",
                "24/000900/L4,Certificat de gestion de café,Harbour Institute,4,2024-09-01",
            ]
        )

    job = run_import("hkqr", text.encode(encoding))

    assert job.state == ImportState.FAILED
    file_problems = [p for p in job.report["problems"] if p["row"] is None]
    assert expected in file_problems[0]["message"]
    assert "CSV UTF-8" in file_problems[0]["message"]
    assert Credential.objects.count() == 0


def test_a_missing_column_is_named():
    content = b"Registration Number,Title (English),QF Level\n24/000900/L4,Certificate,4\n"

    job = run_import("hkqr", content)

    assert job.state == ImportState.FAILED
    assert (1, "Valid From") in problems(job)
    assert "“Valid From” is missing" in job.report["problems"][0]["message"]


def test_a_dry_run_counts_without_writing():
    job = run_import("hkqr", HKQR_REGISTER, dry_run=True)

    assert (job.state, job.created_count, job.wrote_nothing) == (ImportState.FINISHED, 9, True)
    assert Credential.objects.count() == 0
    assert Provider.objects.filter(name_en="Harbour Institute of Professional Studies").count() == 0


def test_versions_record_what_credential_snapshot_records():
    """The import writes snapshots without loading model instances; they must match the
    service's own snapshot of the saved record."""
    run_import("hkqr", HKQR_REGISTER)
    for credential in Credential.objects.all():
        version = credential.versions.get()
        assert version.snapshot == credential_snapshot(credential)
        assert snapshot(
            {
                field.attname: field.value_from_object(credential)
                for field in Credential._meta.fields
            }
        ) == credential_snapshot(credential)


class TestProviderAdministrators:
    """A provider administrator imports only its own records, as a registry CSV, as drafts."""

    @pytest.fixture
    def harbour(self):
        return ProviderFactory(
            name_en="Harbour Institute of Professional Studies", name_zh="海港專業進修學院"
        )

    @pytest.fixture
    def admin(self, harbour):
        return MembershipFactory(provider=harbour, role=MembershipRole.ADMIN).user

    def test_rows_naming_another_provider_are_refused_and_new_rows_are_drafts(self, harbour, admin):
        other = ProviderFactory(name_en="Lingnan University")
        content = registry_csv(
            {
                "registration_number": "24/000901/L4",
                "provider": harbour.slug,
                "status": "registered",
            },
            {"registration_number": "24/000902/L4", "provider": other.slug},
            {"registration_number": "24/000903/L4", "provider": harbour.slug},
            {"registration_number": "24/000904/L4", "provider": "no-such-provider"},
            {
                "registration_number": "24/000905/L4",
                "provider": harbour.slug,
                "awarding_body": other.slug,
            },
            {
                "registration_number": "24/000906/L4",
                "provider": harbour.slug,
                "awarding_body": harbour.slug,
            },
        )

        job = run_import("registry-csv", content, actor=admin, provider=harbour, skip_bad_rows=True)

        assert (job.created_count, job.skipped_count) == (3, 3)
        assert problems(job) == [(3, "provider"), (5, "provider"), (6, "awarding_body")]
        assert set(Credential.objects.values_list("status", flat=True)) == {CredentialStatus.DRAFT}
        assert set(Credential.objects.values_list("provider", flat=True)) == {harbour.pk}
        assert Credential.objects.get(registration_number="24/000906/L4").awarding_body == harbour
        # A provider's import never adds providers.
        assert not Provider.objects.filter(slug="no-such-provider").exists()

    def test_a_registered_title_needs_a_change_request(self, harbour, admin):
        CredentialFactory(
            registration_number="24/000201/L4", provider=harbour, title_en="Old title"
        )
        others = CredentialFactory(registration_number="25/000203/L2", title_en="Not yours")
        content = registry_csv(
            {"registration_number": "24/000201/L4", "provider": harbour.slug, "title_en": "New"},
            {"registration_number": "25/000203/L2", "provider": harbour.slug, "title_en": "Mine"},
        )

        job = run_import("registry-csv", content, actor=admin, provider=harbour)

        assert job.state == ImportState.FAILED
        errors = {
            p["row"]: p["message"] for p in job.report["problems"] if p["severity"] == "error"
        }
        assert "changes only through a change request" in errors[2]
        # Another provider's record: refused without saying whose it is.
        assert errors[3] == "This number is on the register under another provider."
        assert Credential.objects.get(registration_number="24/000201/L4").title_en == "Old title"
        others.refresh_from_db()
        assert others.title_en == "Not yours"

    def test_a_submitted_record_is_locked(self, harbour, admin):
        CredentialFactory(
            registration_number="24/000201/L4", provider=harbour, status=CredentialStatus.SUBMITTED
        )
        content = registry_csv(
            {"registration_number": "24/000201/L4", "provider": harbour.slug, "summary_en": "x"}
        )

        job = run_import("registry-csv", content, actor=admin, provider=harbour)

        errors = {
            p["row"]: p["message"] for p in job.report["problems"] if p["severity"] == "error"
        }
        assert errors[2] == "This record is submitted and cannot be changed by an import."

    @pytest.mark.parametrize("format", ["ofqual", "dfe", "hkqr"])
    def test_national_register_files_are_for_registry_administrators(self, harbour, admin, format):
        with pytest.raises(PermissionDenied, match="registry administrators only"):
            run_import(format, DFE_2024_10, actor=admin, provider=harbour, dry_run=True)

        assert not ImportJob.objects.exists()
        assert not Credential.objects.exists()

    def test_a_registry_admin_may_import_anything_and_the_file_sets_the_status(
        self, registry_admin
    ):
        job = run_import("hkqr", HKQR_REGISTER, actor=registry_admin)

        assert job.created_count == 9
        assert Credential.objects.filter(status=CredentialStatus.REGISTERED).count() == 8
        change = CredentialStatusChange.objects.filter(
            credential__registration_number="24/000201/L4"
        ).get()
        assert (change.from_status, change.to_status, change.source, change.changed_by) == (
            "",
            CredentialStatus.REGISTERED,
            StatusSource.IMPORT,
            registry_admin,
        )


def test_a_nul_byte_is_a_row_problem_not_a_database_error():
    """PostgreSQL refuses NUL in text; the import reports the cell instead of failing."""
    content = (
        b"Registration Number,Title (English),Operator,QF Level,Valid From\n"
        b"24/000900/L4,Certificate\x00 in Nothing,Harbour Institute,4,2024-09-01\n"
    )

    job = run_import("hkqr", content)

    assert job.state == ImportState.FAILED
    assert problems(job) == [(2, "Title (English)")]
    errors = [p["message"] for p in job.report["problems"] if p["severity"] == "error"]
    assert errors == ["The value contains a NUL character."]


@pytest.mark.parametrize("fails", [False, True], ids=["a run that ends", "a run that raises"])
def test_a_run_sweeps_only_its_own_objects_and_gives_the_rest_back(monkeypatch, fails):
    """What the process held before the run is out of the collector's sweeps while the run
    lasts, and swept again once it ends, however it ends."""
    frozen_during: list[int] = []

    def run(importer):
        frozen_during.append(gc.get_freeze_count())
        if fails:
            raise RuntimeError("The run broke.")

    monkeypatch.setattr(_Importer, "run", run)
    job = import_job_create(
        actor=None, format="registry-csv", content=registry_csv({"registration_number": "P/1"})
    )

    with pytest.raises(RuntimeError) if fails else contextlib.nullcontext():
        import_run(job=job)

    assert frozen_during[0] > 0
    assert gc.get_freeze_count() == 0


def test_a_dfe_list_lacking_entries_counts_them_all_and_lists_the_first_by_number(
    monkeypatch,
):
    lines = DFE_2025_02.read_bytes().splitlines(keepends=True)
    header, rows = lines[0], lines[1:5]
    run_import("dfe", header + b"".join(rows))
    monkeypatch.setattr("imports.services.MISSING_LISTED", 2)

    job = run_import("dfe", header + rows[1])

    (kept,) = csv.DictReader([line.decode("utf-8-sig") for line in (header, rows[1])])
    listed = Credential.objects.exclude(
        registration_number=with_slashes(kept["QualificationNumber"])
    ).order_by("registration_key")
    assert job.report["missing_from_file"] == {
        "count": 3,
        "registration_numbers": [c.registration_number for c in listed[:2]],
    }
