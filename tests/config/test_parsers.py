"""JSON bodies nested beyond any real record are refused with a 400, never a 500."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from config.parsers import json_depth_exceeds
from credentials.models import Credential
from tests.personas import make_personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_admin_client():
    client = APIClient()
    client.force_authenticate(make_personas().by_name("a_admin"))
    return client


@pytest.mark.parametrize("levels", [25, 100_000])
def test_deeply_nested_json_is_a_400(provider_admin_client, levels):
    body = '{"title_en": ' + "[" * levels + "]" * levels + "}"

    response = provider_admin_client.post(
        reverse("api:workspace-credential-list"), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested more than 20 levels deep."}
    assert not Credential.objects.exists()


def test_depth_is_counted_by_containers():
    assert not json_depth_exceeds({"a": [1, {"b": "c"}]}, 3)
    assert json_depth_exceeds({"a": [1, {"b": ["c"]}]}, 3)
    assert not json_depth_exceeds("plain", 0)
