"""``changes_credential_document(row)`` looks the successor's number up only for a record
that has a successor.

Issue 13 (imports at 10,000 rows/s): the scalar subquery ran for every document, ids NULL
included, and started an index scan each time: about 5 of the 8 s the feed spent building
100k documents (two per updated row). With no successor the subquery found nothing, so
the CASE returns what it returned: documents, and so events, are unchanged.

Function bodies are frozen text (``FROZEN_FUNCTIONS``; tests/test_history_append_only.py);
reversing re-installs migration 0002's document function.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("changes.migrations.0002_teach_out_and_succession")

CREDENTIAL_DOCUMENT = PREVIOUS.CREDENTIAL_DOCUMENT.replace(
    """    'superseded_by_registration_number',
        (SELECT s.registration_number FROM credentials_credential s
         WHERE s.id = c.superseded_by_id),""",
    """    'superseded_by_registration_number', CASE WHEN c.superseded_by_id IS NOT NULL THEN
        (SELECT s.registration_number FROM credentials_credential s
         WHERE s.id = c.superseded_by_id) END,""",
)

FROZEN_FUNCTIONS = {
    "changes_credential_document": CREDENTIAL_DOCUMENT,
}


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0003_skip_updates_that_change_nothing"),
    ]

    operations = [
        migrations.RunSQL(
            PREVIOUS.credential_document(CREDENTIAL_DOCUMENT),
            PREVIOUS.credential_document(PREVIOUS.CREDENTIAL_DOCUMENT),
        ),
    ]
