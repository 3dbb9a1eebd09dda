"""History is append-only in PostgreSQL for every role, the owner included, and no delete
cascades into it; the trigger functions the database runs are the migrations' frozen text."""

import hashlib
import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import ProtectedError

from credentials.models import ChangeRequest, Credential
from qa_reviews.models import ConditionEvent
from tests.factories import UserFactory
from tests.history_rows import APPEND_ONLY_TABLES, make_history

pytestmark = pytest.mark.django_db

REWRITES = {
    "UPDATE": "UPDATE {table} SET id = id WHERE id = %s",
    "DELETE": "DELETE FROM {table} WHERE id = %s",
    "TRUNCATE": "TRUNCATE {table} CASCADE",
}

# sha256 of each migration's FROZEN_FUNCTIONS as it was committed. A migration's frozen SQL
# is never edited: a change to a function is a new migration with its own FROZEN_FUNCTIONS.
FROZEN_DIGESTS = {
    ("credentials", "0008_history_append_only"): (
        "39c4065dae8050f5503aaae5687ceb7c2f8c21563773af241b7aaf1ca1beccb8"
    ),
    ("credentials", "0009_teach_out_and_succession"): (
        "adc2ca93124ffae0b12332e17da6ad6b41dd2f2f0a4c1db1b3599cf4816f8001"
    ),
    ("changes", "0001_change_feed_and_webhooks"): (
        "57f7451f7a1f96e33ce504e984a3cb5ce1995ea74da96b4209fd466928096164"
    ),
    ("changes", "0002_teach_out_and_succession"): (
        "4cf6e12ac497d49d8d5382f0d8d0aff085e0056a94e5adc22af5c31468d60d51"
    ),
    ("changes", "0004_document_skips_absent_successor"): (
        "b6e985f4473dddfe8e81512f45ae2612ec809f4b19000bb924b4972e6feb7cb0"
    ),
}


def _execute(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # Run the test's deferred foreign-key checks now: TRUNCATE refuses to wait for them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


@pytest.mark.parametrize("operation", sorted(REWRITES))
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_owner_cannot_rewrite_history_either(table, operation):
    rows = make_history()
    sql = REWRITES[operation].format(table=table)
    params = [] if operation == "TRUNCATE" else [rows[table]]

    with pytest.raises(IntegrityError, match=f"{table} is append-only: {operation}"):
        _execute(sql, params)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [rows[table]])
        assert cursor.fetchone() == (1,)


def test_every_table_with_a_history_trigger_is_listed_as_history():
    """A new append-only table is added to APPEND_ONLY_TABLES, so every test here covers it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgfoid = 'registry_refuse_history_change'::regproc"
        )
        guarded = {name for (name,) in cursor.fetchall()}
    assert guarded == set(APPEND_ONLY_TABLES)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE credentials_changerequest SET decision_note = 'x' WHERE id = %s", "is decided"),
        ("DELETE FROM credentials_changerequest WHERE id = %s", "DELETE of row"),
        ("TRUNCATE credentials_changerequest", "TRUNCATE refused"),
    ],
)
def test_a_decided_change_request_is_final(statement, message):
    rows = make_history()
    params = [rows["credentials_changerequest"]] if "%s" in statement else []

    with pytest.raises(IntegrityError, match=message):
        _execute(statement, params)

    decided = ChangeRequest.objects.get(pk=rows["credentials_changerequest"])
    assert decided.decision_note == ""


def test_a_pending_change_request_can_still_be_decided():
    rows = make_history()
    credential = Credential.objects.get(pk=rows["credential"])
    pending = ChangeRequest.objects.create(credential=credential, changes={"title_en": ["a", "b"]})

    _execute(
        "UPDATE credentials_changerequest SET state = 'rejected', decided_at = now(),"
        " decided_by_id = %s WHERE id = %s",
        [UserFactory().pk, pending.pk],
    )

    pending.refresh_from_db()
    assert pending.state == "rejected"


def test_deleting_a_credential_with_history_is_refused():
    rows = make_history()
    credential = Credential.objects.get(pk=rows["credential"])

    with pytest.raises(ProtectedError), transaction.atomic():
        credential.delete()

    assert Credential.objects.filter(pk=credential.pk).exists()
    assert credential.versions.count() == 1
    assert credential.status_changes.count() == 1
    assert credential.status_checks.count() == 1


def test_deleting_a_user_who_made_history_is_refused():
    rows = make_history()
    actor = Credential.objects.get(pk=rows["credential"]).versions.get().actor

    with pytest.raises(ProtectedError), transaction.atomic():
        actor.delete()


def _frozen_functions_in_migration_order() -> list[tuple[tuple[str, str], dict[str, str]]]:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan = loader.graph.forwards_plan(loader.graph.leaf_nodes()[0])
    for leaf in loader.graph.leaf_nodes()[1:]:
        plan += [node for node in loader.graph.forwards_plan(leaf) if node not in plan]
    found = []
    for app_label, name in plan:
        module = importlib.import_module(loader.graph.nodes[(app_label, name)].__module__)
        if hasattr(module, "FROZEN_FUNCTIONS"):
            found.append(((app_label, name), module.FROZEN_FUNCTIONS))
    return found


def _digest(functions: dict[str, str]) -> str:
    text = "\n".join(f"{name}\n{body}" for name, body in sorted(functions.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def test_installed_trigger_functions_are_the_latest_frozen_sql():
    latest: dict[str, str] = {}
    for _, functions in _frozen_functions_in_migration_order():
        latest.update(functions)
    assert latest, "no migration declares FROZEN_FUNCTIONS"

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s)", [list(latest)]
        )
        installed = dict(cursor.fetchall())

    assert installed == latest


def test_frozen_sql_in_a_migration_is_never_edited():
    digests = {key: _digest(functions) for key, functions in _frozen_functions_in_migration_order()}
    assert digests == FROZEN_DIGESTS, (
        "a migration's FROZEN_FUNCTIONS changed or appeared: never edit one that was committed;"
        " add a new migration and record its digest here"
    )


def test_deleting_a_condition_with_events_is_refused():
    rows = make_history()
    event = ConditionEvent.objects.get(pk=rows["qa_reviews_conditionevent"])

    with pytest.raises(ProtectedError), transaction.atomic():
        event.condition.delete()

    assert ConditionEvent.objects.filter(pk=event.pk).exists()
