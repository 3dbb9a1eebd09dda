"""`manage.py backup` and `restore`: a dump of the demo register restores to the same rows.

Other processes (pg_dump, pg_restore) must see the rows, hence committed data.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connections

from credentials.models import Credential, CredentialStatusChange, CredentialVersion
from credentials.services import credential_update
from operations.backup import database_backup, database_restore
from operations.pg_clients import BackupError, Server
from qa_reviews.models import Decision, Judgement

HISTORY = (CredentialVersion, CredentialStatusChange, Judgement, Decision)


def _connect(server: Server) -> psycopg.Connection:
    return psycopg.connect(
        host=server.host or None,
        port=server.port or None,
        user=server.user or None,
        password=server.password or None,
        dbname=server.name,
        autocommit=True,
    )


def _state(server: Server) -> dict[str, object]:
    """Row counts of every table, and the latest five rows of each history table."""
    with _connect(server) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        state: dict[str, object] = {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables
        }
        for model in HISTORY:
            table = model._meta.db_table
            state[f"{table} latest"] = [
                row[0]
                for row in conn.execute(
                    f'SELECT row_to_json(t)::text FROM "{table}" t ORDER BY id DESC LIMIT 5'
                )
            ]
    return state


@pytest.fixture
def demo_register(committed_db, django_user_model) -> Server:
    """The demo register, with a few edits so every history table has rows."""
    call_command("seed_demo", verbosity=0)
    admin = django_user_model.objects.get(username="registry-admin")
    for credential in Credential.objects.order_by("pk")[:3]:
        credential_update(actor=admin, credential=credential, values={"fee": 4200})
    return Server.from_settings(connections["default"].settings_dict)


@pytest.fixture
def fresh_database(demo_register) -> Iterator[Server]:
    """An empty database on the same server, dropped afterwards."""
    name = f"{demo_register.name}_restored"
    with _connect(demo_register) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield Server(**{**demo_register.__dict__, "name": name})
    with _connect(demo_register) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_backup_holds_every_row_and_the_latest_history(
    demo_register, fresh_database, tmp_path
):
    original = _state(demo_register)
    assert original["credentials_credential"] > 400
    for model in HISTORY:
        assert original[model._meta.db_table] > 0, model

    dump = database_backup(server=demo_register, path=tmp_path / "registry.dump")
    database_restore(server=fresh_database, path=dump)

    assert _state(fresh_database) == original


def test_restore_over_a_changed_database_puts_it_back_and_keeps_the_guards(
    demo_register, fresh_database, tmp_path
):
    dump = database_backup(server=demo_register, path=tmp_path / "registry.dump")
    database_restore(server=fresh_database, path=dump)
    with _connect(fresh_database) as conn:
        # History cannot be changed (the triggers refuse): change a record instead.
        conn.execute("UPDATE credentials_credential SET title_en = 'changed after the backup'")
        conn.execute("INSERT INTO auth_group (name) VALUES ('added after the backup')")

    database_restore(server=fresh_database, path=dump)

    assert _state(fresh_database) == _state(demo_register)
    # The append-only triggers came back with the data, after it.
    with (
        _connect(fresh_database) as conn,
        pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"),
    ):
        conn.execute("UPDATE qa_reviews_decision SET rationale = 'rewritten'")


def test_a_damaged_backup_is_refused_and_changes_nothing(demo_register, fresh_database, tmp_path):
    dump = database_backup(server=demo_register, path=tmp_path / "registry.dump")
    database_restore(server=fresh_database, path=dump)
    before = _state(fresh_database)
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])

    with pytest.raises(BackupError, match="failed"):
        database_restore(server=fresh_database, path=damaged)

    assert _state(fresh_database) == before


def test_backup_command_writes_a_timestamped_dump_that_restore_reads_back(
    demo_register, tmp_path, settings
):
    settings.BASE_DIR = tmp_path
    call_command("backup", verbosity=0)
    (dump,) = (tmp_path / "backups").iterdir()
    assert dump.name.startswith("registry-") and dump.name.endswith("Z.dump")
    before = _state(demo_register)
    Group.objects.create(name="added after the backup")
    assert _state(demo_register) != before

    call_command("restore", str(dump), "--no-input", verbosity=0)

    assert _state(demo_register) == before


def test_backup_refuses_to_overwrite_a_file(demo_register, tmp_path):
    existing = tmp_path / "registry.dump"
    existing.write_bytes(b"keep me")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=existing)

    assert existing.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"name,title\n", "not a pg_dump custom-format archive")],
)
def test_restore_refuses_what_is_not_a_backup(tmp_path, content, message):
    path = tmp_path / "registry.dump"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), "--no-input")


@pytest.mark.parametrize(
    ("answer", "message"),
    [("no\n", "Restore cancelled; nothing changed"), ("", "pass --no-input")],
)
def test_restore_asks_first_and_stops_without_a_yes(
    demo_register, tmp_path, monkeypatch, answer, message
):
    dump = database_backup(server=demo_register, path=tmp_path / "registry.dump")
    Group.objects.create(name="added after the backup")
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(dump), stdout=io.StringIO())

    assert Group.objects.filter(name="added after the backup").exists()
