"""The application's database role cannot rewrite history; the owner runs migrations.

The suite itself connects as the owner (it creates and flushes its database). These tests
log in as the application role (``DATABASE_APP_ROLE``: DATABASE_URL's role when
MIGRATION_DATABASE_URL is set, else ``registry_app``, created here if missing) against the
same committed test database, after `migrate`'s grant step has run for it.
"""

from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from config.db_roles import KEPT_TABLES, AppRoleError, create_app_role, grant_app_role
from credentials.choices import CredentialStatus
from credentials.models import Credential, CredentialStatusChange, CredentialVersion, SearchTerm
from credentials.search.suggestions import spelling_suggestion
from qa_reviews.choices import NoticeKind
from qa_reviews.models import Decision, Judgement, SentNotice
from statements.services import status_list_entry_allocate
from status_checks.choices import CheckOutcome
from status_checks.models import AlertSent, StatusCheck
from tests.history_rows import APPEND_ONLY_TABLES, make_history

REWRITES = {
    "UPDATE": "UPDATE {table} SET id = id WHERE id = %s",
    "DELETE": "DELETE FROM {table} WHERE id = %s",
    "TRUNCATE": "TRUNCATE {table}",
}


@pytest.fixture
def app_role(committed_db) -> str:
    role = settings.DATABASE_APP_ROLE
    create_app_role(connection, role, settings.APP_ROLE_PASSWORD or None)
    grant_app_role(connection, role)
    return role


@pytest.fixture
def app_cursor(app_role):
    params = connection.get_connection_params()
    params.update(user=app_role, password=settings.APP_ROLE_PASSWORD or None, autocommit=True)
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as app_connection, app_connection.cursor() as cursor:
        yield cursor


@contextmanager
def django_connected_as(role: str):
    """Run the ORM (and every service) through the application role's login."""
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=role, PASSWORD=settings.APP_ROLE_PASSWORD)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def test_the_app_role_is_a_plain_role(app_cursor):
    app_cursor.execute(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles"
        " WHERE rolname = current_user"
    )
    assert app_cursor.fetchone() == (False, False, False, False)


@pytest.mark.parametrize("operation", sorted(REWRITES))
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_app_role_cannot_rewrite_history(app_cursor, table, operation):
    rows = make_history()
    params = [] if operation == "TRUNCATE" else [rows[table]]

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
        app_cursor.execute(REWRITES[operation].format(table=table), params)

    app_cursor.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [rows[table]])
    assert app_cursor.fetchone() == (1,)


@pytest.mark.parametrize("operation", ["DELETE", "TRUNCATE"])
@pytest.mark.parametrize("table", KEPT_TABLES)
def test_the_app_role_cannot_delete_kept_records(app_cursor, table, operation):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
        app_cursor.execute(REWRITES[operation].format(table=table), [0][: operation != "TRUNCATE"])


def test_the_app_role_appends_history_and_updates_current_state(app_cursor):
    rows = make_history()

    app_cursor.execute(
        "INSERT INTO credentials_credentialstatuschange"
        " (credential_id, from_status, to_status, changed_at, source, reason)"
        " VALUES (%s, 'submitted', 'under_review', now(), 'manual', 'raw insert') RETURNING id",
        [rows["credential"]],
    )
    assert app_cursor.fetchone()[0] > rows["credentials_credentialstatuschange"]
    app_cursor.execute(
        "UPDATE credentials_credential SET summary_en = 'updated' WHERE id = %s",
        [rows["credential"]],
    )
    assert app_cursor.rowcount == 1
    for table in APPEND_ONLY_TABLES:
        app_cursor.execute(f"SELECT count(*) FROM {table}")
        assert app_cursor.fetchone()[0] >= 1


def test_the_app_role_marks_notices_and_alerts_sent_once(app_role):
    rows = make_history()
    decision_id = rows["qa_reviews_decision"]
    with django_connected_as(app_role):
        check = StatusCheck.objects.create(
            credential_id=rows["credential"],
            source="local rules",
            outcome=CheckOutcome.ALERT,
            previous_status=CredentialStatus.REGISTERED,
            new_status=CredentialStatus.REGISTERED,
        )
        assert SentNotice.objects.claim(NoticeKind.CONDITION_DUE, [decision_id]) == {decision_id}
        assert SentNotice.objects.claim(NoticeKind.CONDITION_DUE, [decision_id]) == set()
        assert AlertSent.objects.claim([check.pk]) == {check.pk}
        assert AlertSent.objects.claim([check.pk, rows["credentials_statuscheck"]]) == set()


def test_the_register_is_loaded_and_swept_as_the_app_role(app_role):
    """The demo register goes through every write path (imports, reviews, decisions,
    versions, status changes); a sweep records checks. All of it needs no UPDATE or DELETE
    on history."""
    with django_connected_as(app_role):
        call_command("seed_demo", verbosity=0)
        call_command("check_status", "--all", verbosity=0)
        # A registry statement's status list index is allocated on its first issue.
        registered = Credential.objects.filter(status=CredentialStatus.REGISTERED).first()
        assert status_list_entry_allocate(credential=registered).index
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app_role,)
        counts = [
            model.objects.count()
            for model in (CredentialVersion, CredentialStatusChange, Judgement, Decision)
        ]
        checks = StatusCheck.objects.count()
        # seed_demo rebuilt the "did you mean" vocabulary; suggestions read it with pg_trgm.
        assert SearchTerm.objects.exists()
        word = SearchTerm.objects.filter(word__regex=r"^[a-z]{6,}$").order_by("-frequency")[0]
        assert spelling_suggestion(word.word[:-1] + "q") == word.word
    assert all(counts), counts
    assert checks


def test_migrate_runs_as_the_owner_and_restores_the_grants(app_role, app_cursor, settings):
    owner = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD", "HOST", "PORT")}
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE SELECT ON providers_provider FROM {app_role}")
    settings.MIGRATION_DATABASE = owner
    settings.DATABASE_APP_ROLE = app_role

    with django_connected_as(app_role):
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app_role,)

    app_cursor.execute("SELECT count(*) FROM providers_provider")
    assert app_cursor.fetchone()[0] >= 0


def test_the_owner_itself_is_refused_as_the_app_role(committed_db):
    """A role that is (or includes) the owner could rewrite history whatever the grants."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()

    with pytest.raises(AppRoleError, match="no privilege can stop it"):
        grant_app_role(connection, owner)
