"""``manage.py check_status`` runs the sweep code synchronously and prints a summary."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from credentials.choices import CredentialStatus
from status_checks.choices import SweepScope
from status_checks.models import StatusSweep
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory

pytestmark = pytest.mark.django_db(transaction=False)


def run(*args: str) -> str:
    out = StringIO()
    call_command("check_status", *args, stdout=out)
    return out.getvalue()


def test_check_one_credential_by_number_in_any_format(today):
    credential = CredentialFactory(
        registration_number="24/000123/L4",
        valid_from=today - timedelta(days=500),
        valid_to=today - timedelta(days=1),
    )

    output = run("--credential", "24000123l4")

    credential.refresh_from_db()
    assert credential.status == CredentialStatus.EXPIRED
    assert "checked 1/1, 1 status changes" in output
    assert "24/000123/L4: registered -> expired (Validity period ended on" in output
    assert StatusSweep.objects.get().scope == SweepScope.CREDENTIAL


def test_check_a_provider_prints_outcome_counts_and_mails_its_admins(
    today, django_capture_on_commit_callbacks
):
    provider = ProviderFactory(slug="harbour")
    MembershipFactory(provider=provider)
    CredentialFactory(provider=provider, valid_to=today + timedelta(days=45))
    CredentialFactory(provider=provider, valid_to=today + timedelta(days=400))
    CredentialFactory(valid_to=today - timedelta(days=3))  # another provider's: not checked

    with django_capture_on_commit_callbacks(execute=True):
        output = run("--provider", "harbour")

    assert "checked 2/2, 0 status changes" in output
    assert "Check records: no change 1, alert raised 1." in output
    assert len(mail.outbox) == 1


def test_check_all_with_no_email(today, django_capture_on_commit_callbacks):
    CredentialFactory(valid_to=today + timedelta(days=10))
    CredentialFactory(status=CredentialStatus.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        output = run("--all", "--no-email")

    assert "Whole register" in output and "checked 1/1" in output
    assert mail.outbox == []


def test_unknown_targets_are_clear_errors():
    with pytest.raises(CommandError, match="No provider with slug 'nowhere'"):
        run("--provider", "nowhere")
    with pytest.raises(CommandError, match="No credential numbered '99/999999/L9'"):
        run("--credential", "99/999999/L9")
    with pytest.raises(CommandError, match="one of the arguments"):
        run()
