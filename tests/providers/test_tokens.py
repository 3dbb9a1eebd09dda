import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from providers.models import ApiToken
from providers.tokens import api_token_create, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(key: str | None = None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_authenticates_its_owner_and_only_its_hash_is_stored():
    user = UserFactory()
    token, key = api_token_create(user=user, name="nightly import")

    response = _client(key).get(reverse("api:api-token-list"))

    assert response.status_code == 200
    assert [item["name"] for item in response.json()] == ["nightly import"]
    assert key not in token.key_hash and token.prefix == key[:8]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused():
    user = UserFactory()
    token, key = api_token_create(user=user, name="old laptop")
    api_token_revoke(user=user, token=token)

    response = _client(key).get(reverse("api:api-token-list"))

    assert response.status_code in (401, 403)
    assert "This token was revoked" in response.json()["detail"]


def test_create_through_the_api_shows_the_key_once():
    user = UserFactory()
    client = _client()
    client.force_authenticate(user)

    created = client.post(reverse("api:api-token-list"), {"name": "CI"}, format="json").json()
    listed = client.get(reverse("api:api-token-list")).json()

    assert len(created["key"]) > 30
    assert "key" not in listed[0]
    assert _client(created["key"]).get(reverse("api:api-token-list")).status_code == 200


def test_revoking_through_the_api_keeps_the_token_listed_as_revoked():
    user = UserFactory()
    token, key = api_token_create(user=user, name="script")
    client = _client(key)

    response = client.delete(reverse("api:api-token-detail", kwargs={"pk": token.pk}))

    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_another_users_token_is_not_found_and_cannot_be_revoked():
    owner, other = UserFactory(), UserFactory()
    token, _key = api_token_create(user=owner, name="mine")
    client = _client()
    client.force_authenticate(other)

    response = client.delete(reverse("api:api-token-detail", kwargs={"pk": token.pk}))

    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        api_token_revoke(user=other, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_token_needs_a_name():
    with pytest.raises(ValidationError, match="Give the token a name"):
        api_token_create(user=UserFactory(), name="  ")
