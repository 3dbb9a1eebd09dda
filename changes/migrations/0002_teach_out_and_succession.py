"""The feed learns the status vocabulary: teach-out, superseded and the succession.

- The public statuses (the triggers' arguments and WHEN clauses) gain ``teach_out`` and
  ``superseded``: records in them are public, so their changes are events.
- ``changes_credential_document(row)`` gains ``teach_out_ends_on`` (a date) and
  ``superseded_by`` (the successor's id, as ``provider`` is an id) with
  ``superseded_by_registration_number`` (the successor's number, so a mirror need not look
  it up).
- ``changes_record_event()``: a teach-out end date is validity (``validity_changed``, like
  ``valid_from``/``valid_to``). The facts a status move sets or clears in the same row
  update (``teach_out_ends_on``, the successor) go into that move's ``status_changed``
  event, so entering teach-out or superseded is one event, not two.

Function bodies are frozen text (``FROZEN_FUNCTIONS``; tests/test_history_append_only.py);
reversing re-installs migration 0001's functions and triggers.
"""

import importlib

from django.db import migrations

INITIAL = importlib.import_module("changes.migrations.0001_change_feed_and_webhooks")

PUBLIC_STATUSES = ("registered", "teach_out", "superseded", "suspended", "expired", "withdrawn")

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
    'superseded_by_registration_number',
        (SELECT s.registration_number FROM credentials_credential s
         WHERE s.id = c.superseded_by_id),
    'external_register', c.external_register,
    'external_status', c.external_status
)
"""

RECORD_EVENT = """
DECLARE
    was_public boolean := TG_OP = 'UPDATE' AND OLD.status = ANY(TG_ARGV);
    is_public boolean := NEW.status = ANY(TG_ARGV);
    status_moved boolean := TG_OP = 'UPDATE' AND OLD.status <> NEW.status;
    new_doc jsonb;
    old_doc jsonb;
    framework bigint;
    field text;
    validity_before jsonb := '{}';
    validity_after jsonb := '{}';
    content_before jsonb := '{}';
    content_after jsonb := '{}';
    status_before jsonb;
    status_after jsonb;
BEGIN
    IF NOT (was_public OR is_public) THEN
        RETURN NULL;
    END IF;
    SELECT framework_id INTO framework FROM qualifications_level WHERE id = NEW.level_id;
    new_doc := changes_credential_document(NEW);
    IF NOT was_public THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('created', NEW.id, NEW.registration_number, NEW.provider_id, framework, NULL,
                new_doc || jsonb_build_object('status', NEW.status));
        RETURN NULL;
    END IF;
    IF NOT is_public THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('removed', NEW.id, NEW.registration_number, NEW.provider_id, framework,
                jsonb_build_object('status', OLD.status),
                jsonb_build_object('status', NEW.status));
        RETURN NULL;
    END IF;
    old_doc := changes_credential_document(OLD);
    status_before := jsonb_build_object('status', OLD.status);
    status_after := jsonb_build_object('status', NEW.status);
    FOR field IN
        SELECT key FROM jsonb_each(new_doc) WHERE new_doc -> key IS DISTINCT FROM old_doc -> key
    LOOP
        IF status_moved AND field IN
            ('teach_out_ends_on', 'superseded_by', 'superseded_by_registration_number') THEN
            status_before := status_before || jsonb_build_object(field, old_doc -> field);
            status_after := status_after || jsonb_build_object(field, new_doc -> field);
        ELSIF field IN ('valid_from', 'valid_to', 'teach_out_ends_on') THEN
            validity_before := validity_before || jsonb_build_object(field, old_doc -> field);
            validity_after := validity_after || jsonb_build_object(field, new_doc -> field);
        ELSE
            content_before := content_before || jsonb_build_object(field, old_doc -> field);
            content_after := content_after || jsonb_build_object(field, new_doc -> field);
        END IF;
    END LOOP;
    IF validity_after <> '{}' THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('validity_changed', NEW.id, NEW.registration_number, NEW.provider_id, framework,
                validity_before, validity_after);
    END IF;
    IF content_after <> '{}' THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('content_changed', NEW.id, NEW.registration_number, NEW.provider_id, framework,
                content_before, content_after);
    END IF;
    IF status_moved THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('status_changed', NEW.id, NEW.registration_number, NEW.provider_id, framework,
                status_before, status_after);
    END IF;
    RETURN NULL;
END;
"""

FROZEN_FUNCTIONS = {
    "changes_credential_document": CREDENTIAL_DOCUMENT,
    "changes_record_event": RECORD_EVENT,
}


def credential_document(body: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION changes_credential_document(c credentials_credential)"
        f" RETURNS jsonb LANGUAGE sql STABLE AS $fn${body}$fn$;"
    )


def record_event(body: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION changes_record_event() RETURNS trigger LANGUAGE plpgsql "
        f"AS $fn${body}$fn$;"
    )


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
        f" WHEN (OLD.status IN ({listed}) OR NEW.status IN ({listed}))"
        f" EXECUTE FUNCTION changes_record_event({listed});"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_change_feed_and_webhooks"),
        ("credentials", "0011_merge_teach_out_and_search"),
    ]

    operations = [
        migrations.RunSQL(
            credential_document(CREDENTIAL_DOCUMENT),
            credential_document(INITIAL.CREDENTIAL_DOCUMENT),
        ),
        migrations.RunSQL(
            record_event(RECORD_EVENT),
            record_event(INITIAL.RECORD_EVENT),
        ),
        migrations.RunSQL(
            record_triggers(PUBLIC_STATUSES),
            record_triggers(INITIAL.PUBLIC_STATUSES),
        ),
    ]
