"""Derive the cache's and the status checks' Redis URLs from REDIS_URL's database number."""

from urllib.parse import urlsplit, urlunsplit

HIGHEST_DB = 15


def redis_db_url(url: str, offset: int) -> str:
    """Return ``url`` with its database number raised by ``offset`` (``/4`` + 1 → ``/5``).

    Raises ValueError when the database is not a number or the result passes Redis's default
    highest database, so a misconfiguration stops the start instead of sharing a database.
    """
    parts = urlsplit(url)
    current = parts.path.strip("/") or "0"
    if not current.isdigit():
        raise ValueError(f"REDIS_URL {url!r} names database {current!r}, not a number")
    target = int(current) + offset
    if target > HIGHEST_DB:
        raise ValueError(
            f"REDIS_URL {url!r} uses database {current}; the cache and status-check state need "
            f"database {target}, past {HIGHEST_DB}: use a lower number or set CACHE_URL and "
            "STATUS_CHECK_REDIS_URL"
        )
    return urlunsplit(parts._replace(path=f"/{target}"))
