"""Registry statements: signed, published keys verify them, and status changes show."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from joserfc import jws
from joserfc.errors import BadSignatureError

from credentials.choices import CredentialStatus
from credentials.services import credential_transition
from qa_reviews.choices import DecisionOutcome
from qa_reviews.models import Decision
from status_checks.choices import SweepScope
from status_checks.services import status_sweep_run_inline, status_sweep_start
from tests.factories import AccreditationRecordFactory, CredentialFactory, ReviewFactory

from .helpers import (
    b64url_decode,
    b64url_encode,
    claims_of,
    header_of,
    published_jwk,
    statement,
    status_bit,
    status_entry,
    verify_with_published_key,
)

pytestmark = pytest.mark.django_db

VERIFY_URL = "/api/v1/statements/verify/"


def _check(client, token: str) -> dict:
    response = client.post(VERIFY_URL, {"statement": token}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_statement_verifies_with_the_key_published_in_did_json(client):
    """The JWS header is VC-JOSE; the credential is OB3 with level, QA, validity and status."""
    credential = CredentialFactory(valid_to=datetime.date(2028, 8, 31))
    AccreditationRecordFactory(credential=credential, accreditor="HKCAAVQ")
    token = statement(client, credential)

    header = header_of(token)
    claims = verify_with_published_key(client, token)

    assert (header["alg"], header["typ"], header["cty"]) == ("ES256", "vc+jwt", "vc")
    assert header["kid"].startswith("did:web:testserver#")
    assert claims["issuer"]["id"] == "did:web:testserver"
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["validFrom"] == "2025-08-31T16:00:00Z"  # 1 Sep 2025 in Hong Kong
    assert claims["validUntil"] == "2028-08-31T15:59:59Z"
    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["humanCode"] == credential.registration_number
    assert subject["achievement"]["type"] == ["Achievement"]
    registration = subject["registration"]
    assert registration["level"] == {"framework": "HKQF", "code": "4", "name": "Level 4"}
    assert registration["validUntil"] == "2028-08-31"
    assert registration["qualityAssurance"]["accreditations"][0]["accreditor"] == "HKCAAVQ"
    assert "HKQF Level 4" in claims["description"]
    assert "valid until 2028-08-31" in claims["description"]
    purposes = [entry["statusPurpose"] for entry in claims["credentialStatus"]]
    assert purposes == ["revocation", "suspension"]
    assert all(e["type"] == "BitstringStatusListEntry" for e in claims["credentialStatus"])
    assert _check(client, token)["result"] == "valid"


def test_the_statement_states_the_latest_standing_qa_decision(client, registry_admin):
    credential = CredentialFactory()
    review = ReviewFactory(credential=credential)
    first = Decision.objects.create(
        review=review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Meets the standards with one condition.",
        decided_by=registry_admin,
        valid_from=datetime.date(2025, 9, 1),
        valid_to=datetime.date(2028, 8, 31),
    )
    Decision.objects.create(
        review=review,
        outcome=DecisionOutcome.APPROVED,
        rationale="The condition was a mistake.",
        decided_by=registry_admin,
        valid_from=datetime.date(2025, 9, 1),
        valid_to=datetime.date(2028, 8, 31),
        supersedes=first,
    )

    qa = claims_of(statement(client, credential))["credentialSubject"]["registration"]

    assert qa["qualityAssurance"]["latestDecision"]["outcome"] == "approved"


@pytest.mark.parametrize("part", [1, 2], ids=["payload", "signature"])
def test_one_changed_byte_of_payload_or_signature_fails(client, part):
    token = statement(client, CredentialFactory())
    segments = token.split(".")
    raw = bytearray(b64url_decode(segments[part]))
    raw[len(raw) // 2] ^= 0x01
    segments[part] = b64url_encode(bytes(raw))
    altered = ".".join(segments)

    key = published_jwk(client, header_of(token)["kid"])
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(altered, key, algorithms=["ES256"])
    assert _check(client, altered)["result"] == "tampered"
    assert _check(client, token)["result"] == "valid"


def test_suspension_flips_the_suspension_bit_and_the_verify_page_says_so(client, registry_admin):
    credential = CredentialFactory()
    token = statement(client, credential)
    suspension = status_entry(token, "suspension")
    revocation = status_entry(token, "revocation")
    # Fetched (and cached) before the change: the change must still show at once.
    assert status_bit(client, suspension) is False

    credential_transition(
        actor=registry_admin,
        credential=credential,
        to_status=CredentialStatus.SUSPENDED,
        reason="Provider under investigation.",
    )

    assert status_bit(client, suspension) is True
    assert status_bit(client, revocation) is False
    assert _check(client, token)["result"] == "suspended"
    english = client.post(reverse("statements:verify"), {"statement": token})
    assert english.status_code == 200
    assert "Suspended: the registry signed this statement" in english.content.decode()
    chinese = client.post("/zh-hant/verify/statement/", {"statement": token})
    assert "已暫停：此聲明由登記冊簽署" in chinese.content.decode()
    assert credential.registration_number in chinese.content.decode()

    credential_transition(
        actor=registry_admin,
        credential=credential,
        to_status=CredentialStatus.REGISTERED,
        reason="Investigation closed.",
    )
    assert status_bit(client, suspension) is False
    assert _check(client, token)["result"] == "valid"


def test_withdrawal_sets_the_revocation_bit(client, registry_admin):
    credential = CredentialFactory()
    token = statement(client, credential)
    revocation = status_entry(token, "revocation")
    assert status_bit(client, revocation) is False

    credential_transition(
        actor=registry_admin,
        credential=credential,
        to_status=CredentialStatus.WITHDRAWN,
        reason="Course closed.",
    )

    assert status_bit(client, revocation) is True
    body = _check(client, token)
    assert (body["result"], body["revoked"]) == ("revoked", True)
    assert body["record"]["registration_number"] == credential.registration_number
    page = client.post("/zh-hant/verify/statement/", {"statement": token}).content.decode()
    assert "已撤銷：此聲明由登記冊簽署" in page
    # A withdrawn record has nothing in force to state any more.
    again = client.get(reverse("api:credential-statement", kwargs={"pk": credential.pk}))
    assert again.status_code == 404
    assert "withdrawn" in again.json()["detail"]


def test_the_sweep_expiring_a_record_marks_its_statements(client):
    today = datetime.date.today()
    credential = CredentialFactory(valid_to=today + datetime.timedelta(days=30))
    token = statement(client, credential)
    suspension = status_entry(token, "suspension")
    assert status_bit(client, suspension) is False
    # The register of record ended it early: the sweep's bulk UPDATE bypasses save().
    type(credential).objects.filter(pk=credential.pk).update(
        valid_to=today - datetime.timedelta(days=1)
    )

    status_sweep_run_inline(
        sweep=status_sweep_start(scope=SweepScope.REGISTER, enqueue=False), alert_delivery="none"
    )

    credential.refresh_from_db()
    assert credential.status == CredentialStatus.EXPIRED
    assert status_bit(client, suspension) is True
    assert _check(client, token)["result"] == "expired"


def test_key_rotation_keeps_old_statements_valid_and_signs_new_ones_with_the_new_key(
    client, settings, tmp_path
):
    settings.REGISTRY_SIGNING_KEY_DIR = str(tmp_path / "keys")
    call_command("signing_keys", "create")
    credential = CredentialFactory()
    old = statement(client, credential)

    call_command("signing_keys", "rotate")
    new = statement(client, credential)

    assert header_of(old)["kid"] != header_of(new)["kid"]
    document = client.get("/.well-known/did.json").json()
    assert [m["id"] for m in document["verificationMethod"]] == [
        header_of(old)["kid"],
        header_of(new)["kid"],
    ]
    verify_with_published_key(client, old)
    verify_with_published_key(client, new)
    assert _check(client, old)["result"] == "valid"
    assert _check(client, new)["result"] == "valid"
    # Status lists are signed by the new key too.
    status_list = client.get(status_entry(new, "revocation")["statusListCredential"])
    assert header_of(status_list.content.decode())["kid"] == header_of(new)["kid"]

    old_kid = header_of(old)["kid"].split("#")[1]
    call_command("signing_keys", "revoke", old_kid)

    assert _check(client, old)["result"] == "unknown_key"
    assert _check(client, new)["result"] == "valid"
    document = client.get("/.well-known/did.json").json()
    assert [m["id"] for m in document["verificationMethod"]] == [header_of(new)["kid"]]


def test_a_statement_from_another_issuer_is_an_unknown_key(client, settings):
    token = statement(client, CredentialFactory())
    settings.REGISTRY_DID = "did:web:register.example.org"

    body = _check(client, token)

    assert body["result"] == "unknown_key"
    assert body["record"] is None


def test_a_future_registration_is_not_yet_valid(client):
    start = datetime.date.today() + datetime.timedelta(days=10)
    token = statement(client, CredentialFactory(valid_from=start))

    assert _check(client, token)["result"] == "not_yet_valid"


def test_only_a_registered_public_record_has_a_statement(client):
    suspended = CredentialFactory(status=CredentialStatus.SUSPENDED)
    draft = CredentialFactory(status=CredentialStatus.DRAFT)

    response = client.get(reverse("api:credential-statement", kwargs={"pk": suspended.pk}))
    assert response.status_code == 404
    assert "suspended" in response.json()["detail"]
    response = client.get(reverse("api:credential-statement", kwargs={"pk": draft.pk}))
    assert response.status_code == 404


def test_each_record_keeps_one_status_index_for_all_its_statements(client):
    first, second = CredentialFactory(), CredentialFactory()

    one = status_entry(statement(client, first), "revocation")["statusListIndex"]
    again = status_entry(statement(client, first), "revocation")["statusListIndex"]
    other = status_entry(statement(client, second), "revocation")["statusListIndex"]

    assert one == again
    assert other != one


def test_teach_out_keeps_statements_in_force_and_superseded_sets_no_bit(client, registry_admin):
    """Teach-out is still in force (a new statement, no bit); a superseded version's earlier
    statements stay true of what was registered, so neither bit is set for it."""
    credential = CredentialFactory()
    successor = CredentialFactory(provider=credential.provider)
    token = statement(client, credential)
    credential_transition(
        actor=registry_admin,
        credential=credential,
        to_status=CredentialStatus.TEACH_OUT,
        reason="Closed to new learners.",
        teach_out_ends_on=datetime.date.today() + datetime.timedelta(days=200),
    )

    in_teach_out = statement(client, credential)
    assert claims_of(in_teach_out)["credentialSubject"]
    assert _check(client, token)["result"] == "valid"

    credential_transition(
        actor=registry_admin,
        credential=credential,
        to_status=CredentialStatus.SUPERSEDED,
        reason="Replaced by the 2027 revision.",
        superseded_by=successor,
    )

    assert status_bit(client, status_entry(token, "suspension")) is False
    assert status_bit(client, status_entry(token, "revocation")) is False
    assert _check(client, token)["result"] == "valid"
    response = client.get(reverse("api:credential-statement", kwargs={"pk": credential.pk}))
    assert response.status_code == 404
