"""Double opt-in: a confirmation e-mail first, nothing else before it is confirmed, once."""

import time

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from credentials.models import Credential
from follows.choices import FollowState
from follows.models import Follow
from follows.services import follow_pending_expire
from tests.factories import CredentialFactory

from .helpers import confirm, link_of, notify_and_send, page_text, sign_up_for_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return CredentialFactory(title_en="Certificate in Data Ethics")


def test_signing_up_sends_only_a_confirmation_and_no_updates_before_it(client, record):
    response = sign_up_for_record(client, record, "learner@Example.ORG")

    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["learner@example.org"]
    assert "Confirm: follow Certificate in Data Ethics" in message.subject
    assert link_of(message, "confirm")
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "Confirm and start following" in html
    follow = Follow.objects.get()
    assert follow.state == FollowState.PENDING and follow.language == "en"

    Credential.objects.filter(pk=record.pk).update(status="suspended")
    assert notify_and_send() == []


def test_the_confirmation_link_shows_a_button_and_confirms_once(client, record):
    sign_up_for_record(client, record, "learner@example.org")
    path = link_of(mail.outbox[0], "confirm")

    shown = client.get(path)
    assert shown.status_code == 200
    assert Follow.objects.get().state == FollowState.PENDING  # a link scanner confirms nothing

    assert client.post(path).status_code == 200
    follow = Follow.objects.get()
    assert follow.state == FollowState.ACTIVE and follow.confirmed_at is not None

    again = client.post(path)
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert client.get(path).status_code == 410


def test_an_expired_confirmation_link_is_refused(client, record, monkeypatch):
    two_days_ago = time.time() - 49 * 3600
    with monkeypatch.context() as past:
        past.setattr("django.core.signing.time.time", lambda: two_days_ago)
        sign_up_for_record(client, record, "learner@example.org")
    path = link_of(mail.outbox[0], "confirm")

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "expired" in response.content.decode()
    assert Follow.objects.get().state == FollowState.PENDING


def test_a_tampered_link_is_not_found(client, record):
    sign_up_for_record(client, record, "learner@example.org")
    path = link_of(mail.outbox[0], "confirm")

    assert client.post(path.replace(":", ";", 1)).status_code == 404
    assert client.post(reverse("follows:confirm", kwargs={"token": "x"})).status_code == 404


def test_unconfirmed_requests_expire_and_their_address_is_erased(client, record):
    sign_up_for_record(client, record, "learner@example.org")
    Follow.objects.update(created_at="2020-01-01T00:00:00Z")

    assert follow_pending_expire() == 1

    follow = Follow.objects.get()
    assert follow.state == FollowState.EXPIRED
    assert follow.email == "" and follow.address_key == ""
    assert client.post(link_of(mail.outbox[0], "confirm")).status_code == 410


def test_the_same_answer_whether_or_not_the_address_already_follows(client, record):
    first = sign_up_for_record(client, record, "learner@example.org")
    confirm(client, mail.outbox[0])
    second = sign_up_for_record(client, record, "learner@example.org")
    stranger = sign_up_for_record(client, record, "someone-else@example.org")

    assert page_text(first) == page_text(second) == page_text(stranger)
    # Confirming the repeat keeps the one follow.
    confirm(client, mail.outbox[1])
    assert Follow.objects.filter(state=FollowState.ACTIVE).count() == 1


@override_settings(FOLLOW_MAX_PENDING_PER_ADDRESS=2)
def test_an_address_gets_at_most_n_pending_confirmations(client):
    records = CredentialFactory.create_batch(3)
    answers = [page_text(sign_up_for_record(client, r, "victim@example.org")) for r in records]

    assert len(mail.outbox) == 2
    assert len(set(answers)) == 1
    assert Follow.objects.filter(state=FollowState.PENDING).count() == 2


def test_sign_ups_are_limited_per_client_address(record):
    client = Client(REMOTE_ADDR="203.0.113.9")
    with override_settings(THROTTLE_RATES={"follow": "2/hour"}):
        codes = [
            sign_up_for_record(client, record, f"l{n}@example.org").status_code for n in range(3)
        ]
    assert codes == [200, 200, 429]
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter the e-mail address to send the updates to."),
        ("not-an-address", "Enter an e-mail address such as name@example.org."),
        ("a" * 250 + "@example.org", "An e-mail address has at most 254 characters."),
    ],
)
def test_a_bad_address_is_refused_with_a_clear_message(client, record, email, message):
    response = sign_up_for_record(client, record, email)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert mail.outbox == [] and not Follow.objects.exists()


def test_only_public_records_can_be_followed(client):
    draft = CredentialFactory(status="draft")
    assert sign_up_for_record(client, draft, "learner@example.org").status_code == 404


def test_the_forms_need_the_csrf_token(record):
    client = Client(enforce_csrf_checks=True)
    assert sign_up_for_record(client, record, "learner@example.org").status_code == 403
    assert mail.outbox == []


def test_the_record_page_offers_the_form(client, record):
    page = client.get(reverse("credentials:detail", kwargs={"pk": record.pk})).content.decode()
    assert reverse("follows:record", kwargs={"pk": record.pk}) in page
    assert "csrfmiddlewaretoken" in page


def test_staff_find_an_address_s_follows_and_erase_them_in_the_admin(client, record, admin_client):
    sign_up_for_record(client, record, "learner@example.org")
    url = reverse("admin:follows_follow_changelist")

    found = admin_client.get(url, {"q": "Learner@example.org"})
    assert found.status_code == 200 and found.context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "other@example.org"}).context["cl"].result_count == 0

    admin_client.post(
        url, {"action": "end_and_erase", "_selected_action": [Follow.objects.get().pk]}
    )
    follow = Follow.objects.get()
    assert follow.state == FollowState.UNSUBSCRIBED and follow.email == ""
