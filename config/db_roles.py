"""The application's database role: it may add history but never rewrite it.

Two roles share the database. The owner (``MIGRATION_DATABASE_URL``) owns every table and
runs migrations; the application role (``DATABASE_URL``, named by ``DATABASE_APP_ROLE``)
gets only the privileges below, re-granted after every ``migrate``:

- append-only history (every table whose rows the trigger function
  ``registry_refuse_history_change`` guards: credential versions and status changes, status
  checks, QA judgements, decisions and condition events, change events, webhook attempts):
  SELECT and INSERT only;
- kept records (register entries and the records of work that history points at): SELECT,
  INSERT and UPDATE, never DELETE;
- every other table (current state: pathways, memberships, tokens, sessions, ...): SELECT,
  INSERT, UPDATE and DELETE. No table gets TRUNCATE, REFERENCES or TRIGGER.

Tables later migrations create get the current-state default, then their class here.
"""

from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

# What MIGRATION_DATABASE_URL replaces in a connection's settings: the database stays.
OWNER_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")

# Current state that is kept for good: updated in place, never deleted (decision record 0001).
KEPT_TABLES = (
    "credentials_credential",
    "credentials_accreditationrecord",
    "credentials_changerequest",
    "credentials_importjob",
    "credentials_statussweep",
    "qa_reviews_review",
    "qa_reviews_condition",
    "changes_webhooksubscription",
    "changes_webhookdelivery",
)

APPEND_ONLY_QUERY = """
SELECT DISTINCT c.relname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE p.proname = 'registry_refuse_history_change'
  AND c.relnamespace = current_schema()::regnamespace
ORDER BY c.relname
"""


def as_owner(settings_dict: dict[str, Any]) -> dict[str, Any]:
    """Return ``settings_dict`` logged in as the owner when MIGRATION_DATABASE_URL is set."""
    owner = settings.MIGRATION_DATABASE
    if not owner:
        return dict(settings_dict)
    return {**settings_dict, **{key: owner.get(key) for key in OWNER_CREDENTIALS}}


class AppRoleError(Exception):
    """The application role is missing or could bypass the privileges meant to bind it."""


def append_only_tables(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the tables whose rows the history trigger guards."""
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_QUERY)
        return [name for (name,) in cursor.fetchall()]


def role_exists(connection: BaseDatabaseWrapper, role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def create_app_role(connection: BaseDatabaseWrapper, role: str, password: str | None) -> bool:
    """Create ``role`` as a plain login role unless it exists; return True if created."""
    if role_exists(connection, role):
        return False
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            + (" PASSWORD %s" if password else ""),
            [password] if password else None,
        )
    return True


def _check_role(connection: BaseDatabaseWrapper, role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, pg_has_role(%s, current_user, 'USAGE')"
            " FROM pg_roles WHERE rolname = %s",
            [role, role],
        )
        row = cursor.fetchone()
    if row is None:
        raise AppRoleError(
            f"database role {role!r} (DATABASE_APP_ROLE) does not exist: create it as a plain "
            "login role (`manage.py ensure_app_role`, or CREATE ROLE ... LOGIN NOSUPERUSER)"
        )
    superuser, bypass_rls, shares_owner = row
    if superuser or bypass_rls or shares_owner:
        raise AppRoleError(
            f"database role {role!r} is a superuser, bypasses row security or is a member of "
            "the owner role: no privilege can stop it rewriting history. Use a plain login role."
        )


def grant_app_role(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """Give ``role`` exactly the privileges above on the connection's schema; return the SQL.

    Runs as the owner, after migrations. Idempotent: it re-states every grant.
    """
    _check_role(connection, role)
    quote = connection.ops.quote_name
    grantee = quote(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema_name,) = cursor.fetchone()
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename = ANY(%s)",
            [list(KEPT_TABLES)],
        )
        kept = [name for (name,) in cursor.fetchall()]
    schema = quote(schema_name)
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {grantee}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
        *(
            f"REVOKE UPDATE, DELETE ON {quote(t)} FROM {grantee}"
            for t in append_only_tables(connection)
        ),
        *(f"REVOKE DELETE ON {quote(t)} FROM {grantee}" for t in kept),
        # Tables and sequences the owner creates later start as current state.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" GRANT USAGE, SELECT ON SEQUENCES TO {grantee}",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements


def grant_configured_app_role(connection: BaseDatabaseWrapper) -> str:
    """Grant DATABASE_APP_ROLE its privileges if it is a role of its own; say what was done.

    Run as the owner after anything that (re)creates tables: ``migrate``, ``restore``.
    """
    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (current,) = cursor.fetchone()
    if not role or role == current:
        return (
            f"One database role ({current}) runs the application and its migrations: "
            "history is guarded by triggers only (set MIGRATION_DATABASE_URL)."
        )
    if not settings.MIGRATION_DATABASE and not role_exists(connection, role):
        # DATABASE_APP_ROLE's default in the test settings, on a server without it.
        return f"Database role {role} does not exist: no grants made."
    grant_app_role(connection, role)
    return f"Granted {role}: history SELECT/INSERT, kept records no DELETE, the rest DML."
