"""Matching the organisations a file names to the register's providers."""

import pytest

from imports.organisations import ProviderDirectory, ProviderRef
from providers.models import Provider
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def test_a_name_two_providers_share_always_means_the_older_one():
    """Ofqual lists some names twice. An UPDATE moves the older provider's row to the end of
    the table, so a scan in table order (or by name, where the two tie) would meet the newer
    one first; every import must still match the same provider, the older."""
    name = "The London Institute of Banking & Finance"
    older = ProviderFactory(name_en=name)
    ProviderFactory(name_en=name)
    Provider.objects.filter(pk=older.pk).update(short_name="LIBF")

    found = ProviderDirectory().find(ProviderRef(name_en="London Institute of Banking & Finance"))

    assert found == older
