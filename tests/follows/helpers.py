"""Helpers for follow tests: sign up through the pages, read links out of the e-mails."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from follows.choices import DigestState
from follows.models import FollowDigest
from follows.notifier import follow_digest_send, follow_notify
from tests.changes.events import fire_event_triggers


def link_of(message, kind: str) -> str:
    """The path (language prefix kept) of the one ``/follow/<kind>/<token>/`` link in a
    message's plain text."""
    found = set(re.findall(rf"https?://[^/\s]+(/\S*?follow/{kind}/[^/\s]+/)", message.body))
    assert len(found) == 1, (kind, message.body)
    return found.pop()


def page_text(response) -> str:
    """A page without what differs on every response (CSP nonces, CSRF tokens)."""
    text = response.content.decode()
    return re.sub(r'(nonce|value)="[^"]*"', "", text)


def sign_up_for_record(client: Client, credential, email: str, language: str = "en"):
    with translation.override(language):
        url = reverse("follows:record", kwargs={"pk": credential.pk})
    return client.post(url, {"email": email})


def confirm(client: Client, message) -> None:
    response = client.post(link_of(message, "confirm"))
    assert response.status_code == 200, response.content.decode()


def notify_and_send() -> list:
    """One notifier run and every pending digest sent, as beat and the mail worker would."""
    fire_event_triggers()
    before = len(mail.outbox)
    follow_notify()
    for pk in FollowDigest.objects.filter(state=DigestState.PENDING).values_list("pk", flat=True):
        follow_digest_send(digest_id=pk)
    return mail.outbox[before:]
