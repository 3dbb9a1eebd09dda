"""Short-lived caching of browse counts, made stale at once when the register changes.

A browse (filters, no text) is counted exactly over every match, which at a million
entries takes a few hundred milliseconds: too slow for every request, fine once per
`SEARCH_FACET_CACHE_SECONDS` per filter combination. Its pages (the ids on them) are
kept as long: a title-ordered page of a filter that correlates with titles can walk
much of the title index before it fills. Entries carry the register's
generation, a counter that every saved or deleted credential (and provider, framework,
level, level reference or area, whose names and links facets and filters use) bumps, so an
edit shows in the next count.
Writes that bypass `save()` (QuerySet.update, bulk loads) show within the timeout, or at
once after `search_cache_invalidate()`.

With a read replica (config.db_routers) the counts are computed where public reads go, which
may not have replayed the write that bumped the generation yet: each bump also records the
primary's WAL position, and a value read from the replica is cached only once the replica
has replayed that far (otherwise it is served, uncached, and the next request tries again).
Two writers that record their positions in the opposite order of their bumps can leave the
older position in place; a count missing the later write then lasts until the next write or
the timeout.

Small lookups every request would otherwise repeat (the levels an `eqf` filter names) are
kept in the process's own memory under the same generation (`process_cached`): a save in any
process bumps it, so no process serves them past an edit. Without a generation in the cache
(flushed, or Redis unreachable) nothing is kept, and a new generation starts at a random
number, so a value kept before a flush cannot match the generation that follows it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

from config.replica import primary_wal_position, replica_has_replayed

GENERATION_KEY = "credential-search:generation"
POSITION_KEY = "credential-search:generation-wal-position"
DEFAULT_FACET_CACHE_SECONDS = 300
# Bounds process_cached's memory; its keys are few (one per EQF level) in practice.
PROCESS_CACHE_LIMIT = 256

T = TypeVar("T")


def facet_cache_seconds() -> int:
    return int(getattr(settings, "SEARCH_FACET_CACHE_SECONDS", DEFAULT_FACET_CACHE_SECONDS))


@dataclass(frozen=True)
class Lookup:
    """What the cache held for `key`, and the generation it was read in (None: the cache
    holds no generation) with the WAL position of its last bump."""

    key: str
    generation: int | None
    hit: bool
    value: Any = None
    position: str | None = None


def cache_lookup(key: str) -> Lookup:
    """Read `key`; a value stored in an older generation is a miss."""
    (lookup,) = cache_lookups([key])
    return lookup


def cache_lookups(keys: Sequence[str]) -> list[Lookup]:
    """Read several keys in one round trip, all against the same generation."""
    found = cache.get_many([*keys, GENERATION_KEY, POSITION_KEY])
    generation = found.get(GENERATION_KEY)
    position = found.get(POSITION_KEY)
    lookups = []
    for key in keys:
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            lookups.append(Lookup(key, generation, True, entry[1], position))
        else:
            lookups.append(Lookup(key, generation, False, position=position))
    return lookups


def generation_read() -> Lookup:
    """The current generation alone, for process_cached: a Lookup of no key."""
    found = cache.get_many([GENERATION_KEY, POSITION_KEY])
    return Lookup("", found.get(GENERATION_KEY), False, position=found.get(POSITION_KEY))


def cache_store(
    lookup: Lookup, value: Any, seconds: int, *, read_from: str = DEFAULT_DB_ALIAS
) -> None:
    """Store `value` under the generation read at lookup: a write committed since then
    bumped the generation, and the next request recomputes instead of trusting a value
    that may predate the write. A value read from database `read_from` that has not yet
    replayed the generation's last write is not stored."""
    if replica_has_replayed(read_from, lookup.position):
        cache.set(lookup.key, (lookup.generation, value), seconds)


def cached_while_current(
    key: str,
    compute: Callable[[], T],
    seconds: int,
    *,
    read_from: str = DEFAULT_DB_ALIAS,
    lookup: Lookup | None = None,
) -> T:
    """Return the value cached for `key` in the current generation, else compute it (from
    database `read_from`) and store it (nothing is cached when `seconds` is 0). `lookup`:
    `key` already read, along with others (cache_lookups)."""
    if seconds <= 0:
        return compute()
    if lookup is None or lookup.key != key:
        lookup = cache_lookup(key)
    if lookup.hit:
        return lookup.value
    value = compute()
    cache_store(lookup, value, seconds, read_from=read_from)
    return value


# key -> (generation, expiry on time.monotonic(), value); plain dict operations are atomic
# under the GIL, which is all gunicorn's threads share here.
_process_values: dict[str, tuple[int, float, Any]] = {}


def process_cached(
    key: str,
    compute: Callable[[], T],
    seconds: int,
    *,
    lookup: Lookup,
    read_from: str = DEFAULT_DB_ALIAS,
) -> T:
    """Return the value this process keeps for `key` in the generation `lookup` was read
    in, else compute it (from database `read_from`) and keep it for at most `seconds`.

    Nothing is kept when `seconds` is 0, when the cache holds no generation (a bump could
    not be seen), or when `read_from` has not replayed the generation's last write.
    """
    generation = lookup.generation
    if seconds <= 0 or generation is None:
        return compute()
    entry = _process_values.get(key)
    now = time.monotonic()
    if entry is not None and entry[0] == generation and entry[1] > now:
        return entry[2]
    value = compute()
    if replica_has_replayed(read_from, lookup.position):
        if len(_process_values) >= PROCESS_CACHE_LIMIT:
            _process_values.clear()
        _process_values[key] = (generation, now + seconds, value)
    return value


def search_cache_invalidate() -> None:
    """Make every cached browse count stale."""
    position = primary_wal_position()
    if position is not None:
        # Recorded before the bump, so a reader of the new generation finds this position.
        cache.set(POSITION_KEY, position, timeout=None)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): start one, at random (see above)
        cache.add(GENERATION_KEY, secrets.randbelow(2**62) + 1, timeout=None)


def search_cache_invalidate_on_change() -> None:
    """Invalidate now and again after commit: now for readers of this transaction's own
    writes, after commit for a count computed by another request in between."""
    search_cache_invalidate()
    transaction.on_commit(search_cache_invalidate)
