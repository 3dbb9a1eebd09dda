"""Judgements and decisions refuse TRUNCATE too: their triggers move to the shared
``registry_refuse_history_change()`` (credentials 0008), which also refuses TRUNCATE, and the
function 0002 installed, which could not, is dropped.
"""

from django.db import migrations

APPEND_ONLY_TABLES = ("qa_reviews_judgement", "qa_reviews_decision")

# qa_reviews 0002's function, frozen here to put it back when this migration is reversed.
OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION qa_reviews_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: record a correction that supersedes row %',
        TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _row_trigger(table: str, function: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}();"
    )


def _operations(table: str) -> list:
    drop_row = f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
    return [
        migrations.RunSQL(
            [drop_row, _row_trigger(table, "registry_refuse_history_change")],
            [drop_row, _row_trigger(table, "qa_reviews_refuse_change")],
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_history_change();",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("qa_reviews", "0004_condition_carried_or_superseded"),
        ("credentials", "0008_history_append_only"),
    ]

    operations = [
        *(operation for table in APPEND_ONLY_TABLES for operation in _operations(table)),
        migrations.RunSQL("DROP FUNCTION IF EXISTS qa_reviews_refuse_change();", OLD_FUNCTION),
    ]
