"""Search: quality marks and qualification names become words of the search document.

Installs `credentials_search_names` (a canonical word for names made of stop words, such as
"A level" → alevel, and the parts of slash-joined names such as "HNC/HND"),
`credentials_search_marks` (each quality mark's words in English and Chinese), the document
function with its new `quality_marks` argument (dropping the old signature), the trigger
function, and the trigger, which now also fires when quality marks change.

The SQL is frozen here as generated from credentials.search.sql and names.py when this
migration was written. Only rows whose document changes are rebuilt, in one UPDATE: those
with quality marks, or with a name or a slash-joined word in the title or qualification
type. Every other document is exactly what the new function computes already.
"""

from importlib import import_module

from django.db import migrations

INSTALL_STATEMENTS = [
    r"""
CREATE OR REPLACE FUNCTION credentials_search_names(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
SELECT concat_ws(' ', CASE WHEN t ~* '\ma[- ]?levels?\M(?![ ]*[0-9])' THEN 'alevel' END, CASE WHEN t ~* '\mas[- ]?levels?\M(?![ ]*[0-9])' THEN 'aslevel' END,
    CASE WHEN t ~ '[[:alpha:]]/[[:alpha:]]' THEN (
        SELECT string_agg(translate(m[1], '/', ' '), ' ')
        FROM regexp_matches(t, '([[:alpha:]][[:alnum:]]*(?:/[[:alpha:]][[:alnum:]]*)+)', 'g')
            AS m
    ) END)
$fn$;
""",
    r"""
CREATE OR REPLACE FUNCTION credentials_search_marks(marks text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
SELECT string_agg(coalesce('{"advanced_learner_loan": "Advanced Learner Loan 高級學員貸款", "cef": "CEF reimbursable Continuing Education Fund 可獲持續進修基金發還 持續進修基金", "dfe_funded": "Approved for DfE funding DfE funded 獲英國教育部資助", "htq": "HTQ Higher Technical Qualification 高等技術資歷"}'::jsonb ->> m, m), ' ') FROM unnest(marks) AS m
$fn$;
""",
    r"""
CREATE OR REPLACE FUNCTION credentials_search_document(
    title_en text, title_zh text, registration_number text, qualification_type text,
    outcomes_en text[], outcomes_zh text[],
    provider_en text, provider_zh text, provider_short text, area_en text, area_zh text,
    quality_marks text[]
) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
    RETURN credentials_search_part(
            concat_ws(' ', title_en, title_zh, credentials_search_names(title_en)), 'A')
        || credentials_search_part(
            concat_ws(' ', provider_en, provider_zh, provider_short, registration_number), 'B')
        || credentials_search_part(concat_ws(' ', qualification_type,
            credentials_search_names(qualification_type),
            array_to_string(outcomes_en, ' '), array_to_string(outcomes_zh, ' '),
            area_en, area_zh, credentials_search_marks(quality_marks)), 'C');
END
$fn$;
-- The signature before quality marks joined the document.
DROP FUNCTION IF EXISTS credentials_search_document(
    text, text, text, text, text[], text[], text, text, text, text, text);
""",
    r"""
CREATE OR REPLACE FUNCTION credentials_credential_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    provider record;
    area record;
BEGIN
    SELECT p.name_en, p.name_zh, p.short_name INTO provider
    FROM providers_provider AS p WHERE p.id = NEW.provider_id;
    SELECT a.name_en, a.name_zh INTO area
    FROM qualifications_areaofstudy AS a WHERE a.id = NEW.area_of_study_id;
    NEW.search_document := credentials_search_document(NEW.title_en, NEW.title_zh, NEW.registration_number, NEW.qualification_type, NEW.learning_outcomes_en, NEW.learning_outcomes_zh, provider.name_en, provider.name_zh, provider.short_name, area.name_en, area.name_zh, NEW.quality_marks);
    RETURN NEW;
END
$fn$;
""",
    r"""
DROP TRIGGER IF EXISTS credentials_credential_search_document ON credentials_credential;
CREATE TRIGGER credentials_credential_search_document
BEFORE INSERT OR UPDATE OF title_en, title_zh, registration_number, qualification_type, provider_id, area_of_study_id, learning_outcomes_en, learning_outcomes_zh, quality_marks, search_document ON credentials_credential
FOR EACH ROW EXECUTE FUNCTION credentials_credential_search_trigger();
""",
]

REBUILD_CHANGED = """
UPDATE credentials_credential SET search_document = NULL
WHERE cardinality(quality_marks) > 0
   OR credentials_search_names(title_en) <> ''
   OR credentials_search_names(qualification_type) <> ''
"""

# Reverse: the 0003 document function, trigger function and trigger, then the same rows
# rebuilt without the added words, then the new functions dropped.
_PREVIOUS = import_module("credentials.migrations.0003_search_document_trigger")
REVERSE_STATEMENTS = [
    *_PREVIOUS.INSTALL_STATEMENTS[3:6],
    REBUILD_CHANGED,
    """
DROP FUNCTION IF EXISTS credentials_search_document(
    text, text, text, text, text[], text[], text, text, text, text, text, text[]);
DROP FUNCTION IF EXISTS credentials_search_marks(text[]);
DROP FUNCTION IF EXISTS credentials_search_names(text);
""",
]


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0008_history_append_only"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[*INSTALL_STATEMENTS, REBUILD_CHANGED],
            reverse_sql=REVERSE_STATEMENTS,
        ),
    ]
