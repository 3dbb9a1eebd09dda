"""The register's own vocabulary, rebuilt on a schedule, for "did you mean" suggestions.

Words come from what a learner searches for on current registered entries: English words
(lower-cased runs of 3-40 Latin letters) of titles, qualification types, provider and area
names, and the Chinese character pairs of titles and provider names as the search document
holds them (folded to Traditional), so a suggestion uses the register's spelling.

Kept current by one set-based statement (`search_vocabulary_refresh`), run by Celery beat
every `SEARCH_VOCABULARY_REFRESH_SECONDS` (hourly) and by `manage.py refresh_search_vocabulary`,
rather than by the credential trigger: a trigger would have to subtract an edited record's
old words and add its new ones on every write, with every import contending for the rows of
common words ("certificate"), while a suggestion that misses an hour-old word costs little.
The statement reads the current entries once and writes only the words whose frequency
changed: about 7 s at 100,000 entries on the loaded 2-core machine (docs/search.md), so about
a minute of one core per hour at a million.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from ..choices import CredentialStatus
from .cjk import CJK_CLASS_SQL

# One refresh at a time: a second beat, or a manual run during a scheduled one, waits for
# nothing and returns (pg_try_advisory_xact_lock); any 64-bit key unique to this job will do.
_REFRESH_LOCK = 0x7365617263685F76  # "search_v"

# The words of the current entries, one row per (entry, word), grouped into frequencies;
# the DELETE drops words no current entry uses any more. The two modify disjoint rows.
# Chinese pairs are read from the stored search document (its title and provider parts,
# weights A and B), already folded: folding the text again cost three times as much.
_REFRESH_SQL = f"""
WITH current_entries AS (
    SELECT c.id, c.title_en, c.qualification_type, c.search_document,
           p.name_en AS provider_en, a.name_en AS area_en
    FROM credentials_credential AS c
    JOIN providers_provider AS p ON p.id = c.provider_id
    LEFT JOIN qualifications_areaofstudy AS a ON a.id = c.area_of_study_id
    WHERE c.status = %(registered)s AND c.valid_from <= %(today)s
      AND coalesce(c.valid_to, 'infinity'::date) >= %(today)s
),
entry_words AS (
    SELECT DISTINCT e.id, english AS word
    FROM current_entries AS e,
        regexp_split_to_table(
            lower(concat_ws(' ', e.title_en, e.qualification_type, e.provider_en, e.area_en)),
            '[^a-z]+') AS english
    WHERE length(english) BETWEEN 3 AND 40
    UNION ALL
    SELECT e.id, pair.lexeme
    FROM current_entries AS e, unnest(e.search_document) AS pair
    WHERE char_length(pair.lexeme) = 2 AND pair.lexeme ~ '^{CJK_CLASS_SQL}{{2}}$'
      AND pair.weights && '{{A,B}}'::text[]
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
