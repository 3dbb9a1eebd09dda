"""The register's own vocabulary, rebuilt on a schedule, for "did you mean" suggestions.

Words come from what a learner searches for on current registered entries: titles,
qualification types, provider and area names. English words are lower-cased runs of Latin
letters (3-40 of them); Chinese text gives its character pairs, folded to Traditional by the
search document's own SQL function, so a suggestion uses the register's spelling.

Kept current by one set-based statement (`search_vocabulary_refresh`), run by Celery beat
every `SEARCH_VOCABULARY_REFRESH_SECONDS` (hourly) and by `manage.py refresh_search_vocabulary`,
rather than by the credential trigger: a trigger would have to subtract an edited record's
old words and add its new ones on every write, with every import contending for the rows of
common words ("certificate"), while a suggestion that misses an hour-old word costs little.
At a million entries the statement reads the register once (about the cost of one browse
count) and writes only the words whose frequency changed.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from ..choices import CredentialStatus

# One refresh at a time: a second beat, or a manual run during a scheduled one, waits for
# nothing and returns (pg_try_advisory_xact_lock); any 64-bit key unique to this job will do.
_REFRESH_LOCK = 0x7365617263685F76  # "search_v"

# The words of the current entries, one row per (entry, word), grouped into frequencies;
# the DELETE drops words no current entry uses any more. The two modify disjoint rows.
_REFRESH_SQL = """
WITH current_entries AS (
    SELECT c.id, c.title_en, c.title_zh, c.qualification_type,
           p.name_en AS provider_en, p.name_zh AS provider_zh,
           a.name_en AS area_en, a.name_zh AS area_zh
    FROM credentials_credential AS c
    JOIN providers_provider AS p ON p.id = c.provider_id
    LEFT JOIN qualifications_areaofstudy AS a ON a.id = c.area_of_study_id
    WHERE c.status = %(registered)s AND c.valid_from <= %(today)s
      AND coalesce(c.valid_to, 'infinity'::date) >= %(today)s
),
entry_words AS (
    SELECT DISTINCT e.id, w.word
    FROM current_entries AS e
    CROSS JOIN LATERAL (
        SELECT english AS word FROM regexp_split_to_table(
            lower(concat_ws(' ', e.title_en, e.qualification_type, e.provider_en, e.area_en)),
            '[^a-z]+') AS english
        WHERE length(english) BETWEEN 3 AND 40
        UNION ALL
        SELECT pair FROM regexp_split_to_table(
            coalesce(credentials_search_cjk_terms(
                concat_ws(' ', e.title_zh, e.provider_zh, e.area_zh)), ''), ' ') AS pair
        WHERE char_length(pair) = 2
    ) AS w
),
fresh AS (
    SELECT word, count(*) AS frequency FROM entry_words GROUP BY word
),
gone AS (
    DELETE FROM credentials_searchterm AS t
    WHERE NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.word = t.word)
)
INSERT INTO credentials_searchterm (word, frequency)
SELECT word, frequency FROM fresh
ON CONFLICT (word) DO UPDATE SET frequency = EXCLUDED.frequency
WHERE credentials_searchterm.frequency <> EXCLUDED.frequency
"""


def search_vocabulary_refresh(*, today: datetime.date | None = None) -> bool:
    """Rebuild the vocabulary from the entries current on `today`; False when another
    refresh holds the lock (it is doing the same work)."""
    today = today or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(_REFRESH_SQL, {"registered": CredentialStatus.REGISTERED, "today": today})
    return True
