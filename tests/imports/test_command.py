"""python manage.py import_register: the same service, a printed report, an exit status."""

import io

import pytest
from django.core.management import CommandError, call_command

from credentials.models import Credential
from imports.models import ImportJob

from .conftest import HKQR_BROKEN, HKQR_REGISTER, OFQUAL_SAMPLE

pytestmark = pytest.mark.django_db


def test_a_good_file_prints_its_counts_and_rate():
    out = io.StringIO()

    call_command("import_register", "--format", "hkqr", str(HKQR_REGISTER), stdout=out)

    assert "9 created" in out.getvalue()
    assert "rows/s" in out.getvalue()
    assert Credential.objects.count() == 9


def test_errors_are_printed_by_row_and_the_command_fails():
    out = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported") as failure:
        call_command("import_register", "--format", "hkqr", str(HKQR_BROKEN), stdout=out)

    assert failure.value.returncode == 1
    assert "row 3 [QF Level]: “9” is not an HKQF level" in out.getvalue()
    assert Credential.objects.count() == 0


def test_dry_run_and_provider_options(registry_admin):
    out = io.StringIO()
    call_command(
        "import_register", "--format", "ofqual", str(OFQUAL_SAMPLE), "--dry-run", stdout=out
    )
    assert "dry run: nothing written" in out.getvalue()
    assert Credential.objects.count() == 0
    assert ImportJob.objects.get().dry_run

    with pytest.raises(CommandError, match="No provider with slug"):
        call_command(
            "import_register", "--format", "ofqual", str(OFQUAL_SAMPLE), "--provider", "nobody"
        )
