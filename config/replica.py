"""When reads may go to the read replica: a per-request flag, set for public pages only.

Public, read-only views (search, browse, record pages, compare, verify, the public API and
exports) tolerate data a fraction of a second old; everything else — the workspace, reviews,
staff pages, any write — must read what it, or the request before it, wrote. The flag lives
in a context variable, so the router (config.db_routers) needs no request and the views need
no `.using()`. It is keyed on URL names, not on view modules, so apps can move freely.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from fnmatch import fnmatchcase

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Set on the response to any write, so the same browser reads the primary for a while and
# sees its own change on the public pages even while the replica replays it.
PIN_COOKIE = "registry_primary"
DEFAULT_PIN_SECONDS = 10

# The URL names (namespace:name, shell-style patterns) whose GET requests read the replica.
PUBLIC_VIEWS = (
    "credentials:*",
    "api:credential-list",
    "api:credential-detail",
    "api:credential-openbadges",
    "api:credential-ctdl",
    "api:verify",
    "api:export-register",
    "api:provider-list",
    "api:provider-detail",
    "api:framework-list",
    "api:framework-detail",
    "api:level-list",
    "api:level-detail",
)

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
logger = logging.getLogger(__name__)


def replica_configured() -> bool:
    """Tell whether a separate replica alias exists; a test mirror of default is not one."""
    replica = connections.settings.get(REPLICA)
    return replica is not None and not replica.get("TEST", {}).get("MIRROR")


def replica_reads_allowed() -> bool:
    """Tell whether the code running now may read from the replica."""
    return _replica_reads.get()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads inside this block go to the replica (a no-op without one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def is_public_view(view_name: str) -> bool:
    """Tell whether the named view only reads public data that may lag the primary."""
    return any(fnmatchcase(view_name, pattern) for pattern in PUBLIC_VIEWS)


def pin_seconds() -> int:
    return int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", DEFAULT_PIN_SECONDS))


def primary_wal_position() -> str | None:
    """The primary's current WAL position, or None when there is no replica to compare."""
    if not replica_configured():
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replica_has_replayed(alias: str, position: str | None) -> bool:
    """Tell whether database ``alias`` shows every change up to WAL ``position``.

    The primary always does; a standby does once it has replayed that far.
    """
    if position is None or alias != REPLICA or not replica_configured():
        return True
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [position])
        return bool(cursor.fetchone()[0])


def replica_reachable() -> bool:
    """Open (or keep) the replica connection; False, logged, when the replica is down, so
    public pages fall back to the primary instead of failing."""
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        logger.warning("read replica unreachable: public reads use the primary", exc_info=True)
        return False
    return True


def _streamed_on_replica(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Keep replica reads allowed while a streamed body is produced, after the view returned:
    an export's cursor opens, and fetches, only as the server sends the response."""
    iterator = iter(chunks)
    while True:
        token = _replica_reads.set(True)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _replica_reads.reset(token)
        yield chunk


class ReplicaReadsMiddleware:
    """Allow replica reads for safe requests to public views; pin a writer to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.replica_reads_token = None
        try:
            response = self.get_response(request)
        finally:
            token = request.replica_reads_token
            if token is not None:
                _replica_reads.reset(token)
        if token is not None and response.streaming:
            response.streaming_content = _streamed_on_replica(response.streaming_content)
        if request.method not in SAFE_METHODS and replica_configured() and pin_seconds() > 0:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=pin_seconds(),
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if (
            request.method in SAFE_METHODS
            and PIN_COOKIE not in request.COOKIES
            and replica_configured()
            and is_public_view(request.resolver_match.view_name)
            and replica_reachable()
        ):
            request.replica_reads_token = _replica_reads.set(True)
