"""The daily export: built by its Celery task into dated files, served with its date, and a
failed build leaves the previous files served."""

import datetime
import json

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery_app import app as celery_app
from credentials.beat import daily_export_catch_up
from credentials.choices import CredentialStatus
from credentials.interop import daily_export
from credentials.interop.daily_export import (
    daily_export_build,
    daily_export_due,
    daily_export_latest,
)
from credentials.tasks import daily_export_build_task
from tests.factories import CredentialFactory

LIST_URL = "/api/v1/credentials/"
DAILY_URL = "/api/v1/exports/daily/"
DAY = datetime.date(2026, 12, 3)


@pytest.fixture
def export_dir(tmp_path, settings):
    settings.REGISTER_EXPORT_DIR = tmp_path / "exports"
    settings.REGISTER_EXPORT_KEEP = 2
    # Each row's url is the API's address under SITE_URL; the test client's host is this.
    settings.SITE_URL = "http://testserver"
    return settings.REGISTER_EXPORT_DIR


@pytest.fixture
def entries(db):
    made = CredentialFactory.create_batch(4, title_zh="護理學證書")
    made.append(CredentialFactory(status=CredentialStatus.EXPIRED))
    CredentialFactory(status=CredentialStatus.DRAFT)  # never public
    return made


def _live(client, extension: str) -> bytes:
    response = client.get(LIST_URL, {"status": "all", "format": extension})
    return b"".join(response.streaming_content)


def _file_url(extension: str) -> str:
    return f"{DAILY_URL}register.{extension}"


def test_the_task_builds_the_public_register_as_the_live_export_streams_it(
    client, export_dir, entries
):
    """The files hold exactly what ?status=all&format=csv|json streams: public entries only,
    archived ones included, drafts never."""
    assert daily_export_build_task() is True

    latest = daily_export_latest()
    today = datetime.date.today().isoformat()
    assert sorted(latest) == ["csv", "json"]
    assert latest["csv"].path.name == f"register-{today}.csv"
    assert latest["csv"].path.read_bytes() == _live(client, "csv")
    rows = json.loads(latest["json"].path.read_text(encoding="utf-8"))
    assert rows == json.loads(_live(client, "json"))
    assert len(rows) == len(entries)
    assert [path.name for path in export_dir.iterdir() if path.name.startswith(".")] == []


def test_the_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-export-build"]
    assert entry["task"] == daily_export_build_task.name
    assert entry["task"] in celery_app.tasks


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_a_build_is_due_when_the_schedule_passed_one_that_is_missing(export_dir, db, settings):
    settings.REGISTER_EXPORT_HOUR, settings.REGISTER_EXPORT_MINUTE = 4, 30
    assert daily_export_due(now=_local(DAY, 12)) is True  # never built

    daily_export_build(today=DAY - datetime.timedelta(days=1))
    assert daily_export_due(now=_local(DAY, 4, 29)) is False  # today's build time not yet
    assert daily_export_due(now=_local(DAY, 4, 30)) is True  # today's time came, no file
    assert daily_export_due(now=_local(DAY + datetime.timedelta(days=1), 3)) is True

    daily_export_build(today=DAY)
    assert daily_export_due(now=_local(DAY, 23, 59)) is False
    (export_dir / f"register-{DAY.isoformat()}.json").unlink()
    assert daily_export_due(now=_local(DAY, 23, 59)) is True  # one format is missing


@pytest.fixture
def default_queue():
    """The broker's default queue, empty before and after."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker.delete(queue)
    yield lambda: [json.loads(message) for message in broker.lrange(queue, 0, -1)]
    broker.delete(queue)
    broker.close()


def test_beat_starting_queues_the_missed_build_and_only_that(
    export_dir, db, default_queue, settings
):
    settings.REGISTER_EXPORT_CATCH_UP = False
    daily_export_catch_up(sender=None)
    assert default_queue() == []  # turned off: beat waits for the build hour

    settings.REGISTER_EXPORT_CATCH_UP = True
    daily_export_catch_up(sender=None)
    assert [message["headers"]["task"] for message in default_queue()] == [
        daily_export_build_task.name
    ]

    daily_export_build()
    daily_export_catch_up(sender=None)
    assert len(default_queue()) == 1  # today's files are there: nothing more queued


def test_a_failed_build_leaves_the_previous_files_served(export_dir, entries, monkeypatch):
    """A build that breaks halfway removes its half-written files; yesterday's stay newest."""
    daily_export_build(today=DAY - datetime.timedelta(days=1))
    before = {
        extension: export.path.read_bytes() for extension, export in daily_export_latest().items()
    }

    def half_then_fail(files, today):
        files["csv"].write("registration_number\n")
        raise OSError("disk full")

    monkeypatch.setattr(daily_export, "_write", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        daily_export_build(today=DAY)

    latest = daily_export_latest()
    assert {export.day for export in latest.values()} == {DAY - datetime.timedelta(days=1)}
    assert {extension: export.path.read_bytes() for extension, export in latest.items()} == before
    assert sorted(path.name for path in export_dir.iterdir()) == [
        "register-2026-12-02.csv",
        "register-2026-12-02.json",
    ]


def test_only_the_newest_days_are_kept_and_leftovers_removed(export_dir, entries):
    export_dir.mkdir(parents=True)
    (export_dir / ".register-2026-11-01.abc.csv.tmp").write_text("killed mid-build")
    (export_dir / "notes.txt").write_text("not ours")
    for days_ago in (3, 2, 1, 0):
        daily_export_build(today=DAY - datetime.timedelta(days=days_ago))

    assert sorted(path.name for path in export_dir.iterdir()) == [
        "notes.txt",
        "register-2026-12-02.csv",
        "register-2026-12-02.json",
        "register-2026-12-03.csv",
        "register-2026-12-03.json",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_second_build_during_one_returns_at_once(export_dir):
    """Another session holds the build lock: this build writes nothing."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [daily_export._BUILD_LOCK])
        assert daily_export_build(today=DAY) is None
        assert daily_export_build_task() is False
        other.execute("SELECT pg_advisory_unlock(%s)", [daily_export._BUILD_LOCK])
    assert daily_export_latest() == {}
    assert daily_export_build(today=DAY) is not None


def test_before_the_first_build_the_api_and_the_page_say_so(client, export_dir, db):
    for url, accept in (
        (DAILY_URL, "*/*"),
        (_file_url("csv"), "text/csv"),
        (_file_url("json"), "*/*"),
    ):
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 404
        assert "No daily export of the register has been built yet" in response.json()["detail"]
    page = client.get("/download/")
    assert page.status_code == 200
    assert "No daily export of the register has been built yet" in page.content.decode()


def test_the_file_is_served_with_its_date_and_validators(client, export_dir, entries):
    daily_export_build(today=DAY)
    built = daily_export_latest()["csv"]

    response = client.get(_file_url("csv"))
    body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert body == built.path.read_bytes()
    assert response["Content-Disposition"] == 'attachment; filename="register-2026-12-03.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Length"] == str(len(body))
    assert response["ETag"] == built.etag
    assert response["Accept-Ranges"] == "bytes"
    assert response["Last-Modified"]

    again = client.get(_file_url("csv"), HTTP_IF_NONE_MATCH=built.etag)
    assert again.status_code == 304
    unchanged = client.get(_file_url("csv"), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert unchanged.status_code == 304


def test_a_download_resumes_with_a_range(client, export_dir, entries):
    daily_export_build(today=DAY)
    built = daily_export_latest()["json"]
    whole = built.path.read_bytes()
    size = len(whole)

    part = client.get(_file_url("json"), HTTP_RANGE="bytes=10-")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == whole[10:]
    assert part["Content-Range"] == f"bytes 10-{size - 1}/{size}"
    assert part["Content-Length"] == str(size - 10)

    middle = client.get(_file_url("json"), HTTP_RANGE="bytes=2-5", HTTP_IF_RANGE=built.etag)
    assert b"".join(middle.streaming_content) == whole[2:6]
    tail = client.get(_file_url("json"), HTTP_RANGE="bytes=-7")
    assert b"".join(tail.streaming_content) == whole[-7:]

    # The file changed since the client's copy: the whole new file, not a piece of it.
    stale = client.get(_file_url("json"), HTTP_RANGE="bytes=2-5", HTTP_IF_RANGE='"old"')
    assert stale.status_code == 200
    assert b"".join(stale.streaming_content) == whole

    past_the_end = client.get(_file_url("json"), HTTP_RANGE=f"bytes={size}-")
    assert past_the_end.status_code == 416
    assert past_the_end["Content-Range"] == f"bytes */{size}"


def test_the_list_and_the_page_name_each_file_with_its_date(client, export_dir, entries):
    daily_export_build(today=DAY)

    listed = client.get(DAILY_URL).json()
    page = client.get("/download/").content.decode()

    assert [(item["format"], item["date"], item["filename"]) for item in listed] == [
        ("csv", "2026-12-03", "register-2026-12-03.csv"),
        ("json", "2026-12-03", "register-2026-12-03.json"),
    ]
    assert listed[0]["url"] == f"http://testserver{_file_url('csv')}"
    assert listed[0]["size"] == daily_export_latest()["csv"].size
    assert "register-2026-12-03.csv" in page and _file_url("json") in page


def test_the_page_speaks_traditional_chinese(client, export_dir, db):
    page = client.get("/zh-hant/download/").content.decode()
    assert "下載整個登記冊" in page
