"""An import never silently undoes a status that a decision, a check or an administrator set.

Row 5 of the HKQR-style fixture is 24/000201/L4, "Current", valid 2024-09-01 to 2027-08-31.
"""

import datetime

import pytest

from credentials.choices import CredentialStatus, StatusSource
from credentials.models import Credential, CredentialStatusChange
from credentials.services import credential_change_status
from imports.choices import ImportState

from .conftest import HKQR_REGISTER, problems, registry_csv, run_import

pytestmark = pytest.mark.django_db
NUMBER = "24/000201/L4"
ROW = 5


@pytest.fixture
def imported(registry_admin) -> Credential:
    job = run_import("hkqr", HKQR_REGISTER, actor=registry_admin)
    assert job.state == ImportState.FINISHED
    return Credential.objects.get(registration_number=NUMBER)


def _moves(credential: Credential) -> list[tuple[str, str, str]]:
    return list(
        CredentialStatusChange.objects.filter(credential=credential)
        .order_by("changed_at", "id")
        .values_list("from_status", "to_status", "source")
    )


@pytest.mark.parametrize(
    "source", [StatusSource.STATUS_CHECK, StatusSource.REVIEW_DECISION, StatusSource.MANUAL]
)
def test_a_reimport_keeps_a_suspension_it_did_not_make_and_reports_the_conflict(
    registry_admin, imported, source
):
    credential_change_status(
        credential=imported,
        to_status=CredentialStatus.SUSPENDED,
        source=source,
        reason="The provider closed.",
    )
    before = _moves(imported)

    job = run_import("hkqr", HKQR_REGISTER, actor=registry_admin)

    imported.refresh_from_db()
    assert job.state == ImportState.FINISHED
    assert imported.status == CredentialStatus.SUSPENDED
    assert _moves(imported) == before
    warnings = {p["row"]: p["message"] for p in job.report["problems"] if p["row"] == ROW}
    assert warnings[ROW].startswith("Conflict: the file says registered, but ")
    assert StatusSource(source).label.lower() in warnings[ROW]
    assert "the import keeps it suspended" in warnings[ROW]
    # The file's own claim is kept, word for word.
    assert imported.external_status == "Current"


def test_a_status_an_earlier_import_set_follows_the_file(registry_admin, imported):
    credential_change_status(
        credential=imported,
        to_status=CredentialStatus.SUSPENDED,
        source=StatusSource.IMPORT,
        reason="The file said suspended.",
    )

    job = run_import("hkqr", HKQR_REGISTER, actor=registry_admin)

    imported.refresh_from_db()
    assert imported.status == CredentialStatus.REGISTERED
    assert _moves(imported)[-1] == (
        CredentialStatus.SUSPENDED,
        CredentialStatus.REGISTERED,
        StatusSource.IMPORT,
    )
    assert not [p for p in job.report["problems"] if p["row"] == ROW]


def test_an_expired_entry_the_file_renews_is_registered_again_by_a_recorded_move(
    registry_admin, imported
):
    Credential.objects.filter(pk=imported.pk).update(valid_to=datetime.date(2024, 12, 31))
    credential_change_status(
        credential=imported,
        to_status=CredentialStatus.EXPIRED,
        source=StatusSource.STATUS_CHECK,
        reason="Its validity ended.",
    )

    job = run_import("hkqr", HKQR_REGISTER, actor=registry_admin)

    imported.refresh_from_db()
    assert (imported.status, imported.valid_to) == (
        CredentialStatus.REGISTERED,
        datetime.date(2027, 8, 31),
    )
    move = CredentialStatusChange.objects.filter(credential=imported).latest("changed_at", "id")
    assert (move.from_status, move.to_status, move.source, move.changed_by) == (
        CredentialStatus.EXPIRED,
        CredentialStatus.REGISTERED,
        StatusSource.IMPORT,
        registry_admin,
    )
    assert "extends its validity from 2024-12-31 to 2027-08-31" in move.reason
    assert job.updated_count >= 1


def test_an_expired_entry_the_file_does_not_renew_stays_expired(registry_admin, imported):
    credential_change_status(
        credential=imported,
        to_status=CredentialStatus.EXPIRED,
        source=StatusSource.MANUAL,
        reason="Expired by the registry.",
    )
    before = _moves(imported)

    job = run_import("hkqr", HKQR_REGISTER, actor=registry_admin)

    imported.refresh_from_db()
    assert imported.status == CredentialStatus.EXPIRED
    assert _moves(imported) == before
    assert ("warning", ROW) in {(p["severity"], p["row"]) for p in job.report["problems"]}


def test_a_formula_is_not_a_registration_number(registry_admin):
    hkqr = HKQR_REGISTER.read_bytes().replace(
        NUMBER.encode(), b'"=HYPERLINK(""https://evil.example"",""24/000201/L4"")"'
    )
    job = run_import("hkqr", hkqr, actor=registry_admin)

    assert job.state == ImportState.FAILED
    assert problems(job) == [(ROW, "Registration Number")]
    assert "is not an HKQR registration number" in job.report["problems"][0]["message"]
    assert not Credential.objects.exists()

    content = registry_csv(
        {"registration_number": "=1+2", "provider": "p"},
        {"registration_number": "@SUM(A1)", "provider": "p"},
    )
    job = run_import("registry-csv", content, actor=registry_admin)

    assert problems(job)[:2] == [(2, "registration_number"), (3, "registration_number")]
    assert not Credential.objects.exists()
