"""Followers hear of status, validity and quality-mark changes, and of a search's new
matches: once per event, in their language, with working unsubscribe links."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from credentials.models import Credential
from follows.choices import DigestState, FollowState
from follows.models import Follow, FollowDigest, FollowNotification
from follows.notifier import follow_digest_send, follow_notify
from tests.changes.events import fire_event_triggers
from tests.factories import CredentialFactory

from .helpers import confirm, link_of, notify_and_send, sign_up_for_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    record = CredentialFactory(title_en="Certificate in Data Ethics", title_zh="數據倫理證書")
    fire_event_triggers()  # its creation is before anyone follows it
    return record


def _follow(client, record, email="learner@example.org", language="en"):
    sign_up_for_record(client, record, email, language)
    confirm(client, mail.outbox[-1])
    return Follow.objects.get(email=email, credential=record)


def test_a_status_and_a_validity_change_notify_the_follower_exactly_once(client, record):
    _follow(client, record)
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    Credential.objects.filter(pk=record.pk).update(valid_to=datetime.date(2029, 8, 31))

    [digest] = notify_and_send()
    assert notify_and_send() == []  # the notifier again: nothing new, nothing twice

    assert digest.to == ["learner@example.org"]
    assert digest.subject == "Credential Registry: 2 changes to what you follow"
    assert "Status changed" in digest.body and "Suspended" in digest.body
    assert "Validity changed" in digest.body and "2029-08-31" in digest.body
    assert f"/credentials/{record.pk}/" in digest.body
    [(html, _mimetype)] = digest.alternatives
    assert "Suspended" in html and "Stop following this" in html
    assert FollowNotification.objects.count() == 2
    assert FollowDigest.objects.get().state == DigestState.SENT


def test_running_the_notifier_twice_before_sending_records_each_event_once(client, record):
    _follow(client, record)
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    fire_event_triggers()

    follow_notify()
    follow_notify()
    [digest] = FollowDigest.objects.all()
    assert follow_digest_send(digest_id=digest.pk) is True
    assert follow_digest_send(digest_id=digest.pk) is False  # a repeated task sends nothing

    assert FollowNotification.objects.count() == 1
    assert (
        len([m for m in mail.outbox if "changes to" in m.subject or "change to" in m.subject]) == 1
    )


def test_quality_marks_notify_other_content_changes_do_not(client, record):
    _follow(client, record)
    Credential.objects.filter(pk=record.pk).update(summary_en="A new summary.")
    assert notify_and_send() == []

    Credential.objects.filter(pk=record.pk).update(quality_marks=["qf"])
    [digest] = notify_and_send()
    assert "Content changed" in digest.body and "QF" in digest.body.upper()


def test_changes_before_the_follow_began_are_not_told(client, record):
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    fire_event_triggers()
    _follow(client, record)
    assert notify_and_send() == []


def test_one_click_unsubscribe_by_post_stops_the_mail(record):
    client = Client(enforce_csrf_checks=True)  # a mail client sends no CSRF token
    _follow(Client(), record)
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    [digest] = notify_and_send()

    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = digest.extra_headers["List-Unsubscribe"].strip("<>")
    assert one_click == "http://localhost:8000" + link_of(digest, "leave")
    response = client.post(
        link_of(digest, "leave"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200

    follow = Follow.objects.get()
    assert follow.state == FollowState.UNSUBSCRIBED
    assert follow.email == "" and follow.address_key == ""
    assert FollowDigest.objects.get().address_key == ""
    Credential.objects.filter(pk=record.pk).update(status="registered")
    assert notify_and_send() == []


def test_the_unsubscribe_link_shows_a_button_that_stops_the_mail(client, record):
    _follow(client, record)
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    [digest] = notify_and_send()
    path = link_of(digest, "unsubscribe")

    shown = client.get(path)
    assert shown.status_code == 200 and "Stop following" in shown.content.decode()
    assert Follow.objects.get().state == FollowState.ACTIVE  # opening the link ends nothing

    assert client.post(path).status_code == 200
    assert Follow.objects.get().state == FollowState.UNSUBSCRIBED
    Credential.objects.filter(pk=record.pk).update(status="registered")
    assert notify_and_send() == []


def test_a_digest_waiting_when_its_follow_ends_is_not_sent(client, record):
    follow = _follow(client, record)
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    fire_event_triggers()
    follow_notify()
    Follow.objects.filter(pk=follow.pk).update(
        state=FollowState.UNSUBSCRIBED, email="", address_key=""
    )

    digest = FollowDigest.objects.get()
    assert follow_digest_send(digest_id=digest.pk) is False
    digest.refresh_from_db()
    assert digest.state == DigestState.DROPPED


def test_a_follower_who_signed_up_in_chinese_is_written_to_in_chinese(client, record):
    sign_up_for_record(client, record, "learner@example.org", language="zh-hant")
    [confirmation] = mail.outbox
    assert "確認" in confirmation.subject
    assert "/zh-hant/follow/confirm/" in confirmation.body
    assert "數據倫理證書" in confirmation.body
    confirm(client, confirmation)
    assert Follow.objects.get().language == "zh-hant"

    Credential.objects.filter(pk=record.pk).update(status="suspended")
    [digest] = notify_and_send()
    assert "數據倫理證書" in digest.body
    assert "已暫停" in digest.body or "暫停" in digest.body
    assert "/zh-hant/credentials/" in digest.body
    [(html, _mimetype)] = digest.alternatives
    assert 'lang="zh-Hant"' in html


def _follow_search(client, query: str, email="searcher@example.org", language="en"):
    with translation.override(language):
        url = reverse("follows:search")
    response = client.post(url, {"email": email, "query": query})
    assert response.status_code == 200, response.content.decode()
    confirm(client, mail.outbox[-1])


def test_a_saved_search_gaining_a_new_match_notifies(client, record):
    _follow_search(client, "q=ethics")
    CredentialFactory(title_en="Certificate in Gardening")  # not a match

    match = CredentialFactory(title_en="Diploma in AI Ethics", title_zh="人工智能倫理文憑")
    [digest] = notify_and_send()

    assert "New match" in digest.body
    assert "Diploma in AI Ethics" in digest.body
    assert "Gardening" not in digest.body
    assert f"/credentials/{match.pk}/" in digest.body
    assert "/search/?q=ethics" in digest.body
    assert FollowNotification.objects.get().new_match is True
    assert notify_and_send() == []


def test_a_saved_search_tells_of_a_match_s_status_change(client, record):
    _follow_search(client, "q=ethics")
    Credential.objects.filter(pk=record.pk).update(status="expired")

    [digest] = notify_and_send()
    assert "Status changed" in digest.body and "Certificate in Data Ethics" in digest.body


def test_one_address_gets_one_digest_for_all_it_follows(client, record):
    _follow(client, record, email="both@example.org")
    _follow_search(client, "q=ethics", email="both@example.org")
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    CredentialFactory(title_en="Diploma in AI Ethics")

    [digest] = notify_and_send()
    assert digest.body.count("Stop following this:") == 2
    assert "New match" in digest.body and "Status changed" in digest.body


def test_a_search_follow_refuses_a_bad_search_clearly(client):
    response = client.post(
        reverse("follows:search"), {"email": "a@example.org", "query": "credits_min=lots"}
    )
    assert response.status_code == 400
    assert "credits_min" in response.content.decode()
    assert "Minimum credits: enter a number." in response.content.decode()
    assert "credits_min: Minimum" not in response.content.decode()
    assert mail.outbox == []

    empty = client.get(reverse("follows:search"))
    assert "at least one filter" in empty.content.decode()


def test_the_results_page_links_to_following_the_search(client, record):
    page = client.get(reverse("credentials:search"), {"q": "ethics"}).content.decode()
    assert reverse("follows:search") + "?q=ethics" in page


def test_the_manage_link_lists_and_ends_everything(client, record):
    _follow(client, record)
    _follow_search(client, "q=ethics", email="learner@example.org")
    answer = client.post(reverse("follows:manage"), {"email": "learner@example.org"})
    nobody = client.post(reverse("follows:manage"), {"email": "nobody@example.org"})
    assert answer.status_code == nobody.status_code == 200
    assert "Your follows" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["learner@example.org"]
    sent = len(mail.outbox)

    client.post(reverse("follows:manage"), {"email": "learner@example.org"})
    assert len(mail.outbox) == sent  # one manage e-mail per address at a time

    page = client.get(link_of(mail.outbox[-1], "manage"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Certificate in Data Ethics" in text and "“ethics”" in text
    leave = [
        part.split('"')[0]
        for part in text.split('action="')
        if "/follow/leave/" in part.split('"')[0]
    ]
    assert client.post(leave[0]).status_code == 200
    assert not Follow.objects.filter(state=FollowState.ACTIVE).exists()


def test_subjects_are_plain_text(client):
    record = CredentialFactory(title_en="Diploma in Food & Beverage “Service”")
    sign_up_for_record(client, record, "learner@example.org")
    assert "Food & Beverage “Service”" in mail.outbox[0].subject


def test_a_search_that_no_longer_validates_stops_no_one_else_s_mail(client, record):
    _follow_search(client, "q=ethics", email="stale@example.org")
    Follow.objects.filter(email="stale@example.org").update(search_query="credits_min=lots")
    _follow(client, record)
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    CredentialFactory(title_en="Diploma in AI Ethics")

    [digest] = notify_and_send()
    assert digest.to == ["learner@example.org"]
