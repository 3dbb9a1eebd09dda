"""Saved searches: the register's own search parameters, kept as a normalised query string.

A saved search is evaluated with the register's search service (``CredentialSearch``), the
same parameters and validation as the search page, but only over the records a batch of
change events names, never the whole register.
"""

import logging
from collections.abc import Collection

from django.http import QueryDict
from django.utils.translation import gettext as _

from credentials.search.service import CredentialSearch, SearchError

logger = logging.getLogger(__name__)

# Page, order, export format and the compare selection are how results are shown, not
# which records match.
NOT_THE_SEARCH = ("page", "page_size", "ordering", "format", "compare", "go")
MAX_QUERY_LENGTH = 2000


def search_normalise(params: QueryDict) -> str:
    """The search's parameters, sorted and without empty or display-only ones."""
    pairs = sorted(
        (name, value.strip())
        for name, values in params.lists()
        if name not in NOT_THE_SEARCH
        for value in values
        if value.strip()
    )
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    return query.urlencode()


def search_check(query: str) -> dict[str, list[str]]:
    """The search's problems by parameter; empty if the register's search accepts it."""
    if len(query) > MAX_QUERY_LENGTH:
        return {"query": [_("This search is too long to follow; remove some filters.")]}
    try:
        CredentialSearch(QueryDict(query))
    except SearchError as error:
        return {name: list(messages) for name, messages in error.message_dict.items()}
    return {}


def search_describe(query: str) -> str:
    """A short, readable name for a saved search in the active language."""
    params = QueryDict(query)
    parts = []
    if params.get("q"):
        parts.append(f"“{params['q']}”")
    parts.extend(
        f"{name}: {', '.join(params.getlist(name))}" for name in sorted(params) if name != "q"
    )
    return " · ".join(parts) or _("the whole register")


def search_matching_ids(query: str, credential_ids: Collection[int]) -> set[int]:
    """Which of these records the saved search finds now, in any public status unless the
    search names a status (so a follower also hears when a match is suspended or expires)."""
    if not credential_ids:
        return set()
    params = QueryDict(query)
    try:
        search = CredentialSearch(params)
    except SearchError as error:
        # The register's vocabulary moved on (a provider renamed, a level retired): the
        # search finds nothing now, and one stale search must not stop every follower's mail.
        logger.warning("Saved search %r no longer validates: %s", query, error.message_dict)
        return set()
    matches = search.matches() if params.get("status") else search.matches(exclude=("status",))
    return set(matches.filter(pk__in=list(credential_ids)).values_list("pk", flat=True))
