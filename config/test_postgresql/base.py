"""PostgreSQL for the test suite only: a flush may empty the append-only history tables.

History tables refuse TRUNCATE by trigger, for every role. Between transactional tests the
suite empties the test database, so its flush disables those triggers inside the flush's own
transaction and enables them again before it commits: the owner's deliberate bypass
(``ALTER TABLE ... DISABLE TRIGGER`` needs the table's owner), never in production settings.
"""

from django.db.backends.postgresql import operations

from config.postgresql import base

# The trigger functions that refuse TRUNCATE (credentials 0008). Chosen by function, not by
# trigger name: any other TRUNCATE trigger stays on, such as the one that empties the facet
# cubes (credentials 0013) with the entries, which are no model's tables and would otherwise
# go on counting entries the flush removed; a new refusing function fails the flush loudly.
REFUSING_FUNCTIONS = ["registry_refuse_history_change", "credentials_changerequest_refuse_rewrite"]

TRUNCATE_TRIGGERS = """
SELECT c.relname, t.tgname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND t.tgtype & 32 = 32 AND c.relname = ANY(%s)
AND p.proname = ANY(%s)
ORDER BY c.relname, t.tgname
"""


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            cursor.execute(TRUNCATE_TRIGGERS, [list(tables), REFUSING_FUNCTIONS])
            triggers = cursor.fetchall()
        quote = self.quote_name
        disable = [f"ALTER TABLE {quote(t)} DISABLE TRIGGER {quote(g)};" for t, g in triggers]
        enable = [f"ALTER TABLE {quote(t)} ENABLE TRIGGER {quote(g)};" for t, g in triggers]
        return [*disable, *statements, *enable]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
