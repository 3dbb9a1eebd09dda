"""The feed's update trigger is not queued for a row an UPDATE left exactly as it was.

Issue 13 (imports at 10,000 rows/s): a re-import's UPDATE … FROM sets every column of
rows that mostly did not change, and each such row queued a deferred event that, at
commit, built two documents only to find nothing to report. ``OLD IS DISTINCT FROM NEW``
compares the whole rows, so a column added later is compared too, and it is checked
when the row is written, so an unchanged row costs no trigger call at all. A row that
did change is handled by ``changes_record_event()`` exactly as before (migration 0002).

Reversing re-creates migration 0002's triggers.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("changes.migrations.0002_teach_out_and_succession")

PUBLIC_STATUSES = PREVIOUS.PUBLIC_STATUSES


def record_triggers(statuses: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{status}'" for status in statuses)
    return (
        "DROP TRIGGER IF EXISTS changes_record_created ON credentials_credential;"
        " DROP TRIGGER IF EXISTS changes_record_changed ON credentials_credential;"
        " CREATE CONSTRAINT TRIGGER changes_record_created AFTER INSERT ON credentials_credential"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        f" WHEN (NEW.status IN ({listed}))"
        f" EXECUTE FUNCTION changes_record_event({listed});"
        " CREATE CONSTRAINT TRIGGER changes_record_changed AFTER UPDATE ON credentials_credential"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        f" WHEN ((OLD.status IN ({listed}) OR NEW.status IN ({listed}))"
        " AND OLD IS DISTINCT FROM NEW)"
        f" EXECUTE FUNCTION changes_record_event({listed});"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0002_teach_out_and_succession"),
    ]

    operations = [
        migrations.RunSQL(
            record_triggers(PUBLIC_STATUSES),
            PREVIOUS.record_triggers(PREVIOUS.PUBLIC_STATUSES),
        ),
    ]
