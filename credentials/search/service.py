"""The register's search: one service behind the API, the HTML pages and the exports.

Built to stay fast at a million entries (DESIGN.md, Targets; measured by `make bench`,
figures in docs/search.md):

- A text query reads at most `SEARCH_RESULT_CAP` + 1 candidates from the GIN-indexed
  `search_document`. One statement counts them (exact up to the cap, "1,000+" beyond),
  groups every facet over them, and ranks and picks the page's ids; a second fetches
  those rows. Ticked facets are counted from one shared candidate set that carries each
  facet's condition as a column, and the results are the shared candidates passing every
  ticked facet: no search runs twice (past the cap, the total is then a lower bound).
- A browse (filters, no text) is counted exactly, facets included, and the counts and
  its pages of ids are cached for `SEARCH_FACET_CACHE_SECONDS`; a save anywhere in the
  register makes them stale (cache.py).
- Page numbers stop at the cap, so OFFSET stays small. Exports stream every result.
- A request costs two queries (counts + one page of rows; a cached browse, one) plus one
  when an equivalent-level filter asks which levels it matched, once per process and
  generation of the register (cache.py, process_cached), and for a text search finding few
  results one vocabulary lookup (and a capped count of a correction, if any).
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchRank
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from config.observability.metrics import SEARCH_DURATION
from qualifications.models import LevelReference

from ..models import Credential
from .cache import (
    Lookup,
    cache_lookup,
    cache_lookups,
    cache_store,
    cached_while_current,
    facet_cache_seconds,
    generation_read,
    process_cached,
)
from .cjk import CJK_RUN
from .compiled import compiled_column, rows_by_id
from .cube import cube_counts
from .filters import (
    CONTROL_PARAMETERS,
    DEFAULT_PAGE_SIZE,
    FACET_PARAMETERS,
    CredentialSearchFilterSet,
    Ordering,
)
from .keyset import KEYSET_ORDERINGS, CursorError, PageCursor, cursor_decode, cursor_for
from .labels import FacetRow, facet_label, facet_rows_ordered
from .query import ParsedQuery
from .shapes import shaped_statement
from .sizes import size_sort_sql
from .suggestions import spelling_suggestion

DEFAULT_RESULT_CAP = 1_000
# A text search finding fewer results than this looks for a spelling suggestion.
DEFAULT_SUGGESTION_BELOW = 3
# Relevance is computed for at most this many candidates of a text query: ts_rank reads
# every candidate's document, and nobody pages past the first hundred results by rank.
DEFAULT_RANK_WINDOW = 1_000
# ts_rank weights for D (unused), C, B, A: a title match counts 2.5 times a provider one.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# Divide rank by 1 + log(document length) so long outcome lists do not win on bulk alone.
RANK_NORMALIZATION = 1

FACET_DIMENSIONS = tuple(FACET_PARAMETERS)
# Grouped columns of the candidate sets (a column, or a function making the expression of
# one computed from others); frameworks are counted through levels.
_FACET_COLUMNS: dict[str, Any] = {
    "level": "level_id",
    "area": "area_of_study_id",
    "provider": "provider_id",
    "mode": "mode_of_delivery",
    "kind": "kind",
    "status": "status",
    "size": lambda: compiled_column("size_band"),
}
_FACET_GROUP = {dimension: dimension for dimension in _FACET_COLUMNS} | {"framework": "level"}
# Per dimension: how to turn grouped ids into (value, code, name_en, name_zh, sort).
_FACET_LABEL_SQL = {
    "level": (
        "SELECT 'level', fw.code || '-' || lv.code, fw.code || ' ' || lv.code, lv.name_en,"
        " lv.name_zh, fw.code || lpad(lv.ordinal::text, 4, '0'), c.n FROM {counts} AS c"
        " JOIN qualifications_level AS lv ON lv.id = c.k"
        " JOIN qualifications_framework AS fw ON fw.id = lv.framework_id"
    ),
    "framework": (
        "SELECT 'framework', fw.code, fw.code, fw.name_en, fw.name_zh, fw.code,"
        " sum(c.n)::bigint FROM {counts} AS c"
        " JOIN qualifications_level AS lv ON lv.id = c.k"
        " JOIN qualifications_framework AS fw ON fw.id = lv.framework_id"
        " GROUP BY fw.id, fw.code, fw.name_en, fw.name_zh"
    ),
    "area": (
        "SELECT 'area', ar.id::text, ar.code, ar.name_en, ar.name_zh, ar.name_en, c.n"
        " FROM {counts} AS c JOIN qualifications_areaofstudy AS ar ON ar.id = c.k"
    ),
    "provider": (
        "SELECT 'provider', pr.slug, pr.slug, pr.name_en, pr.name_zh, pr.name_en, c.n"
        " FROM {counts} AS c JOIN providers_provider AS pr ON pr.id = c.k"
    ),
    "mode": "SELECT 'mode', c.k, c.k, '', '', c.k, c.n FROM {counts} AS c WHERE c.k <> ''",
    "kind": "SELECT 'kind', c.k, c.k, '', '', c.k, c.n FROM {counts} AS c",
    "status": "SELECT 'status', c.k, c.k, '', '', c.k, c.n FROM {counts} AS c",
    "size": (
        "SELECT 'size', c.k, c.k, '', '', " + size_sort_sql("c.k") + ", c.n FROM {counts} AS c"
    ),
}
# Which parameter a facet option's value is sent back in.
FACET_PARAMETER = {
    "level": "level",
    "framework": "framework",
    "area": "area_id",
    "provider": "provider",
    "mode": "mode",
    "kind": "kind",
    "status": "status",
    "size": "size",
}


class SearchError(ValidationError):
    """The search parameters did not validate; `message_dict` holds per-field messages."""


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Equivalence:
    """A level that an equivalent-level filter matched, and how the match is known."""

    level_id: int
    framework: str
    level: str
    basis: str
    source: str


@dataclass
class SearchPage:
    """One page of results with the capped total and facet counts."""

    rows: list[Any]  # Credentials, or dicts of the values asked for
    number: int
    page_size: int
    count: int
    count_capped: bool
    navigable: int  # how many of `count` can be paged through in this ordering
    facets: dict[str, list[FacetOption]]
    facets_capped: bool
    equivalences: list[Equivalence] = field(default_factory=list)
    # "Did you mean": the query with misspelt words corrected, when that finds more.
    suggestion: str | None = None
    # A browse by title or newest links its neighbours by cursor (keyset.py): `next_cursor`
    # and `previous_cursor` then say whether there are any. `by_cursor`: this page was
    # reached through one, so it may lie past the count cap.
    keyset: bool = False
    by_cursor: bool = False
    next_cursor: str | None = None
    previous_cursor: str | None = None

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.navigable / self.page_size))

    @property
    def has_next(self) -> bool:
        if self.keyset:
            return self.next_cursor is not None
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        if self.by_cursor:
            return self.previous_cursor is not None
        return self.number > 1


def _facet_selects(groupings: Mapping[str, tuple[str, list[str], str]]) -> list[str]:
    """Each facet's labelled options, read from its grouping CTE: (name, grouped columns,
    the count column to read) per dimension."""
    selects = []
    for dimension in FACET_DIMENSIONS:
        name, columns, count = groupings[dimension]
        column = _FACET_GROUP[dimension]
        mask = ((1 << len(columns)) - 1) ^ (1 << (len(columns) - 1 - columns.index(column)))
        counts_sql = (
            f"(SELECT d_{column} AS k, {count} AS n FROM {name}"
            f" WHERE gs = {mask} AND d_{column} IS NOT NULL AND {count} > 0)"
        )
        selects.append(_FACET_LABEL_SQL[dimension].format(counts=counts_sql))
    return selects


def _grouped_columns(dimensions: Sequence[str]) -> list[str]:
    """The candidate-set columns that count `dimensions`, each once, in a fixed order."""
    wanted = {_FACET_GROUP[dimension] for dimension in dimensions}
    # GROUPING SETS needs a column; with every facet narrowed, m_all only gives the total.
    return [column for column in _FACET_COLUMNS if column in wanted] or ["kind"]


# What a result row shows (the API's list serializer and the result-list template): loading
# only these halves the cost of a page of rows, most of it spent building model instances
# and parsing timestamps nobody shows. Anything else read from a row would cost a query.
RESULT_FIELDS = (
    "registration_number",
    "kind",
    "title_en",
    "title_zh",
    "credits",
    "notional_hours",
    "mode_of_delivery",
    "quality_marks",
    "status",
    "valid_from",
    "valid_to",
    "provider__slug",
    "provider__name_en",
    "provider__name_zh",
    "level__code",
    "level__ordinal",
    "level__name_en",
    "level__name_zh",
    "level__framework__code",
    "area_of_study__code",
    "area_of_study__name_en",
    "area_of_study__name_zh",
)


def _result_rows(queryset: QuerySet[Credential], values: Sequence[str] | None) -> QuerySet:
    """Result rows as models with RESULT_FIELDS, or as dicts of `values` (with "pk")."""
    if values is not None:
        return queryset.values("pk", *values)
    return queryset.select_related("provider", "level__framework", "area_of_study").only(
        *RESULT_FIELDS
    )


Row = Any  # a Credential, or a dict of the values asked for (SearchPage.rows)


def _pk(row: Row) -> int:
    return row["pk"] if isinstance(row, dict) else row.pk


def result_cap() -> int:
    return int(getattr(settings, "SEARCH_RESULT_CAP", DEFAULT_RESULT_CAP))


def rank_window() -> int:
    return int(getattr(settings, "SEARCH_RANK_WINDOW", DEFAULT_RANK_WINDOW))


def suggestion_below() -> int:
    return int(getattr(settings, "SEARCH_SUGGESTION_BELOW", DEFAULT_SUGGESTION_BELOW))


def _lower_first(message: str) -> str:
    """Lower-case the first letter ("Enter a number." → "enter a number.") to follow a label;
    a leading abbreviation ("EQF …") stays as it is."""
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        return message[0].lower() + message[1:]
    return message


def _with_text(params: Mapping[str, Any], text: str) -> Mapping[str, Any]:
    """The same parameters with `q` replaced (and the page reset)."""
    if isinstance(params, QueryDict):
        copy = params.copy()
        copy["q"] = text
        copy.pop("page", None)
        return copy
    return {**{k: v for k, v in params.items() if k != "page"}, "q": text}


class CredentialSearch:
    """A validated search over the public register.

    Raises `SearchError` on construction when a parameter is invalid.
    """

    def __init__(
        self,
        params: Mapping[str, Any],
        *,
        language: str | None = None,
        today: datetime.date | None = None,
    ) -> None:
        self.params = params
        self.filterset = CredentialSearchFilterSet(
            params, queryset=Credential.objects.all(), today=today
        )
        if not self.filterset.is_valid():
            raise SearchError(self._errors())
        self.data = self.filterset.form.cleaned_data
        self.language = language or get_language() or settings.LANGUAGE_CODE
        self.parsed = self.filterset.parsed_query
        self.cap = result_cap()
        self.rank_window = min(rank_window(), self.cap)

    def _errors(self) -> dict[str, list[str]]:
        """Each parameter's messages, led by its label in the reader's language."""
        fields = self.filterset.form.fields
        errors: dict[str, list[str]] = {}
        for name, messages in self.filterset.errors.items():
            label = fields[name].label if name in fields else None
            errors[name] = [
                _("%(label)s: %(message)s") % {"label": label, "message": _lower_first(message)}
                if label
                else message
                for message in messages
            ]
        return errors

    # What was asked ---------------------------------------------------------------------

    @property
    def ordering(self) -> str:
        asked = self.data.get("ordering")
        if asked and (asked != Ordering.RELEVANCE or self.parsed is not None):
            return asked
        return Ordering.RELEVANCE if self.parsed is not None else Ordering.TITLE

    @property
    def page_number(self) -> int:
        return self.data.get("page") or 1

    @property
    def page_size(self) -> int:
        return self.data.get("page_size") or DEFAULT_PAGE_SIZE

    @property
    def export_format(self) -> str:
        return self.data.get("format") or ""

    def selected(self, parameter: str) -> list[str]:
        """Return the cleaned values of a list parameter, as strings."""
        value = self.data.get(parameter)
        if value in (None, "", []):
            return []
        values = value if isinstance(value, list) else [value]
        return [str(item) for item in values]

    # Querysets --------------------------------------------------------------------------

    def matches(self, *, exclude: tuple[str, ...] = ()) -> QuerySet[Credential]:
        """Every matching credential, unordered (filters in `exclude` left out).

        Unordered on purpose: the model's default ordering would make every capped
        subquery sort all its matches before taking the first `cap`.
        """
        return self.filterset.filter_queryset(Credential.objects.order_by(), exclude=exclude)

    def _ordered(self, queryset: QuerySet[Credential]) -> QuerySet[Credential]:
        ordering = self.ordering
        if ordering == Ordering.RELEVANCE and self.parsed is not None:
            keys = self._rank_columns()
            queryset = queryset.annotate(
                exact=keys["d_exact"], archived=keys["d_superseded"], rank=keys["d_rank"]
            )
            return queryset.order_by("-exact", "archived", "-rank", "title_en", "pk")
        order_by = {
            Ordering.TITLE: ("title_en", "pk"),
            Ordering.LEVEL: ("level__framework__code", "level__ordinal", "title_en", "pk"),
            Ordering.LEVEL_DESC: ("level__framework__code", "-level__ordinal", "title_en", "pk"),
            Ordering.CREDITS: (F("credits").asc(nulls_last=True), "title_en", "pk"),
            Ordering.CREDITS_DESC: (F("credits").desc(nulls_last=True), "title_en", "pk"),
            Ordering.NEWEST: ("-created_at", "-pk"),
        }[ordering]
        return queryset.order_by(*order_by)

    def window_size(self, found: int) -> int | None:
        """How many candidates the page is ordered from (None: every match, by index).

        A text query orders its first `rank_window` candidates by relevance (ranking every
        match of a common word is what made broad queries slow), or its first `cap` by any
        other ordering. A browse (no text) whose matches all fit under the cap sorts them
        all; beyond the cap, the ordering's index serves the page directly.
        """
        if self.parsed is not None:
            return self.rank_window if self.ordering == Ordering.RELEVANCE else self.cap
        return self.cap if found <= self.cap else None

    def results(
        self,
        offset: int,
        limit: int,
        *,
        found: int | None = None,
        values: Sequence[str] | None = None,
    ) -> list[Row]:
        """One slice of the ordered result list, with everything a result row shows.

        The slice's ids are chosen first, joined only to what filters and ordering need;
        the provider, level and area are joined to those few rows afterwards, so a broad
        filter never joins every match before the sort. `found` (the capped total, when
        known) decides whether a browse sorts its matches or walks an index.
        """
        matches = self.matches()
        window = self.window_size(self.cap + 1 if found is None else found)
        if window is not None:
            # The window subquery is planned on its own, unordered: it stops at `window`
            # matches instead of letting the ordering pick an index walk over the table.
            matches = Credential.objects.filter(pk__in=matches.values("pk")[:window])
        ids = self._ordered(matches).values("pk")[offset : offset + limit]
        return self._rows(ids, values)

    def _rows(self, ids, values: Sequence[str] | None = None) -> list[Row]:
        """The page's rows for `ids` (an ordered subquery), in result order."""
        return list(_result_rows(self._ordered(Credential.objects.filter(pk__in=ids)), values))

    # Counts and facets ------------------------------------------------------------------

    def _active_facets(self) -> list[str]:
        return [
            dimension
            for dimension, parameters in FACET_PARAMETERS.items()
            if any(self.data.get(parameter) not in (None, "", []) for parameter in parameters)
        ]

    def _grouping(
        self,
        name: str,
        source: str,
        columns: list[str],
        where: str = "",
        counts: list[str] | None = None,
    ) -> tuple[str, int]:
        """A CTE grouping `source` by each of `columns` and by nothing (GROUPING SETS), and
        the `gs` value of its total row."""
        keys = ", ".join(f"d_{column}" for column in columns)
        sets_sql = ", ".join(["()", *(f"(d_{column})" for column in columns)])
        aggregates = ", ".join(counts or ["count(*) AS n"])
        cte = (
            f"{name} AS (SELECT {keys}, {aggregates}, GROUPING({keys}) AS gs"
            f" FROM {source}{where} GROUP BY GROUPING SETS ({sets_sql}))"
        )
        return cte, (1 << len(columns)) - 1

    def _counts_sql(
        self, *, limit: int | None, page: tuple[int, int] | None = None
    ) -> tuple[str, list[Any]]:
        """One statement: the total, each facet's counts and, for a text query, the page's ids.

        With `limit` (a text query), candidate sets hold at most that many matches; without
        (a browse, whose result is cached), every match is counted. `m_all` (every filter)
        gives the total and every facet nobody has narrowed. A narrowed facet counts the
        matches without its own filter, so a ticked option's alternatives stay visible:
        for a text query from one shared candidate set, `m_base`, that carries each ticked
        facet's condition as a column (and `m_all` is its rows passing them all); for a
        browse from an exact count per facet.
        """
        active = self._active_facets()
        shared = [dimension for dimension in FACET_DIMENSIONS if dimension not in active]
        ctes: list[str] = []
        params: list[Any] = []
        selects: list[str] = []
        # dimension -> (grouping CTE, its grouped columns, the count column to read)
        groupings: dict[str, tuple[str, list[str], str]] = {}

        def add_set(name: str, queryset: QuerySet, values: dict[str, Any]) -> None:
            candidates = queryset.values(**values)
            if limit is not None:
                candidates = candidates[:limit]
            sql, set_params = candidates.query.sql_with_params()
            materialized = "MATERIALIZED " if limit is not None else ""
            ctes.append(f"{name} AS {materialized}({sql})")
            params.extend(set_params)

        def columns_of(columns: list[str]) -> dict[str, Any]:
            sources = {column: _FACET_COLUMNS[column] for column in columns}
            return {
                f"d_{column}": source() if callable(source) else F(source)
                for column, source in sources.items()
            }

        all_columns = _grouped_columns(shared)
        # A relevance page is ranked inside the candidate set, while each row is at hand.
        ranking = self._rank_columns() if page is not None else {}
        id_column = {"d_id": F("pk"), **ranking} if page is not None else {}
        if limit is not None and active:
            # Facet parameters left out of the shared set, and each ticked facet's
            # condition as a boolean column.
            left_out = tuple(p for d in active for p in FACET_PARAMETERS[d])
            flags = {f"f_{d}": self._facet_flag(d) for d in active}
            base_columns = _grouped_columns(FACET_DIMENSIONS)
            add_set(
                "m_base",
                self.matches(exclude=left_out),
                {"d_id": F("pk"), **ranking, **columns_of(base_columns), **flags},
            )
            every_flag = " AND ".join(flags)
            selected = ", ".join(["d_id", *ranking, *(f"d_{column}" for column in all_columns)])
            # The results are the shared candidates passing every ticked facet: no second
            # search. A second capped search for the full filter re-read the matches from
            # the start until the cap's worth passed it (for a facet holding one match in
            # six, six times the blocks). Past the cap, the total is then a lower bound:
            # the ticked matches among the first cap + 1 candidates ("shared:size").
            ctes.append(f"m_all AS MATERIALIZED (SELECT {selected} FROM m_base WHERE {every_flag})")
            selects.append("SELECT 'shared:size', '', '', '', '', '', count(*) FROM m_base")
            for dimension in active:
                others = [flag for flag in flags if flag != f"f_{dimension}"]
                where = " WHERE " + " AND ".join(others) if others else ""
                column = _FACET_GROUP[dimension]
                cte, everything = self._grouping(f"m_{dimension}_g", "m_base", [column], where)
                ctes.append(cte)
                groupings[dimension] = (f"m_{dimension}_g", [column], "n")
                selects.append(
                    f"SELECT '{dimension}:size', '', '', '', '', '', n FROM m_{dimension}_g"
                    f" WHERE gs = {everything}"
                )
        elif active:
            # A browse with ticked facets: one pass over the matches without any facet
            # filter, each ticked facet's condition a column, and one count per facet
            # that leaves its own condition out. A scan per facet (without an index for
            # most filter combinations, each a table scan) took seconds at 1M rows.
            left_out = tuple(p for d in active for p in FACET_PARAMETERS[d])
            flags = {f"f_{d}": self._facet_flag(d) for d in active}
            base_columns = _grouped_columns(FACET_DIMENSIONS)
            add_set("m_base", self.matches(exclude=left_out), {**columns_of(base_columns), **flags})
            counts = [f"count(*) FILTER (WHERE {' AND '.join(flags)}) AS n"]
            for dimension in active:
                others = [flag for flag in flags if flag != f"f_{dimension}"]
                condition = f" FILTER (WHERE {' AND '.join(others)})" if others else ""
                counts.append(f"count(*){condition} AS n_{dimension}")
            cte, everything = self._grouping("m_g", "m_base", base_columns, counts=counts)
            ctes.append(cte)
            selects.insert(
                0, f"SELECT 'total', '', '', '', '', '', n FROM m_g WHERE gs = {everything}"
            )
            for dimension in FACET_DIMENSIONS:
                count = f"n_{dimension}" if dimension in active else "n"
                groupings[dimension] = ("m_g", base_columns, count)
        else:
            add_set("m_all", self.matches(), {**id_column, **columns_of(all_columns)})
            for dimension in active:
                column = _FACET_GROUP[dimension]
                add_set(
                    f"m_{dimension}",
                    self.matches(exclude=FACET_PARAMETERS[dimension]),
                    columns_of([column]),
                )
                cte, everything = self._grouping(f"m_{dimension}_g", f"m_{dimension}", [column])
                ctes.append(cte)
                groupings[dimension] = (f"m_{dimension}_g", [column], "n")
                selects.append(
                    f"SELECT '{dimension}:size', '', '', '', '', '', n FROM m_{dimension}_g"
                    f" WHERE gs = {everything}"
                )
        if limit is not None or not active:  # the one-pass browse has no m_all
            cte, everything = self._grouping("m_all_g", "m_all", all_columns)
            ctes.append(cte)
            selects.insert(
                0, f"SELECT 'total', '', '', '', '', '', n FROM m_all_g WHERE gs = {everything}"
            )
            for dimension in shared:
                groupings[dimension] = ("m_all_g", all_columns, "n")
        selects.extend(_facet_selects(groupings))
        if page is not None:
            page_sql, page_params = self._page_ids_sql(*page, ranked=bool(ranking))
            ctes.append(f"page AS ({page_sql})")
            params.extend(page_params)
            # The position rides in the count column: UNION ALL keeps no order of its own.
            selects.append(
                "SELECT 'page', pk::text, '', '', '', '', row_number() OVER () FROM page"
            )
        sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
        return sql, params

    def _text_counts_sql(
        self, *, limit: int, page: tuple[int, int] | None = None
    ) -> tuple[str, list[Any]]:
        """A text query's counting statement: for one without filters, from the statement
        compiled once for its shape (shapes.py); with filters, built through the ORM."""
        if self.parsed is None or self.filtered:
            return self._counts_sql(limit=limit, page=page)

        def build(parsed: ParsedQuery, today: datetime.date) -> tuple[str, list[Any]]:
            return self._with_query(parsed, today)._counts_sql(limit=limit, page=page)

        # Besides the query's parts, the SQL text depends on these alone when no filter
        # is set: LIMIT and OFFSET are written into it.
        shape = ("counts", self.ordering, limit, page, self.cap, self.rank_window)
        return shaped_statement(shape, self.parsed, self.filterset.today, build)

    def _with_query(self, parsed: ParsedQuery, today: datetime.date) -> CredentialSearch:
        """This search with another parsed query and day (a statement template's markers)."""
        other = copy.copy(self)
        other.parsed = parsed
        other.filterset = copy.copy(self.filterset)
        other.filterset._parsed_query = parsed
        other.filterset.today = today
        return other

    def _facet_flag(self, dimension: str) -> ExpressionWrapper:
        """Whether a row passes `dimension`'s own filters, as a boolean column."""
        condition = Q()
        for parameter in FACET_PARAMETERS[dimension]:
            value = self.data.get(parameter)
            if value not in (None, "", []):
                condition &= self.filterset.parameter_q(parameter, value)
        return ExpressionWrapper(condition, output_field=BooleanField())

    def _rank_columns(self) -> dict[str, Any]:
        """Relevance sort keys as candidate columns (none unless ordering by relevance)."""
        if self.ordering != Ordering.RELEVANCE or self.parsed is None:
            return {}
        search_query = self.parsed.search_query()
        rank = (
            SearchRank(
                F("search_document"),
                search_query,
                weights=RANK_WEIGHTS,
                normalization=Value(RANK_NORMALIZATION),
            )
            if search_query is not None
            else Value(0.0)
        )
        return {
            "d_exact": compiled_column("exact_number", self.parsed.registration_key or ""),
            # A superseded entry ranks below the rest: its next version is what a learner
            # wants.
            "d_superseded": compiled_column("superseded"),
            "d_rank": rank,
            "d_title": F("title_en"),
        }

    def _page_ids_sql(self, offset: int, limit: int, *, ranked: bool) -> tuple[str, Sequence[Any]]:
        """The page's ids, ordered, from the first `window` rows of the m_all candidates."""
        window = self.window_size(self.cap)
        if ranked:
            # Same order as `_ordered` gives relevance: exact number, superseded last, rank,
            # title, id.
            return (
                "SELECT d_id AS pk FROM (SELECT * FROM m_all LIMIT %s) AS ranked"
                " ORDER BY d_exact DESC, d_superseded, d_rank DESC, d_title, d_id"
                " LIMIT %s OFFSET %s",
                [window, limit, offset],
            )
        candidates = Credential.objects.filter(
            pk__in=RawSQL("SELECT d_id FROM m_all LIMIT %s", [window])
        )
        ordered = self._ordered(candidates).values("pk")[offset : offset + limit]
        return ordered.query.sql_with_params()

    def _run_counts(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> tuple[int, dict[str, list[FacetRow]], bool, list[int], bool]:
        """Run a counting statement: the total, facet rows (in the order shown, long lists
        cut), whether the facets are capped, the page's ids, and whether more match than the
        total says (a lower bound)."""
        with connections[_read_alias()].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total = 0
        capped = False
        more = False
        ids: list[tuple[int, int]] = []
        by_dimension: dict[str, list[FacetRow]] = {dimension: [] for dimension in FACET_DIMENSIONS}
        for dimension, value, code, name_en, name_zh, sort_key, count in rows:
            if dimension == "total":
                total = count
                capped = capped or count > self.cap
            elif dimension == "shared:size":
                more = count > self.cap
                capped = capped or more
            elif dimension.endswith(":size"):
                capped = capped or count > self.cap
            elif dimension == "page":
                ids.append((count, int(value)))
            else:
                by_dimension[dimension].append((value, code, name_en, name_zh, sort_key, count))
        ordered = {name: facet_rows_ordered(name, rows) for name, rows in by_dimension.items()}
        return total, ordered, capped, [pk for _position, pk in sorted(ids)], more

    def counts(self) -> tuple[int, dict[str, list[FacetRow]], bool]:
        """Return the total, raw facet rows per dimension, and whether any facet's candidate
        set passed the cap (its counts then cover only the first `cap` matches).

        A text query counts its first cap + 1 candidates. A browse (filters only) counts
        every match exactly, once per `SEARCH_FACET_CACHE_SECONDS`: its key space is small
        (a few filter combinations make most of the traffic) and a capped sample of a
        broad browse is no picture of the register at all.
        """
        if self.parsed is not None:
            total, raw, capped, _ids, _more = self._run_counts(
                *self._text_counts_sql(limit=self.cap + 1)
            )
            return total, raw, capped
        return self._browse_counts()

    def _browse_counts(
        self, lookup: Lookup | None = None
    ) -> tuple[int, dict[str, list[FacetRow]], bool]:
        def compute() -> tuple[int, dict[str, list[FacetRow]], bool]:
            total, raw, _capped, _ids, _more = self._run_counts(*self._browse_counts_sql())
            return total, raw, False

        return cached_while_current(
            self._cache_key(),
            compute,
            facet_cache_seconds(),
            read_from=_read_alias(),
            lookup=lookup,
        )

    def _browse_counts_sql(self) -> tuple[str, Any]:
        """A browse's counting statement: over the facet cubes when they can answer it
        (cube.py), else over the entries."""
        cube = cube_counts(
            data=self.data,
            resolved_ids=self.filterset.resolved_ids,
            active=self._active_facets(),
            today=self.filterset.today,
        )
        if cube is None:
            return self._counts_sql(limit=None)
        name, everything = cube.total
        selects = [
            f"SELECT 'total', '', '', '', '', '', n FROM {name} WHERE gs = {everything}",
            *_facet_selects(cube.groupings),
        ]
        return "WITH " + ", ".join(cube.ctes) + " " + " UNION ALL ".join(selects), cube.params

    def _cache_key(self, page: tuple | None = None) -> str:
        """A browse's cache key: every filter that changes the matches, the day, and for a
        page of ids its ordering and slice."""
        filters = sorted(
            (name, repr(value))
            for name, value in self.data.items()
            if name not in CONTROL_PARAMETERS and name != "q" and value not in (None, "", [])
        )
        # The database's name keeps two registers sharing one Redis (a benchmark beside
        # a development database) from reading each other's counts.
        text = repr(
            (connection.settings_dict["NAME"], filters, self.filterset.today.isoformat(), page)
        )
        return "credential-search:browse:v2:" + hashlib.sha256(text.encode()).hexdigest()

    def facets(self, raw: dict[str, list[FacetRow]]) -> dict[str, list[FacetOption]]:
        """Turn facet rows (already in order, _run_counts) into labelled options for the
        reader's language."""
        language = self.language
        facets: dict[str, list[FacetOption]] = {}
        for dimension, rows in raw.items():
            selected = {value.upper() for value in self.selected(FACET_PARAMETER[dimension])}
            facets[dimension] = [
                FacetOption(
                    value=value,
                    label=facet_label(language, dimension, code, name_en, name_zh),
                    count=count,
                    selected=value.upper() in selected,
                )
                for value, code, name_en, name_zh, _sort, count in rows
            ]
        return facets

    def equivalences(self, lookup: Lookup | None = None) -> list[Equivalence]:
        """The levels an `eqf` filter matched, each with the basis of its reference.

        Kept per process for the register's generation (the same for every search naming
        that level); `lookup`: a cache read of this request that carries the generation.
        """
        eqf = self.data.get("eqf")
        if not eqf:
            return []
        seconds = facet_cache_seconds()
        if seconds > 0 and lookup is None:
            lookup = generation_read()
        if lookup is None:
            return _equivalences(eqf)
        return process_cached(
            f"credential-search:eqf:{eqf}",
            lambda: _equivalences(eqf),
            seconds,
            lookup=lookup,
            read_from=router.db_for_read(LevelReference) or DEFAULT_DB_ALIAS,
        )

    @property
    def query_class(self) -> str:
        """What kind of search this is, for the latency metric: each runs a different plan.

        `registration_number` (a number-like query, matched exactly as well as by text),
        `text_cjk` (Chinese or Japanese text: bigram phrases), `text`, or `browse` (no text:
        filters alone or nothing, counted exactly and cached).
        """
        if self.parsed is None:
            return "browse"
        if self.parsed.registration_key:
            return "registration_number"
        return "text_cjk" if CJK_RUN.search(self.parsed.text) else "text"

    @property
    def filtered(self) -> bool:
        """Whether any filter (facet, level, date...) narrows the search."""
        return any(
            value not in (None, "", [])
            for name, value in self.data.items()
            if name not in CONTROL_PARAMETERS and name != "q"
        )

    @property
    def keyset(self) -> bool:
        """Whether this search's pages link by cursor: a browse ordered by title or newest."""
        return self.parsed is None and self.ordering in KEYSET_ORDERINGS

    def cursor(self) -> PageCursor | None:
        """The page cursor asked for; raises SearchError for one this search cannot follow."""
        text = self.data.get("cursor")
        if not text:
            return None
        if not self.keyset:
            raise SearchError(
                {"cursor": [_("Page cursors follow a browse ordered by title or newest only.")]}
            )
        try:
            return cursor_decode(text, self.ordering)
        except CursorError as error:
            raise SearchError(
                {"cursor": [_("This page link is not valid; start again from the first page.")]}
            ) from error

    def page(self, *, values: Sequence[str] | None = None) -> SearchPage:
        """Return the asked-for page; a page past the last one comes back empty.

        Rows are models with what a result row shows, or dicts of `values` and "pk" (the
        API serialises those, with no model instances to build).
        """
        cursor = self.cursor()
        with SEARCH_DURATION.labels(
            query_class=self.query_class, filtered=str(self.filtered).lower()
        ).time():
            return self._page(cursor, values)

    def _page(self, cursor: PageCursor | None, values: Sequence[str] | None) -> SearchPage:
        number = cursor.number if cursor else self.page_number
        size = self.page_size
        offset = (number - 1) * size
        if self.keyset and values is not None:
            # The cursor of a neighbouring page is read from this page's rows.
            values = tuple(dict.fromkeys([*values, KEYSET_ORDERINGS[self.ordering][0]]))
        if self.parsed is not None:
            # One statement finds the candidates, counts them, groups the facets and picks
            # the page's ids; a second fetches those rows.
            sql, params = self._text_counts_sql(limit=self.cap + 1, page=(offset, size))
            found, raw_facets, facets_capped, ids, more = self._run_counts(sql, params)
            rows = self._in_order(ids, values)
            counts_lookup = None
        else:
            counts_lookup, page_lookup = self._browse_lookups(cursor, offset, size)
            found, raw_facets, facets_capped = self._browse_counts(counts_lookup)
            rows, more = [], False
        total = min(found, self.cap)
        window = self.window_size(found)
        navigable = min(total, window or total)
        page = SearchPage(
            rows=rows,
            number=number,
            page_size=size,
            count=total,
            count_capped=found > self.cap or more,
            navigable=navigable,
            facets=self.facets(raw_facets),
            facets_capped=facets_capped,
            equivalences=self.equivalences(counts_lookup),
            suggestion=self.suggestion(found) if found < suggestion_below() and not more else None,
            keyset=self.keyset,
            by_cursor=cursor is not None,
        )
        if cursor is not None:
            self._keyset_page(page, cursor, values)
        elif self.parsed is None and offset < navigable:
            page.rows = self._browse_rows(
                offset, min(size, navigable - offset), found, values, lookup=page_lookup
            )
            if self.keyset and page.rows and (number < page.num_pages or page.count_capped):
                # Past the cap's last page the cursor goes on; a full last page under the
                # cap has nothing after it.
                page.next_cursor = cursor_for(
                    self.ordering, number + 1, forward=True, row=page.rows[-1]
                ).encode()
        return page

    def suggestion(self, found: int) -> str | None:
        """The query with misspelt words corrected, if that finds more than `found` results
        with the same filters; None for a browse or when nothing is misspelt."""
        if self.parsed is None:
            return None
        suggested = spelling_suggestion(self.data.get("q") or "")
        if suggested is None:
            return None
        try:
            corrected = CredentialSearch(
                _with_text(self.params, suggested),
                language=self.language,
                today=self.filterset.today,
            )
        except SearchError:
            return None
        more = corrected.matches()[: found + 1].count()
        return suggested if more > found else None

    def _keyset_page(
        self, page: SearchPage, cursor: PageCursor, values: Sequence[str] | None
    ) -> None:
        """Fill `page` with the rows beyond `cursor` and the cursors of its neighbours.

        One row more than the page is read to learn whether there is another page that way.
        """
        size = page.page_size
        ids = (self.matches().filter(cursor.condition()).order_by(*cursor.order_by()).values("pk"))[
            : size + 1
        ]
        # In the reading order (PostgreSQL's collation sorts titles); the page shows them
        # in its own.
        reading = list(
            _result_rows(Credential.objects.filter(pk__in=ids).order_by(*cursor.order_by()), values)
        )
        more = len(reading) > size
        rows = reading[:size]
        if not cursor.forward:
            rows.reverse()
        page.rows = rows
        if not rows:
            return
        after = more if cursor.forward else True
        before = True if cursor.forward else more
        if after:
            page.next_cursor = cursor_for(
                self.ordering, page.number + 1, forward=True, row=rows[-1]
            ).encode()
        if before and page.number > 1:
            page.previous_cursor = cursor_for(
                self.ordering, page.number - 1, forward=False, row=rows[0]
            ).encode()

    def _browse_lookups(
        self, cursor: PageCursor | None, offset: int, size: int
    ) -> tuple[Lookup | None, Lookup | None]:
        """A browse's cached counts and page of ids, read in one round trip.

        The page is read as a full one; a last page shorter than that is looked up again
        once the count says so. A cursor's page is not cached, so only the counts are read.
        """
        if facet_cache_seconds() <= 0:
            return None, None
        if cursor is not None:
            return cache_lookup(self._cache_key()), None
        counts, page = cache_lookups(
            [self._cache_key(), self._cache_key(page=(self.ordering, offset, size))]
        )
        return counts, page

    def _browse_rows(
        self,
        offset: int,
        limit: int,
        found: int,
        values: Sequence[str] | None = None,
        *,
        lookup: Lookup | None = None,
    ) -> list[Row]:
        """A browse page, its ids cached like its counts (one query either way). `lookup`:
        the page's key already read (_browse_lookups)."""
        seconds = facet_cache_seconds()
        if seconds <= 0:
            return self.results(offset, limit, found=found, values=values)
        key = self._cache_key(page=(self.ordering, offset, limit))
        if lookup is None or lookup.key != key:
            lookup = cache_lookup(key)
        if lookup.hit:
            return self._in_order(lookup.value, values)
        rows = self.results(offset, limit, found=found, values=values)
        cache_store(lookup, [_pk(row) for row in rows], seconds, read_from=_read_alias())
        return rows

    def _in_order(self, ids: list[int], values: Sequence[str] | None = None) -> list[Row]:
        """The rows for `ids`, in that order (no query when there are none)."""
        if not ids:
            return []
        rows: Iterable[Row]
        if values is not None:
            rows = rows_by_id(ids, values, using=_read_alias())
        else:
            # Unordered: the order is the ids', and compiling the model's ordering costs time.
            rows = _result_rows(Credential.objects.filter(pk__in=ids).order_by(), values)
        by_id = {_pk(row): row for row in rows}
        return [by_id[pk] for pk in ids if pk in by_id]


def _equivalences(eqf: int) -> list[Equivalence]:
    references = LevelReference.objects.filter(
        to_level__framework__code="EQF", to_level__code=str(eqf)
    ).select_related("from_level__framework")
    found = [
        Equivalence(
            level_id=reference.from_level_id,
            framework=reference.from_level.framework.code,
            level=reference.from_level.code,
            basis=reference.basis,
            source=reference.source,
        )
        for reference in references
    ]
    return sorted(found, key=lambda item: (item.framework, item.level))


def _read_alias() -> str:
    """The database the router sends this request's credential reads to (raw SQL too)."""
    return router.db_for_read(Credential) or DEFAULT_DB_ALIAS


def credential_search(
    *,
    params: Mapping[str, Any],
    language: str | None = None,
    today: datetime.date | None = None,
) -> CredentialSearch:
    """Validate search parameters and return the search; raises `SearchError` if invalid."""
    return CredentialSearch(params, language=language, today=today)
