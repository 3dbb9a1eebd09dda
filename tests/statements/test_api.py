"""The statements API and page: bad input is refused clearly, lists are cheap and standard."""

import json

import pytest
from django.core.cache import cache
from django.db import IntegrityError, InternalError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from joserfc import jws
from rest_framework.test import APIClient

from credentials.choices import CredentialStatus
from statements.keys import signing_key
from statements.models import StatusListEntry
from statements.services import MAX_STATEMENT_LENGTH, statement_verify
from statements.status_lists import LIST_SIZE, decode_list, encoded_lists
from tests.factories import CredentialFactory

from .helpers import b64url_encode, claims_of, statement, verify_with_published_key

pytestmark = pytest.mark.django_db

VERIFY_URL = "/api/v1/statements/verify/"


def _unsigned(header: dict, claims: dict | None = None) -> str:
    part = b64url_encode(json.dumps(header).encode())
    return f"{part}.{b64url_encode(json.dumps(claims or {'a': 1}).encode())}.c2ln"


BAD_INPUT = [
    pytest.param("", "Paste a registry statement", id="empty"),
    pytest.param("hello world", "not a compact JWS", id="not-jws"),
    pytest.param("a.b", "not a compact JWS", id="two-parts"),
    pytest.param("a" * (MAX_STATEMENT_LENGTH + 1), "too long", id="too-long"),
    pytest.param("e30x.e30.e30", "header is not a JSON object", id="broken-header"),
    pytest.param(_unsigned({"alg": "none", "typ": "vc+jwt"}), "alg none", id="alg-none"),
    pytest.param(_unsigned({"alg": "NONE"}), "alg none", id="alg-NONE"),
    pytest.param(_unsigned({"typ": "vc+jwt"}), "alg none", id="no-alg"),
    pytest.param(_unsigned({"alg": "HS256", "typ": "vc+jwt"}), "signed with HS256", id="hs256"),
    pytest.param(_unsigned({"alg": "ES256", "typ": "JWT", "kid": "k"}), "typ must be", id="typ"),
    pytest.param(_unsigned({"alg": "ES256", "typ": "vc+jwt"}), "names no key", id="no-kid"),
]


@pytest.mark.parametrize(("token", "message"), BAD_INPUT)
def test_bad_input_is_a_400_with_the_reason_on_the_api(client, token, message):
    response = client.post(VERIFY_URL, {"statement": token}, content_type="application/json")

    assert response.status_code == 400
    assert message in response.json()["statement"][0]


@pytest.mark.parametrize(("token", "message"), BAD_INPUT)
def test_bad_input_is_shown_on_the_page(client, token, message):
    response = client.post(reverse("statements:verify"), {"statement": token})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_bad_input_is_explained_in_chinese_too(client):
    page = client.post("/zh-hant/verify/statement/", {"statement": "hello"}).content.decode()

    assert "這不是精簡格式的 JWS" in page


def test_a_statement_can_be_posted_as_it_is(client):
    token = statement(client, CredentialFactory())

    response = client.post(VERIFY_URL, token, content_type="application/vc+jwt")

    assert response.status_code == 200
    assert response.json()["result"] == "valid"
    form = client.post(VERIFY_URL, {"statement": f"  {token}\n"})
    assert form.json()["result"] == "valid"


def test_a_wrong_json_body_is_a_400(client):
    response = client.post(VERIFY_URL, {"jws": "x"}, content_type="application/json")

    assert response.status_code == 400
    assert "statement" in response.json()


def test_a_validly_signed_non_credential_is_refused(client):
    key = signing_key()
    header = {"alg": "ES256", "typ": "vc+jwt", "kid": f"did:web:testserver#{key.kid}"}
    token = jws.serialize_compact(header, b'{"hello": "world"}', key.key, algorithms=["ES256"])

    response = client.post(VERIFY_URL, {"statement": token}, content_type="application/json")

    assert response.status_code == 400
    assert "not a verifiable credential" in response.json()["statement"][0]


@pytest.fixture
def fresh_counters():
    """Rate-limit counters live in Redis and outlast a test's transaction: start from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("fresh_counters")
def test_checking_statements_has_its_own_rate_limit():
    client = APIClient()
    with override_settings(THROTTLE_RATES={"verify": "2/minute"}):
        codes = [client.post(VERIFY_URL, {"statement": "x"}).status_code for _ in range(3)]

    assert codes == [400, 400, 429]


@pytest.mark.usefixtures("fresh_counters")
def test_the_verify_page_has_a_rate_limit_for_anonymous_visitors(client):
    with override_settings(THROTTLE_RATES={"verify": "1/minute"}):
        first = client.post(reverse("statements:verify"), {"statement": "x"})
        second = client.post(reverse("statements:verify"), {"statement": "x"})

    assert (first.status_code, second.status_code) == (400, 429)


def test_the_record_api_links_the_statement_of_registered_records_only(client):
    registered = CredentialFactory()
    suspended = CredentialFactory(status=CredentialStatus.SUSPENDED)

    detail = client.get(reverse("api:credential-detail", kwargs={"pk": registered.pk})).json()
    other = client.get(reverse("api:credential-detail", kwargs={"pk": suspended.pk})).json()
    listed = client.get(reverse("api:credential-list"), {"status": "all"}).json()["results"]

    url = f"http://testserver/api/v1/credentials/{registered.pk}/statement.jwt"
    assert detail["verifiable_credential_url"] == url
    assert other["verifiable_credential_url"] is None
    by_id = {item["id"]: item["verifiable_credential_url"] for item in listed}
    assert by_id == {registered.pk: url, suspended.pk: None}
    assert client.get(url).status_code == 200


def test_the_record_page_links_the_statement(client):
    credential = CredentialFactory()

    page = client.get(reverse("credentials:detail", kwargs={"pk": credential.pk}))

    assert f'href="/api/v1/credentials/{credential.pk}/statement.jwt"' in page.content.decode()
    assert 'href="/verify/statement/"' in page.content.decode()


def test_a_status_list_is_a_signed_16kb_bitstring_credential(client):
    response = client.get("/api/v1/status-lists/suspension/0")

    claims = verify_with_published_key(client, response.content.decode())
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["issuer"] == "did:web:testserver"
    assert claims["id"] == "http://testserver/api/v1/status-lists/suspension/0"
    subject = claims["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "suspension")
    bits = decode_list(subject["encodedList"])
    assert len(bits) * 8 == LIST_SIZE == 131_072
    assert response["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_status_purpose_is_404(client):
    assert client.get("/api/v1/status-lists/expiry/0").status_code == 404


def test_bits_are_most_significant_first(client, registry_admin):
    credentials = CredentialFactory.create_batch(3)
    for credential in credentials:
        statement(client, credential)
    entries = {e.credential_id: e.index for e in StatusListEntry.objects.all()}
    type(credentials[1]).objects.filter(pk=credentials[1].pk).update(
        status=CredentialStatus.SUSPENDED
    )

    bits = decode_list(encoded_lists(purpose="suspension")[0])

    index = entries[credentials[1].pk]
    assert bits[index // 8] == 0x80 >> (index % 8)
    assert sum(bin(byte).count("1") for byte in bits) == 1
    assert not any(decode_list(encoded_lists(purpose="revocation")[0]))


def test_the_lists_are_two_queries_however_many_bits_are_set(django_assert_num_queries):
    """The highest index allocated (how many lists), then every set bit of the purpose."""
    credentials = CredentialFactory.create_batch(40, status=CredentialStatus.WITHDRAWN)
    StatusListEntry.objects.bulk_create(StatusListEntry(credential=c) for c in credentials)

    with django_assert_num_queries(2):
        lists = encoded_lists(purpose="revocation")

    assert sum(bin(byte).count("1") for byte in decode_list(lists[0])) == 40


def test_a_second_list_covers_the_next_131072_indexes(client):
    credential = CredentialFactory(status=CredentialStatus.WITHDRAWN)
    StatusListEntry.objects.create(index=LIST_SIZE + 5, credential=credential)

    lists = encoded_lists(purpose="revocation")

    assert not any(decode_list(lists[0]))
    assert decode_list(lists[1])[0] == 0x80 >> 5
    assert client.get("/api/v1/status-lists/revocation/1").status_code == 200
    assert client.get("/api/v1/status-lists/revocation/2").status_code == 404


def test_status_list_indexes_are_never_reused():
    """The table refuses UPDATE and DELETE, so an index cannot pass to another record."""
    entry = StatusListEntry.objects.create(credential=CredentialFactory())

    for statement_sql in (
        "UPDATE statements_statuslistentry SET credential_id = credential_id",
        "DELETE FROM statements_statuslistentry",
    ):
        with (
            pytest.raises((InternalError, IntegrityError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement_sql)
    assert StatusListEntry.objects.get(index=entry.index).credential_id == entry.credential_id


def test_the_service_reports_the_result_and_the_record(client):
    credential = CredentialFactory()
    token = statement(client, credential)

    check = statement_verify(token=token, did="did:web:testserver")

    assert check.result == "valid"
    assert check.credential == credential
    assert claims_of(token) == check.claims


def test_a_list_begun_after_the_lists_were_cached_is_served_at_once(client):
    StatusListEntry.objects.create(credential=CredentialFactory())
    assert client.get("/api/v1/status-lists/suspension/0").status_code == 200  # cached now
    assert client.get("/api/v1/status-lists/suspension/1").status_code == 404

    StatusListEntry.objects.create(index=LIST_SIZE, credential=CredentialFactory())

    assert client.get("/api/v1/status-lists/suspension/1").status_code == 200
