"""Starting a sweep: who may, and a scope that names exactly what it checks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from status_checks.choices import SweepScope
from status_checks.models import StatusSweep
from status_checks.services import status_sweep_start
from tests.factories import CredentialFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_only_registry_administrators_start_sweeps():
    with pytest.raises(PermissionDenied, match="Only registry administrators start"):
        status_sweep_start(actor=UserFactory(), scope=SweepScope.REGISTER, enqueue=False)

    staff = UserFactory(is_staff=True)
    sweep = status_sweep_start(actor=staff, scope=SweepScope.REGISTER, enqueue=False)
    assert sweep.requested_by == staff


@pytest.mark.parametrize(
    ("scope", "names", "message"),
    [
        ("everything", {}, "Choose what to check."),
        (SweepScope.PROVIDER, {}, "A provider sweep needs a provider."),
        (SweepScope.CREDENTIAL, {}, "A credential check needs a registration number."),
        (SweepScope.REGISTER, {"provider": True}, "takes neither a provider nor a credential"),
    ],
)
def test_a_scope_that_does_not_name_what_it_checks_is_refused(scope, names, message):
    values = {"provider": ProviderFactory()} if names else {}

    with pytest.raises(ValidationError, match=message):
        status_sweep_start(scope=scope, enqueue=False, **values)
    assert not StatusSweep.objects.exists()


def test_a_credential_check_records_only_the_credential():
    credential = CredentialFactory()

    sweep = status_sweep_start(
        scope=SweepScope.CREDENTIAL,
        credential=credential,
        provider=credential.provider,
        enqueue=False,
    )

    assert (sweep.credential, sweep.provider) == (credential, None)
