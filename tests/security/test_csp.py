"""Every kind of page carries the Content-Security-Policy; only the API docs relax it."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CredentialFactory
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

REQUIRED = [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_strict(response) -> None:
    header = response["Content-Security-Policy"]
    for directive in REQUIRED:
        assert directive in header
    policy = _policy(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]


@pytest.fixture
def pages():
    personas = make_personas()
    credential = CredentialFactory(provider=personas.provider_a)
    return personas, credential


def test_public_pages_carry_the_policy(pages):
    _personas, credential = pages
    client = Client()
    urls = [
        reverse("credentials:home"),
        reverse("credentials:search") + "?q=data",
        reverse("credentials:detail", kwargs={"pk": credential.pk}),
        reverse("credentials:compare") + f"?ids={credential.pk}",
        reverse("credentials:verify") + f"?number={credential.registration_number}",
        reverse("credentials:provider", kwargs={"slug": credential.provider.slug}),
        reverse("login"),
        reverse("admin:login"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict(response)


def test_signed_in_pages_carry_the_policy(pages):
    personas, _credential = pages
    for user, url in [
        (personas.a_admin, reverse("workspace:dashboard")),
        (personas.reviewer, reverse("reviews:queue")),
        (personas.registry_admin, reverse("reviews:board")),
        (personas.registry_admin, reverse("admin:index")),
    ]:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict(response)


def test_the_script_tag_carries_the_nonce_of_its_response(pages):
    response = Client().get(reverse("credentials:home"))
    nonce = next(v for v in _policy(response)["script-src"] if v.startswith("'nonce-"))

    assert f'nonce="{nonce[7:-1]}"' in response.text
    assert 'style="' not in response.text


def test_only_the_api_docs_allow_inline_scripts():
    response = Client().get(reverse("api-docs"))
    policy = _policy(response)

    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
