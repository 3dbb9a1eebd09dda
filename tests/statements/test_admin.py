"""Registry staff can look up a record's status list index; nobody edits one in the admin."""

import pytest
from django.urls import reverse

from statements.models import StatusListEntry
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db


def test_staff_find_an_index_by_registration_number_and_cannot_change_it(client, registry_admin):
    entry = StatusListEntry.objects.create(credential=CredentialFactory())
    client.force_login(registry_admin)

    changelist = client.get(
        reverse("admin:statements_statuslistentry_changelist"),
        {"q": entry.credential.registration_number},
    )
    change = client.get(reverse("admin:statements_statuslistentry_change", args=[entry.pk]))

    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [entry]
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
    add = client.get(reverse("admin:statements_statuslistentry_add"))
    assert add.status_code == 403
