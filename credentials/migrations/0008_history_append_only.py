"""History is append-only in the database, TRUNCATE included, and never cascades away.

- ``registry_refuse_history_change()`` refuses UPDATE, DELETE (row triggers) and TRUNCATE
  (statement triggers) on the append-only tables: credential versions and status changes
  here, status checks (status_checks 0002), QA judgements and decisions (qa_reviews 0004).
  The owner role meets the triggers too; only ``ALTER TABLE ... DISABLE TRIGGER``, a
  deliberate act of the owner, gets past them.
- ``credentials_changerequest_refuse_rewrite()``: a decided change request is final (no
  UPDATE once it left ``pending``), and no change request is deleted or truncated.
- Foreign keys from history to a credential, and to the users who acted, PROTECT: deleting
  a credential or a user with history is refused instead of erasing that history.

The function bodies are frozen text (``FROZEN_FUNCTIONS``): a change is a new migration with
its own ``FROZEN_FUNCTIONS``, and tests/test_history_roles.py checks that the functions the
database runs are the latest frozen ones.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


REFUSE_HISTORY_CHANGE = """
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'History is never removed; only its owner can disable this trigger.';
    END IF;
    RAISE EXCEPTION '% is append-only: % of row % refused', TG_TABLE_NAME, TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Record a correction as a new row instead.';
END;
"""

REFUSE_CHANGE_REQUEST_REWRITE = """
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '% keeps every request: TRUNCATE refused', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% keeps every request: DELETE of row % refused', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Reject the request instead.';
    END IF;
    IF OLD.state <> 'pending' THEN
        RAISE EXCEPTION '% row % is decided (%): a decision is final', TG_TABLE_NAME, OLD.id,
            OLD.state
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Ask for a new change instead.';
    END IF;
    RETURN NEW;
END;
"""

FROZEN_FUNCTIONS = {
    "registry_refuse_history_change": REFUSE_HISTORY_CHANGE,
    "credentials_changerequest_refuse_rewrite": REFUSE_CHANGE_REQUEST_REWRITE,
}

APPEND_ONLY_TABLES = ("credentials_credentialversion", "credentials_credentialstatuschange")


def create_function(name: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $fn${FROZEN_FUNCTIONS[name]}$fn$;"
    )


def append_only_triggers(
    table: str, function: str = "registry_refuse_history_change", row_trigger: str = "append_only"
) -> list:
    """UPDATE/DELETE refused row by row (the message names the row), TRUNCATE per statement."""
    return [
        migrations.RunSQL(
            f"CREATE TRIGGER {table}_{row_trigger} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}();",
            f"DROP TRIGGER IF EXISTS {table}_{row_trigger} ON {table};",
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        ),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0007_import_jobs_leave'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='accreditationrecord',
            name='credential',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='accreditations', to='credentials.credential', verbose_name='credential'),
        ),
        migrations.AlterField(
            model_name='changerequest',
            name='credential',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='change_requests', to='credentials.credential', verbose_name='credential'),
        ),
        migrations.AlterField(
            model_name='changerequest',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AlterField(
            model_name='changerequest',
            name='requested_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by'),
        ),
        migrations.AlterField(
            model_name='credentialstatuschange',
            name='changed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
        migrations.AlterField(
            model_name='credentialstatuschange',
            name='credential',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='status_changes', to='credentials.credential', verbose_name='credential'),
        ),
        migrations.AlterField(
            model_name='credentialversion',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
        migrations.AlterField(
            model_name='credentialversion',
            name='credential',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='credentials.credential', verbose_name='credential'),
        ),
        migrations.RunSQL(
            create_function("registry_refuse_history_change"),
            "DROP FUNCTION IF EXISTS registry_refuse_history_change();",
        ),
        migrations.RunSQL(
            create_function("credentials_changerequest_refuse_rewrite"),
            "DROP FUNCTION IF EXISTS credentials_changerequest_refuse_rewrite();",
        ),
        *(operation for table in APPEND_ONLY_TABLES for operation in append_only_triggers(table)),
        *append_only_triggers(
            "credentials_changerequest",
            "credentials_changerequest_refuse_rewrite",
            row_trigger="decided_final",
        ),
    ]
