"""Search: the document trigger looks both names up in one query, and an UPDATE that
changes no searched column skips it.

Issue 13 (imports at 10,000 rows/s): a re-import's UPDATE … FROM sets every column of
rows that mostly did not change, and each row paid for a document it already had. The
trigger is split: BEFORE INSERT always computes the document; BEFORE UPDATE OF the
searched columns fires only WHEN one of them is distinct, the document was cleared (a
rebuild, a rename) or the writer wrote a document of its own (never trusted: it is
recomputed). The insert trigger keeps its name, which bulk loads switch off.

The SQL is frozen here as generated from credentials.search.sql when this migration was
written; the documents do not change, so none is rebuilt.
"""

from importlib import import_module

from django.db import migrations

INSTALL_STATEMENTS = [
    r"""
CREATE OR REPLACE FUNCTION credentials_credential_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    -- One query for both names. Outer joins from a one-row relation: a provider not yet
    -- inserted (foreign keys are checked at commit) leaves its names NULL, not the document.
    NEW.search_document := (
        SELECT credentials_search_document(NEW.title_en, NEW.title_zh, NEW.registration_number, NEW.qualification_type, NEW.learning_outcomes_en, NEW.learning_outcomes_zh, provider.name_en, provider.name_zh, provider.short_name, area.name_en, area.name_zh, NEW.quality_marks)
        FROM (SELECT) AS one
        LEFT JOIN providers_provider AS provider ON provider.id = NEW.provider_id
        LEFT JOIN qualifications_areaofstudy AS area ON area.id = NEW.area_of_study_id);
    RETURN NEW;
END
$fn$;
""",
    r"""
DROP TRIGGER IF EXISTS credentials_credential_search_document ON credentials_credential;
CREATE TRIGGER credentials_credential_search_document
BEFORE INSERT ON credentials_credential
FOR EACH ROW EXECUTE FUNCTION credentials_credential_search_trigger();
DROP TRIGGER IF EXISTS credentials_credential_search_document_update ON credentials_credential;
CREATE TRIGGER credentials_credential_search_document_update
BEFORE UPDATE OF title_en, title_zh, registration_number, qualification_type, provider_id, area_of_study_id, learning_outcomes_en, learning_outcomes_zh, quality_marks, search_document ON credentials_credential
FOR EACH ROW
WHEN (NEW.search_document IS NULL OR OLD.title_en IS DISTINCT FROM NEW.title_en OR OLD.title_zh IS DISTINCT FROM NEW.title_zh OR OLD.registration_number IS DISTINCT FROM NEW.registration_number OR OLD.qualification_type IS DISTINCT FROM NEW.qualification_type OR OLD.provider_id IS DISTINCT FROM NEW.provider_id OR OLD.area_of_study_id IS DISTINCT FROM NEW.area_of_study_id OR OLD.learning_outcomes_en IS DISTINCT FROM NEW.learning_outcomes_en OR OLD.learning_outcomes_zh IS DISTINCT FROM NEW.learning_outcomes_zh OR OLD.quality_marks IS DISTINCT FROM NEW.quality_marks OR OLD.search_document IS DISTINCT FROM NEW.search_document)
EXECUTE FUNCTION credentials_credential_search_trigger();
""",
]

# Reverse: migration 0009's trigger function and single trigger.
_PREVIOUS = import_module("credentials.migrations.0009_search_marks_and_names")
REVERSE_STATEMENTS = [
    "DROP TRIGGER IF EXISTS credentials_credential_search_document_update"
    " ON credentials_credential;",
    *_PREVIOUS.INSTALL_STATEMENTS[-2:],
]


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0013_browse_facet_cube"),
    ]

    operations = [
        migrations.RunSQL(sql=INSTALL_STATEMENTS, reverse_sql=REVERSE_STATEMENTS),
    ]
