"""The register's search: one service behind the API, the HTML pages and the exports.

Built to stay fast at a million entries (DESIGN.md, Targets):

- Text matches come from the GIN-indexed `search_document`; relevance is computed only
  for a bounded window of candidates (`SEARCH_RESULT_CAP`), never for every match.
- The total is exact up to the cap and reported as capped beyond it ("10,000+"); page
  numbers stop there too, so OFFSET stays small. Exports stream the whole result set.
- The total and every facet's counts come back from one SQL statement over capped
  candidate sets, so a request costs two queries (counts + one page of rows) plus one
  when an equivalent-level filter asks which levels it matched.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchRank
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Case, F, QuerySet, Value, When
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qualifications.models import LevelReference

from ..choices import CredentialKind, CredentialStatus, DeliveryMode
from ..models import Credential
from .filters import (
    DEFAULT_PAGE_SIZE,
    FACET_PARAMETERS,
    CredentialSearchFilterSet,
    Ordering,
)

DEFAULT_RESULT_CAP = 10_000
# Relevance is computed for at most this many candidates of a text query: ts_rank reads
# every candidate's document, and nobody pages past the first hundred results by rank.
DEFAULT_RANK_WINDOW = 2_000
# Long facet lists (providers, areas) show their most frequent options only.
FACET_OPTION_LIMIT = 30
# ts_rank weights for D (unused), C, B, A: a title match counts 2.5 times a provider one.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# Divide rank by 1 + log(document length) so long outcome lists do not win on bulk alone.
RANK_NORMALIZATION = 1

FACET_DIMENSIONS = tuple(FACET_PARAMETERS)
_FACET_COLUMNS = {
    "level": "level_id",
    "framework": "level__framework_id",
    "area": "area_of_study_id",
    "provider": "provider_id",
    "mode": "mode_of_delivery",
    "kind": "kind",
    "status": "status",
}
# Per dimension: how to turn grouped ids into (value, code, name_en, name_zh, sort).
_FACET_LABEL_SQL = {
    "level": (
        "SELECT 'level', fw.code || '-' || lv.code, fw.code || ' ' || lv.code, lv.name_en,"
        " lv.name_zh, fw.code || lpad(lv.ordinal::text, 4, '0'), c.n FROM {counts} AS c"
        " JOIN qualifications_level AS lv ON lv.id = c.k"
        " JOIN qualifications_framework AS fw ON fw.id = lv.framework_id"
    ),
    "framework": (
        "SELECT 'framework', fw.code, fw.code, fw.name_en, fw.name_zh, fw.code, c.n"
        " FROM {counts} AS c JOIN qualifications_framework AS fw ON fw.id = c.k"
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
}
_CHOICE_LABELS = {
    "mode": dict(DeliveryMode.choices),
    "kind": dict(CredentialKind.choices),
    "status": dict(CredentialStatus.choices),
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

    rows: list[Credential]
    number: int
    page_size: int
    count: int
    count_capped: bool
    navigable: int  # how many of `count` can be paged through in this ordering
    facets: dict[str, list[FacetOption]]
    facets_capped: bool
    equivalences: list[Equivalence] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.navigable / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0


def result_cap() -> int:
    return int(getattr(settings, "SEARCH_RESULT_CAP", DEFAULT_RESULT_CAP))


def rank_window() -> int:
    return int(getattr(settings, "SEARCH_RANK_WINDOW", DEFAULT_RANK_WINDOW))


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
        return {name: list(messages) for name, messages in self.filterset.errors.items()}

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
            search_query = self.parsed.search_query()
            if search_query is not None:
                queryset = queryset.annotate(
                    rank=SearchRank(
                        F("search_document"),
                        search_query,
                        weights=RANK_WEIGHTS,
                        normalization=Value(RANK_NORMALIZATION),
                    )
                )
            else:
                queryset = queryset.annotate(rank=Value(0.0))
            key = self.parsed.registration_key
            queryset = queryset.annotate(
                exact=Case(
                    When(registration_key=key or "", then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
            return queryset.order_by("-exact", "-rank", "title_en", "pk")
        order_by = {
            Ordering.TITLE: ("title_en", "pk"),
            Ordering.LEVEL: ("level__framework__code", "level__ordinal", "title_en", "pk"),
            Ordering.LEVEL_DESC: ("level__framework__code", "-level__ordinal", "title_en", "pk"),
            Ordering.CREDITS: (F("credits").asc(nulls_last=True), "title_en", "pk"),
            Ordering.CREDITS_DESC: (F("credits").desc(nulls_last=True), "title_en", "pk"),
            Ordering.NEWEST: ("-created_at", "-pk"),
        }[ordering]
        return queryset.order_by(*order_by)

    @property
    def window_size(self) -> int | None:
        """How many candidates a text query's results are ordered from (None: all)."""
        if self.parsed is None:
            return None
        return self.rank_window if self.ordering == Ordering.RELEVANCE else self.cap

    def _window(self) -> QuerySet[Credential]:
        """The candidates a page is ordered from.

        With a text query, only the first `window_size` matches are ordered (ranking
        every match of a common word is what makes broad queries slow); without one, the
        ordering columns' indexes serve any page directly.
        """
        matches = self.matches()
        if self.window_size is None:
            return matches
        return Credential.objects.filter(pk__in=matches.values("pk")[: self.window_size])

    def results(self, offset: int, limit: int) -> list[Credential]:
        """One slice of the ordered result list, with everything a result row shows.

        The slice's ids are chosen first, joined only to what filters and ordering need;
        the provider, level and area are joined to those few rows afterwards, so a broad
        filter never joins every match before the sort.
        """
        ordered = self._ordered(self._window())
        ids = ordered.values("pk")[offset : offset + limit]
        rows = (
            self._ordered(Credential.objects.filter(pk__in=ids))
            .select_related("provider", "level__framework", "area_of_study")
            .defer("search_document")
        )
        return list(rows)

    def export_rows(self) -> QuerySet[Credential]:
        """Every result, in order, for an export (not capped)."""
        return (
            self._ordered(self.matches())
            .select_related("provider", "level__framework", "area_of_study")
            .defer("search_document")
        )

    # Counts and facets ------------------------------------------------------------------

    def _active_facets(self) -> list[str]:
        return [
            dimension
            for dimension, parameters in FACET_PARAMETERS.items()
            if any(self.data.get(parameter) not in (None, "", []) for parameter in parameters)
        ]

    def counts(self) -> tuple[int, dict[str, list[tuple]], bool]:
        """Return the total (at most cap + 1), raw facet rows per dimension, and whether any
        facet's candidate set passed the cap (its counts then cover the first `cap` matches).

        One statement: a CTE of the capped matches (all filters) feeds the total and the
        facets nobody has narrowed; each narrowed facet gets its own capped CTE without
        its own filter.
        """
        active = self._active_facets()
        limit = self.cap + 1
        ctes: list[str] = []
        params: list[Any] = []

        def add_cte(name: str, queryset: QuerySet, dimensions: list[str]) -> None:
            columns = {f"d_{dim}": F(_FACET_COLUMNS[dim]) for dim in dimensions}
            sql, cte_params = queryset.values(**columns)[:limit].query.sql_with_params()
            ctes.append(f"{name} AS MATERIALIZED ({sql})")
            params.extend(cte_params)

        shared = [dimension for dimension in FACET_DIMENSIONS if dimension not in active]
        add_cte("m_all", self.matches(), shared or ["kind"])
        selects = ["SELECT 'total', '', '', '', '', '', count(*) FROM m_all"]
        sources = {dimension: "m_all" for dimension in shared}
        for dimension in active:
            name = f"m_{dimension}"
            add_cte(name, self.matches(exclude=FACET_PARAMETERS[dimension]), [dimension])
            sources[dimension] = name
            selects.append(f"SELECT '{dimension}:size', '', '', '', '', '', count(*) FROM {name}")
        for dimension in FACET_DIMENSIONS:
            counts = (
                f"(SELECT d_{dimension} AS k, count(*) AS n FROM {sources[dimension]}"
                f" WHERE d_{dimension} IS NOT NULL GROUP BY d_{dimension})"
            )
            selects.append(_FACET_LABEL_SQL[dimension].format(counts=counts))
        sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total = 0
        capped = False
        by_dimension: dict[str, list[tuple]] = {dimension: [] for dimension in FACET_DIMENSIONS}
        for dimension, value, code, name_en, name_zh, sort_key, count in rows:
            if dimension == "total":
                total = count
                capped = capped or count > self.cap
            elif dimension.endswith(":size"):
                capped = capped or count > self.cap
            else:
                by_dimension[dimension].append((value, code, name_en, name_zh, sort_key, count))
        return total, by_dimension, capped

    def _label(self, dimension: str, code: str, name_en: str, name_zh: str) -> str:
        chinese = self.language.lower().startswith("zh")
        if dimension in _CHOICE_LABELS:
            return str(_CHOICE_LABELS[dimension].get(code, code))
        if dimension == "level":
            framework, _sep, level = code.partition(" ")
            return _("%(framework)s level %(level)s") % {"framework": framework, "level": level}
        if dimension == "framework":
            return code
        return (name_zh if chinese and name_zh else name_en) or code

    def facets(self, raw: dict[str, list[tuple]]) -> dict[str, list[FacetOption]]:
        """Turn raw facet rows into labelled, ordered options for the reader's language."""
        facets: dict[str, list[FacetOption]] = {}
        for dimension, rows in raw.items():
            selected = {value.upper() for value in self.selected(FACET_PARAMETER[dimension])}
            if dimension in ("provider", "area"):
                rows = sorted(rows, key=lambda row: (-row[5], row[4]))[:FACET_OPTION_LIMIT]
            else:
                rows = sorted(rows, key=lambda row: row[4])
            facets[dimension] = [
                FacetOption(
                    value=value,
                    label=self._label(dimension, code, name_en, name_zh),
                    count=count,
                    selected=value.upper() in selected,
                )
                for value, code, name_en, name_zh, _sort, count in rows
            ]
        return facets

    def equivalences(self) -> list[Equivalence]:
        """The levels an `eqf` filter matched, each with the basis of its reference."""
        eqf = self.data.get("eqf")
        if not eqf:
            return []
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

    def page(self) -> SearchPage:
        """Return the asked-for page; a page past the last one comes back empty."""
        found, raw_facets, facets_capped = self.counts()
        total = min(found, self.cap)
        navigable = min(total, self.window_size or total)
        number = self.page_number
        size = self.page_size
        offset = (number - 1) * size
        rows: list[Credential] = []
        if offset < navigable:
            rows = self.results(offset, min(size, navigable - offset))
        return SearchPage(
            rows=rows,
            number=number,
            page_size=size,
            count=total,
            count_capped=found > self.cap,
            navigable=navigable,
            facets=self.facets(raw_facets),
            facets_capped=facets_capped,
            equivalences=self.equivalences(),
        )

    def iter_export(self, chunk_size: int = 2000) -> Iterator[Credential]:
        """Yield every result in order through a server-side cursor."""
        yield from self.export_rows().iterator(chunk_size=chunk_size)


def credential_search(
    *,
    params: Mapping[str, Any],
    language: str | None = None,
    today: datetime.date | None = None,
) -> CredentialSearch:
    """Validate search parameters and return the search; raises `SearchError` if invalid."""
    return CredentialSearch(params, language=language, today=today)
