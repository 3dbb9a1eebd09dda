"""A file's checked rows in a temporary table, compared with the register in one statement.

Re-importing a file mostly meets entries that have not changed. Reading each of them back
into Python, locking it and comparing it field by field cost more than the rest of the run
(16 s of 42 s for 100,000 rows). Instead every checked row whose number is on the
register (one lookup of all the file's keys) is copied into a per-job temporary table
(dropped at commit) and one join by registration key picks the rows that
would change nothing: same values for every column the row gives, same provider, and (for
the registry's own imports) a status the file would leave as it is. Only the other rows,
new or changed, go on to the row-by-row rules in ``services``.

The comparison is the one ``services._Importer._update`` makes, in SQL: a column the row
does not give is not compared; quality marks a format governs only in part (the DfE list)
compare as the merge would leave them; a status follows ``formats.base.status_for_new``.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import Field

from credentials.choices import CredentialStatus
from credentials.models import Credential

from .bulk import copy_rows

STAGING_TABLE = "import_staging"
# Every column the staging table holds besides the credential fields.
KEY_COLUMNS = ("row_number", "registration_key", "given", "wanted_status", "marks_owned")
# Their types, as ``create`` declares them.
KEY_TYPES = ("integer", "text", "bigint", "text", "text[]")
GOVERNED = (CredentialStatus.REGISTERED, CredentialStatus.TEACH_OUT)
TYPE_MODIFIER = re.compile(r"\([^)]*\)")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _copy_type(field: Field) -> str:
    """A column's type as binary COPY names it: "varchar(16)[]" is "varchar[]"."""
    # Every staged field is a concrete column, so it has a type.
    return TYPE_MODIFIER.sub("", cast(str, field.db_type(connection)))


def existing_keys(keys: Iterable[str]) -> set[str]:
    """Those of the registration keys that entries on the register have."""
    credentials = _quote(Credential._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT registration_key FROM {credentials} WHERE registration_key = ANY(%s)",
            [list(keys)],
        )
        return {key for (key,) in cursor.fetchall()}


class StagingTable:
    """The staging table of one run, for the fields ``fields`` (name → model field)."""

    def __init__(self, fields: dict[str, Field]):
        # The registration number is the key, and a provider is compared on its own.
        self.fields = {
            name: field
            for name, field in fields.items()
            if name not in ("registration_number", "provider")
        }
        self.columns = (*KEY_COLUMNS, "provider_id", *(f.attname for f in self.fields.values()))
        self.types = (
            *KEY_TYPES,
            "bigint",
            *(_copy_type(field) for field in self.fields.values()),
        )
        # Which fields a row gives, as bits: a bitmask copies far faster than a text array.
        self.bits = {name: 1 << index for index, name in enumerate(self.fields)}
        # A file's rows mostly give the same fields: each set of names is summed once.
        self._masks: dict[tuple[str, ...], int] = {}

    def given(self, names: Iterable[str]) -> int:
        """The bitmask of the fields named (those the table holds)."""
        names = tuple(names)
        mask = self._masks.get(names)
        if mask is None:
            bits = self.bits
            mask = self._masks[names] = sum(bits[name] for name in names if name in bits)
        return mask

    def create(self) -> None:
        definitions = ", ".join(
            f"{_quote(field.attname)} {field.db_type(connection)}" for field in self.fields.values()
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING_TABLE} (row_number integer PRIMARY KEY, "
                "registration_key text NOT NULL, given bigint NOT NULL, wanted_status text, "
                f"marks_owned text[], provider_id bigint, {definitions}) ON COMMIT DROP"
            )

    def copy(self, rows: Iterable[Sequence[Any]]) -> None:
        """COPY rows in ``columns`` order into the table, then let the planner know its size."""
        copy_rows(STAGING_TABLE, self.columns, rows, self.types)
        # The size and the join key are all the plan needs: sampling every column of every
        # row, long texts and lists included, cost more than the join itself.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {STAGING_TABLE} (registration_key)")

    def _column_unchanged(self, name: str) -> str:
        attname = self.fields[name].attname
        column = _quote(attname)
        same = f"s.{column} IS NOT DISTINCT FROM c.{column}"
        if attname == "quality_marks":
            # The merge keeps marks the format does not govern and adds the file's: nothing
            # changes when every file mark is there already and no governed one goes.
            merged_same = (
                "(s.quality_marks <@ c.quality_marks AND NOT EXISTS (SELECT 1 FROM "
                "unnest(c.quality_marks) AS mark WHERE mark = ANY(s.marks_owned) "
                "AND NOT mark = ANY(s.quality_marks)))"
            )
            same = f"(CASE WHEN s.marks_owned IS NULL THEN {same} ELSE {merged_same} END)"
        return f"(s.given & {self.bits[name]} = 0 OR {same})"

    def unchanged_rows(
        self,
        *,
        today: datetime.date,
        expire: bool,
        authority: bool,
        locked_statuses: Iterable[str],
    ) -> list[int]:
        """The row numbers whose entry is on the register and would not change at all."""
        params: dict[str, Any] = {
            "today": today,
            "expire": expire,
            "governed": [str(status) for status in GOVERNED],
            "teach_out": str(CredentialStatus.TEACH_OUT),
            "draft": str(CredentialStatus.DRAFT),
            "expired": str(CredentialStatus.EXPIRED),
            "locked": [str(status) for status in locked_statuses],
            "superseded": str(CredentialStatus.SUPERSEDED),
        }
        # formats.base.status_for_new over the entry's values (the row's, as nothing changes).
        wanted = (
            "CASE WHEN s.wanted_status = ANY(%(governed)s) "
            "AND (c.level_id IS NULL OR c.valid_from IS NULL) THEN %(draft)s "
            "WHEN s.wanted_status = ANY(%(governed)s) AND %(expire)s "
            "AND c.valid_to < %(today)s THEN %(expired)s "
            "WHEN s.wanted_status = %(teach_out)s AND %(expire)s "
            "AND c.teach_out_ends_on < %(today)s THEN %(expired)s "
            "ELSE s.wanted_status END"
        )
        status_kept = (
            "(s.wanted_status IS NULL OR "
            f"(s.wanted_status <> %(superseded)s AND {wanted} = c.status))"
            if authority
            else "NOT c.status = ANY(%(locked)s)"
        )
        conditions = " AND ".join(
            [
                "(s.provider_id IS NULL OR s.provider_id = c.provider_id)",
                status_kept,
                *(self._column_unchanged(name) for name in self.fields),
            ]
        )
        credentials = _quote(Credential._meta.db_table)
        # Compared in the select list, behind OFFSET 0 so the test is not pulled into the
        # join's WHERE: estimating some thirty join clauses one by one took the planner
        # longer (about 0.1 s a chunk) than running the join, which is planned as before.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT row_number FROM (SELECT s.row_number, {conditions} AS unchanged "
                f"FROM {STAGING_TABLE} AS s JOIN {credentials} AS c "
                "ON c.registration_key = s.registration_key OFFSET 0) AS compared "
                "WHERE unchanged",
                params,
            )
            return [row for (row,) in cursor.fetchall()]
