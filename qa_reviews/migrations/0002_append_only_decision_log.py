"""Refuse UPDATE and DELETE on judgements and decisions in the database itself.

The QA record must survive any code path, including raw SQL and future bugs: a
correction is a new row whose ``supersedes`` points at the old one.
"""

from django.db import migrations

APPEND_ONLY_TABLES = ("qa_reviews_judgement", "qa_reviews_decision")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION qa_reviews_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: record a correction that supersedes row %',
        TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

DROP_FUNCTION = "DROP FUNCTION IF EXISTS qa_reviews_refuse_change();"


def _create_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION qa_reviews_refuse_change();"
    )


def _drop_trigger(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"


class Migration(migrations.Migration):
    dependencies = [("qa_reviews", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION),
        *(
            migrations.RunSQL(_create_trigger(table), _drop_trigger(table))
            for table in APPEND_ONLY_TABLES
        ),
    ]
