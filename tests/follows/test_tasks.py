"""The beat task records digests and queues their sending on the mail queue."""

import pytest
import redis
from django.conf import settings
from django.core import mail

from credentials.models import Credential
from follows.choices import DigestState
from follows.models import FollowDigest
from follows.tasks import follow_digest_send_task, follow_expire_task, follow_notify_task
from tests.changes.events import fire_event_triggers
from tests.factories import CredentialFactory

from .helpers import confirm, sign_up_for_record

pytestmark = pytest.mark.django_db

MAIL_QUEUE = "registry-test-mail"


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(MAIL_QUEUE)
    yield client
    client.delete(MAIL_QUEUE)
    client.close()


def test_the_notify_task_queues_each_pending_digest_for_the_mail_workers(client, broker):
    record = CredentialFactory()
    fire_event_triggers()
    sign_up_for_record(client, record, "learner@example.org")
    confirm(client, mail.outbox[0])
    Credential.objects.filter(pk=record.pk).update(status="suspended")
    fire_event_triggers()

    assert follow_notify_task() == 1
    assert broker.llen(MAIL_QUEUE) == 1
    assert follow_notify_task() == 0
    assert broker.llen(MAIL_QUEUE) == 2  # still unsent: queued again, sent once

    digest = FollowDigest.objects.get()
    assert follow_digest_send_task(digest.pk) is True
    assert follow_digest_send_task(digest.pk) is False
    digest.refresh_from_db()
    assert digest.state == DigestState.SENT
    assert len(mail.outbox) == 2  # the confirmation and one digest
    assert follow_expire_task() == 0
