"""Each Ofqual and HKQR status word imports as the registry status the vocabulary table gives;
a word the table does not hold is a row-numbered error; superseded entries round-trip."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from credentials.choices import CredentialStatus
from credentials.models import Credential
from imports.choices import ImportState

from .conftest import OFQUAL_SAMPLE, problems, run_import

pytestmark = pytest.mark.django_db
S = CredentialStatus
TEMPLATE_NUMBER = "600/2089/1"


def _ofqual_date(day: datetime.date) -> str:
    return f"{day.month}/{day.day}/{day.year} 12:00:00 AM +00:00"


def _later(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def ofqual_file(*rows: dict[str, str]) -> bytes:
    """Ofqual export rows: the sample's 600/2089/1 with the given cells changed."""
    reader = csv.DictReader(io.StringIO(OFQUAL_SAMPLE.read_text(encoding="utf-8-sig")))
    template = next(row for row in reader if row["Qualification Number"] == TEMPLATE_NUMBER)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(template))
    writer.writeheader()
    for changes in rows:
        writer.writerow({**template, **changes})
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Available to learners", S.REGISTERED),
        ("Not yet available to learners", S.REGISTERED),
        ("No longer available to new learners", S.TEACH_OUT),
        ("No longer awarded", S.WITHDRAWN),
        ("no longer  AVAILABLE to new learners", S.TEACH_OUT),
    ],
)
def test_each_ofqual_availability_status_imports_as_its_registry_status(
    registry_admin, word, status
):
    ends = _later(400)
    content = ofqual_file(
        {
            "Qualification Number": "603/0001/1",
            "Qualification Status": word,
            "Operational End Date": _ofqual_date(_later(10)),
            "Certification End Date": _ofqual_date(ends),
        }
    )

    job = run_import("ofqual", content, actor=registry_admin)

    assert (job.state, job.error_count) == (ImportState.FINISHED, 0)
    imported = Credential.objects.get(registration_number="603/0001/1")
    assert (imported.status, imported.external_status) == (status, " ".join(word.split()))
    # The certification end date is the last day enrolled learners complete: the teach-out's.
    expected_end = ends if status == S.TEACH_OUT else None
    assert imported.teach_out_ends_on == expected_end


def test_an_ofqual_teach_out_whose_certification_has_ended_is_imported_expired(registry_admin):
    content = ofqual_file(
        {
            "Qualification Number": "603/0002/1",
            "Qualification Status": "No longer available to new learners",
            "Operational End Date": _ofqual_date(_later(-400)),
            "Certification End Date": _ofqual_date(_later(-10)),
        }
    )

    run_import("ofqual", content, actor=registry_admin)

    imported = Credential.objects.get(registration_number="603/0002/1")
    assert (imported.status, imported.teach_out_ends_on) == (S.EXPIRED, _later(-10))


def test_an_ofqual_teach_out_without_a_certification_end_date_is_a_row_error(registry_admin):
    content = ofqual_file(
        {
            "Qualification Number": "603/0003/1",
            "Qualification Status": "No longer available to new learners",
            "Certification End Date": "",
            "Operational End Date": "",
        }
    )

    job = run_import("ofqual", content, actor=registry_admin)

    assert job.state == ImportState.FAILED
    assert problems(job) == [(2, "Certification End Date")]
    assert not Credential.objects.filter(registration_number="603/0003/1").exists()


@pytest.mark.parametrize(
    ("format", "content", "column"),
    [
        (
            "ofqual",
            ofqual_file({"Qualification Number": "603/0004/1", "Qualification Status": "Retired"}),
            "Qualification Status",
        ),
        (
            "hkqr",
            (
                b"Registration Number,Title (English),Operator,QF Level,QF Credit,Valid From,"
                b"Status\n"
                b"24/000900/L4,Certificate in Tea,Harbour Institute,4,6,2024-09-01,Suspended\n"
            ),
            "Status",
        ),
    ],
)
def test_an_unknown_register_status_is_a_row_error_and_nothing_is_imported(
    registry_admin, format, content, column
):
    job = run_import(format, content, actor=registry_admin)

    assert job.state == ImportState.FAILED
    assert problems(job) == [(2, column)]
    message = job.report["problems"][0]["message"]
    assert "status-vocabulary" in message
    assert not Credential.objects.exists()


@pytest.mark.parametrize(("word", "status"), [("Current", S.REGISTERED), ("archived", S.EXPIRED)])
def test_each_hkqr_status_imports_as_its_registry_status(registry_admin, word, status):
    content = (
        "Registration Number,Title (English),Operator,QF Level,QF Credit,Valid From,Valid To,"
        "Status\n"
        f"24/000901/L4,Certificate in Tea,Harbour Institute,4,6,2024-09-01,2030-08-31,{word}\n"
    ).encode()

    job = run_import("hkqr", content, actor=registry_admin)

    assert (job.state, job.error_count) == (ImportState.FINISHED, 0)
    assert Credential.objects.get(registration_number="24/000901/L4").status == status
