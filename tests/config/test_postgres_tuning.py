"""PostgreSQL runs with one set of server settings under `make run`, compose and the benchmark."""

import os

import psycopg
import pytest
import yaml
from django.db import connection

from benchmarks.load import DATABASE_SETTINGS, recreate_database, tune_database
from devstack.errors import DevstackError
from devstack.paths import ROOT
from devstack.postgres import NOT_DURABLE, TUNING, Postgres
from devstack.services import all_services

# What a database cannot carry itself: it is set when the server starts.
SERVER_ONLY = {"shared_buffers"}


def _compose_flags() -> dict[str, str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["postgres"]["command"]
    assert command[0] == "postgres"
    flags = command[1:]
    assert flags[::2] == ["-c"] * (len(flags) // 2)
    return dict(flag.split("=", 1) for flag in flags[1::2])


def test_compose_starts_postgres_with_devstacks_settings():
    assert _compose_flags() == TUNING


def test_the_benchmark_database_carries_every_setting_a_database_can_hold():
    assert {
        name: value for name, value in TUNING.items() if name not in SERVER_ONLY
    } == DATABASE_SETTINGS


def test_devstack_writes_the_settings_into_its_server_configuration(tmp_path):
    server = Postgres(55999)
    server.data, server.sockets, server.log = tmp_path, tmp_path / "run", tmp_path / "pg.log"

    server._prepare(None)

    conf = (tmp_path / "devstack.conf").read_text()
    for name, value in TUNING.items():
        assert f"{name} = '{value}'\n" in conf


@pytest.mark.parametrize("durable", [True, False])
def test_only_a_test_server_runs_without_fsync(tmp_path, durable):
    server = Postgres(55999, durable=durable)
    server.data, server.sockets, server.log = tmp_path, tmp_path / "run", tmp_path / "pg.log"

    server._prepare(None)

    lines = (tmp_path / "devstack.conf").read_text().splitlines()
    written = dict(line.split(" = ", 1) for line in lines)
    expected = {} if durable else {name: f"'{value}'" for name, value in NOT_DURABLE.items()}
    assert {name: written[name] for name in NOT_DURABLE if name in written} == expected


def _connect(target: dict, dbname: str) -> psycopg.Connection:
    return psycopg.connect(
        dbname=dbname,
        host=target["HOST"] or None,
        port=target["PORT"] or None,
        user=target["USER"] or None,
        password=target["PASSWORD"] or None,
        autocommit=True,
    )


def test_a_tuned_benchmark_database_opens_sessions_with_its_settings():
    """JIT off and the rest, whatever the server's own configuration says."""
    current = connection.settings_dict
    target = {
        "NAME": f"registry_bench_tuning_{os.getpid()}",
        **{key: current[key] for key in ("HOST", "PORT", "USER", "PASSWORD")},
    }
    recreate_database(target)
    try:
        tune_database(target)
        with _connect(target, target["NAME"]) as session:
            shown = {
                name: session.execute(f"SHOW {name}").fetchone()[0] for name in DATABASE_SETTINGS
            }
    finally:
        with _connect(target, "postgres") as maintenance:
            maintenance.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
    assert shown == DATABASE_SETTINGS


@pytest.mark.parametrize(("setting", "durable"), [(None, True), ("1", True), ("0", False)])
def test_devstack_pg_durable_chooses_the_servers_durability(monkeypatch, setting, durable):
    if setting is None:
        monkeypatch.delenv("DEVSTACK_PG_DURABLE", raising=False)
    else:
        monkeypatch.setenv("DEVSTACK_PG_DURABLE", setting)

    (postgres,) = [service for service in all_services() if isinstance(service, Postgres)]

    assert postgres.durable is durable


def test_a_devstack_pg_durable_that_is_not_0_or_1_is_refused(monkeypatch):
    monkeypatch.setenv("DEVSTACK_PG_DURABLE", "off")

    with pytest.raises(DevstackError, match="DEVSTACK_PG_DURABLE='off' is not a number from 0"):
        all_services()
