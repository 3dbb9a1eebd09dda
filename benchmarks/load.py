"""The benchmark database: created beside the working one, filled through the bulk path.

The bulk path is what DESIGN.md measured to be fast: rows enter by COPY with no search
trigger and no GIN index to maintain, documents are computed in one set-based statement,
and the GIN index is built once after the rows. COPY goes into an unlogged staging table
and one INSERT … SELECT moves the rows into the register with their documents: the same
single set-based pass as an UPDATE after COPY, without leaving a dead version of every row
behind (an UPDATE of the whole table doubles it until a VACUUM FULL, and scans that stop
at a cap would read the dead half first).
"""

from __future__ import annotations

import datetime
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import environ
import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from psycopg import sql
from psycopg.types.json import Jsonb

from credentials.models import Credential
from credentials.search.cube import facet_cube_compact
from credentials.search.sql import CREDENTIAL_TRIGGER_NAME, document_expression
from providers.models import Provider
from qualifications.models import AreaOfStudy, Level

from .generate import CREDENTIAL_COLUMNS, CredentialRows, References, provider_specs
from .sources import read_sources

# changes/migrations: the trigger that writes a "created" event per new public record.
CHANGE_FEED_CREATED_TRIGGER = "changes_record_created"
# The facet cubes' delta triggers (credentials migration 0013): the load refills the cubes.
FACET_DELTA_DELETE_TRIGGER = "credentials_facet_delta_delete"
FACET_DELTA_TRIGGERS = (
    "credentials_facet_delta_insert",
    "credentials_facet_delta_update",
    FACET_DELTA_DELETE_TRIGGER,
)

DEFAULT_DATABASE = "registry_bench"
# Bumped when the generator changes, so `--reuse` never measures a stale register.
GENERATOR_VERSION = 2
STAGING_TABLE = "bench_staging"
META_TABLE = "bench_meta"
# Sessions computing documents at once: one per core of the 2-core target machine.
DEFAULT_PARALLEL = 2
# Index builds sort in memory up to this much; the default 64MB spills a 1M-row GIN build.
MAINTENANCE_WORK_MEM = "512MB"
# The server settings `make run` and compose give PostgreSQL (devstack/postgres.py TUNING)
# that a database can carry itself: the benchmark measures the production configuration
# on whatever server it is given. (shared_buffers needs a server restart, so it is not here.)
DATABASE_SETTINGS = {"jit": "off"}


class BenchDatabaseError(Exception):
    """The benchmark database cannot be used as asked."""


@dataclass
class LoadReport:
    rows: int
    copy_seconds: float
    documents_seconds: float
    index_seconds: float
    analyze_seconds: float
    cube_seconds: float = 0.0
    reused: bool = False

    @property
    def total_seconds(self) -> float:
        return (
            self.copy_seconds
            + self.documents_seconds
            + self.cube_seconds
            + self.index_seconds
            + self.analyze_seconds
        )

    def rate(self, seconds: float) -> float:
        return self.rows / seconds if seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "total_seconds": self.total_seconds,
            "copy_rows_per_second": self.rate(self.copy_seconds),
            "documents_rows_per_second": self.rate(self.documents_seconds),
            "rows_per_second": self.rate(self.total_seconds),
        }


# The database -------------------------------------------------------------------------


def bench_settings(database_url: str | None, name: str = DEFAULT_DATABASE) -> dict[str, Any]:
    """Return connection settings for the benchmark database.

    Without a URL: the working database's server, under another name, so dev data is
    never touched. The name must say "bench": the database is dropped and re-created.
    """
    current = connections["default"].settings_dict
    if database_url:
        target = environ.Env.db_url_config(database_url)
    else:
        target = {key: current[key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
        target["NAME"] = name
    if "bench" not in str(target["NAME"]):
        raise BenchDatabaseError(
            f"Refusing to use database {target['NAME']!r}: the benchmark drops and re-creates "
            "its database, so its name must contain 'bench'."
        )
    same_server = all(target.get(key) == current.get(key) for key in ("HOST", "PORT"))
    if same_server and target["NAME"] == current["NAME"]:
        raise BenchDatabaseError("The benchmark database must not be the working database.")
    return {key: target.get(key) or "" for key in ("NAME", "HOST", "PORT", "USER", "PASSWORD")}


def _maintenance_connection(target: dict[str, Any]) -> psycopg.Connection:
    return psycopg.connect(
        dbname="postgres",
        host=target["HOST"] or None,
        port=target["PORT"] or None,
        user=target["USER"] or None,
        password=target["PASSWORD"] or None,
        autocommit=True,
    )


def database_exists(target: dict[str, Any]) -> bool:
    with _maintenance_connection(target) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]])
        return found.fetchone() is not None


def recreate_database(target: dict[str, Any]) -> None:
    """Drop (disconnecting its sessions) and create the benchmark database."""
    name = sql.Identifier(target["NAME"])
    with _maintenance_connection(target) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def tune_database(target: dict[str, Any]) -> None:
    """Give the benchmark database DATABASE_SETTINGS; its sessions opened from now on use them."""
    name = sql.Identifier(target["NAME"])
    with _maintenance_connection(target) as conn:
        for setting, value in DATABASE_SETTINGS.items():
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    name, sql.Identifier(setting), sql.Literal(value)
                )
            )


def use_database(target: dict[str, Any]) -> None:
    """Point Django's default connection at `target` for the rest of this process.

    The same switch Django's test runner makes for the test database.
    """
    connections["default"].close()
    for settings_dict in (connections["default"].settings_dict, settings.DATABASES["default"]):
        settings_dict.update(target)


@contextmanager
def user_triggers_off(
    cursor: Any, tables: Sequence[str], *, keep: Iterable[tuple[str, str]] = ()
) -> Iterator[None]:
    """Run the block with the tables' own triggers off, but the (table, trigger) pairs in
    ``keep``, all in one transaction; the tables are quoted names.

    History refuses DELETE and TRUNCATE (its triggers); the benchmark connects as the owner
    of its throwaway database, who may switch them off for the moment of putting the
    register back. One transaction: a statement that fails must not leave them off.
    """
    with transaction.atomic():
        # Foreign keys are checked at commit; ALTER TABLE refuses a table with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table, trigger in keep:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        yield
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


# What is loaded -----------------------------------------------------------------------


def maintain_register() -> float:
    """Do for a reused register what production does between runs; return the seconds.

    An earlier run's sweep and imports (and their removal) leave facet-cube deltas that
    beat folds in every minute (`facet_cube_compact`), and dead rows, stale statistics and a
    GIN pending list that autovacuum clears in its own time. A second run without this read
    through all of it: text searches 5-7 times and browse counts 12 times slower.
    """
    started = time.perf_counter()
    facet_cube_compact()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def loaded_meta() -> dict[str, Any] | None:
    """Return what the current database was loaded with, or None if it is no bench load."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT n, seed, version, report FROM {META_TABLE}")
        row = cursor.fetchone()
    if row is None:
        return None
    return {"n": row[0], "seed": row[1], "version": row[2], "report": row[3]}


def _write_meta(n: int, seed: int, report: LoadReport) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE}"
            " (n integer, seed integer, version integer, report jsonb)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE}")
        cursor.execute(
            f"INSERT INTO {META_TABLE} VALUES (%s, %s, %s, %s)",
            # Django's cursor passes psycopg's own adapters through unchanged.
            [n, seed, GENERATOR_VERSION, Jsonb(report.as_dict())],  # type: ignore[list-item]
        )


def reusable_report(n: int, seed: int) -> LoadReport | None:
    """The report of an earlier load of the same register, if the database holds one."""
    meta = loaded_meta()
    if not meta or (meta["n"], meta["seed"], meta["version"]) != (n, seed, GENERATOR_VERSION):
        return None
    report = meta["report"]
    # Django's psycopg setup hands jsonb back as text; the JSON field would decode it.
    if isinstance(report, str):
        report = json.loads(report)
    fields = {key: report[key] for key in LoadReport.__dataclass_fields__}
    return LoadReport(**{**fields, "reused": True})


# The load -----------------------------------------------------------------------------


def _references() -> References:
    levels = {
        (framework, code): level_id
        for level_id, framework, code in Level.objects.values_list("id", "framework__code", "code")
    }
    areas = dict(AreaOfStudy.objects.values_list("code", "id"))
    uk_areas = tuple(
        AreaOfStudy.objects.filter(scheme="uk_ssa").order_by("code").values_list("code", flat=True)
    )
    hk_areas = tuple(
        AreaOfStudy.objects.filter(scheme="hk_programme")
        .order_by("code")
        .values_list("code", flat=True)
    )
    return References(
        providers={}, levels=levels, areas=areas, uk_areas=uk_areas, hk_areas=hk_areas
    )


def _load_providers(data_dir: Path) -> dict[str, int]:
    specs = provider_specs(read_sources(data_dir))
    Provider.objects.bulk_create(
        Provider(
            slug=spec.slug,
            name_en=spec.name_en,
            name_zh=spec.name_zh,
            short_name=spec.short_name,
            jurisdiction=spec.jurisdiction,
            provider_type=spec.provider_type,
        )
        for spec in specs
    )
    ids = dict(Provider.objects.values_list("slug", "id"))
    return {spec.key: ids[spec.slug] for spec in specs}


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """Return (name, definition) of the table's indexes that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index AS x"
            " JOIN pg_class AS i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT x.indisunique"
            " ORDER BY i.relname",
            [table],
        )
        return cursor.fetchall()


def _connect(target: dict[str, Any]) -> psycopg.Connection:
    return psycopg.connect(
        dbname=target["NAME"],
        host=target["HOST"] or None,
        port=target["PORT"] or None,
        user=target["USER"] or None,
        password=target["PASSWORD"] or None,
        autocommit=True,
    )


def _run_split(statement: sql.SQL, parts: int) -> None:
    """Run `statement` (with a `{part}` of `parts` slot) in `parts` sessions at once."""
    target = connections["default"].settings_dict
    errors: list[BaseException] = []

    def work(part: int) -> None:
        try:
            with _connect(target) as conn:
                conn.execute(statement.format(part=sql.Literal(part), parts=sql.Literal(parts)))
        except BaseException as error:  # re-raised in the calling thread below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(part,)) for part in range(parts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def bench_register_load(
    *,
    n: int,
    seed: int,
    data_dir: Path,
    today: datetime.date,
    parallel: int = DEFAULT_PARALLEL,
    say: Callable[[str], None] = lambda message: None,
) -> LoadReport:
    """Migrate the (empty) current database and load a register of `n` generated entries."""
    say("Migrating and loading reference data")
    call_command("migrate", verbosity=0)
    # Reference data comes from its own folder; data_dir holds only the benchmark's text.
    call_command("load_reference_data", verbosity=0)
    refs = _references()
    refs = References(
        providers=_load_providers(data_dir),
        levels=refs.levels,
        areas=refs.areas,
        uk_areas=refs.uk_areas,
        hk_areas=refs.hk_areas,
    )
    rows = CredentialRows(read_sources(data_dir), refs, seed=seed, today=today)
    columns = sql.SQL(", ").join(map(sql.Identifier, CREDENTIAL_COLUMNS))
    table = Credential._meta.db_table

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE {STAGING_TABLE} (LIKE {table} INCLUDING DEFAULTS)")
        say(f"COPY {n:,} rows")
        started = time.perf_counter()
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(STAGING_TABLE), columns)
        with cursor.copy(copy_sql.as_string(connection.connection)) as copy:
            for row in rows.rows(n):
                copy.write_row(row)
        copy_seconds = time.perf_counter() - started

        say(
            f"Building search documents: INSERT … SELECT in {parallel} sessions, search trigger"
            " off, no secondary indexes"
        )
        started = time.perf_counter()
        indexes = _secondary_indexes(table)
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        selected = sql.SQL(", ").join(
            sql.SQL("s.{}").format(sql.Identifier(name)) for name in CREDENTIAL_COLUMNS
        )
        insert = sql.SQL(
            "INSERT INTO {table} ({columns}, search_document)"
            " SELECT {selected}, {document} FROM {staging} AS s"
            " JOIN providers_provider AS p ON p.id = s.provider_id"
            " LEFT JOIN qualifications_areaofstudy AS a ON a.id = s.area_of_study_id"
            " WHERE s.id % {{parts}} = {{part}} ORDER BY s.id"
        ).format(
            table=sql.Identifier(table),
            columns=columns,
            selected=selected,
            document=sql.SQL(document_expression("s", "p", "a")),
            staging=sql.Identifier(STAGING_TABLE),
        )
        # A generated register is not news: the change feed's trigger (changes app) would
        # write a million "created" events, so it is off with the search trigger.
        bulk_off = (CREDENTIAL_TRIGGER_NAME, CHANGE_FEED_CREATED_TRIGGER, *FACET_DELTA_TRIGGERS)
        for trigger in bulk_off:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        try:
            # Two cores compute documents twice as fast as one; each session commits its
            # share, and foreign keys are still checked row by row.
            _run_split(sql.SQL(insert.as_string(connection.connection)), parallel)
        finally:
            for trigger in bulk_off:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        # Ids came from the generator: move the identity past them for later inserts.
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" (SELECT coalesce(max(id), 1) FROM {table}))"
        )
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")
        documents_seconds = time.perf_counter() - started

        say("Counting the facet cubes (their delta triggers were off)")
        started = time.perf_counter()
        # One INSERT … SELECT … GROUP BY per cube, instead of deltas from every load statement.
        cursor.execute("SELECT credentials_facet_cube_refill()")
        cube_seconds = time.perf_counter() - started

        say(f"Building {len(indexes)} indexes, the GIN index among them")
        started = time.perf_counter()
        cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        for _name, definition in indexes:
            cursor.execute(definition)
        index_seconds = time.perf_counter() - started

        say("VACUUM ANALYZE")
        started = time.perf_counter()
        # VACUUM also sets the visibility map, which index-only scans need.
        cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")
        analyze_seconds = time.perf_counter() - started

    report = LoadReport(
        rows=n,
        copy_seconds=copy_seconds,
        documents_seconds=documents_seconds,
        cube_seconds=cube_seconds,
        index_seconds=index_seconds,
        analyze_seconds=analyze_seconds,
    )
    _write_meta(n, seed, report)
    return report
