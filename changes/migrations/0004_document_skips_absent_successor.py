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

CREDENTIAL_DOCUMENT = """
SELECT jsonb_build_object(
    'registration_number', c.registration_number,
    'kind', c.kind,
    'title_en', c.title_en,
    'title_zh', c.title_zh,
    'qualification_type', c.qualification_type,
    'provider', c.provider_id,
    'awarding_body', c.awarding_body_id,
    'level', c.level_id,
    'area_of_study', c.area_of_study_id,
    'credits', c.credits::text,
    'ects_credits', c.ects_credits::text,
    'notional_hours', c.notional_hours,
    'guided_learning_hours', c.guided_learning_hours,
    'summary_en', c.summary_en,
    'summary_zh', c.summary_zh,
    'learning_outcomes_en', c.learning_outcomes_en,
    'learning_outcomes_zh', c.learning_outcomes_zh,
    'assessment_type', c.assessment_type,
    'supervision', c.supervision,
    'mode_of_delivery', c.mode_of_delivery,
    'quality_assurance_type', c.quality_assurance_type,
    'prerequisites', c.prerequisites,
    'languages', c.languages,
    'stackable', c.stackable,
    'further_information_url', c.further_information_url,
    'fee', c.fee::text,
    'fee_currency', c.fee_currency,
    'quality_marks', c.quality_marks,
    'valid_from', c.valid_from,
    'valid_to', c.valid_to,
    'teach_out_ends_on', c.teach_out_ends_on,
    'superseded_by', c.superseded_by_id,
    'superseded_by_registration_number', CASE WHEN c.superseded_by_id IS NOT NULL THEN
        (SELECT s.registration_number FROM credentials_credential s
         WHERE s.id = c.superseded_by_id) END,
    'external_register', c.external_register,
    'external_status', c.external_status
)
"""

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
