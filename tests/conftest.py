import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real framework reference data once into the test database."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", data_dir=settings.SHARED_DATA_DIR, verbosity=0)


@pytest.fixture
def registry_admin(django_user_model):
    return django_user_model.objects.create_superuser(
        username="registry-admin", email="admin@example.org", password="admin-pass-123"
    )
