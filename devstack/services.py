"""The services devstack manages, and starting only those the environment does not point at."""

import fcntl
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

from devstack.paths import STATE_DIR, int_setting, port_setting
from devstack.postgres import Postgres
from devstack.redis_server import Redis


class Service(Protocol):
    """What the command line needs from each server."""

    name: str
    env_var: str

    def url(self) -> str: ...
    def environment(self) -> dict[str, str]: ...
    def pid(self) -> int | None: ...
    def ensure(self) -> bool: ...
    def stop(self) -> bool: ...


def all_services() -> list[Service]:
    """Return every service devstack manages, in start order."""
    return [
        Postgres(
            port_setting("DEVSTACK_PG_PORT", 55432),
            durable=bool(int_setting("DEVSTACK_PG_DURABLE", 1, 1)),
        ),
        # Settings use databases N, N+1 and N+2 (broker, cache, status checks): N is at most 13.
        Redis(port_setting("DEVSTACK_REDIS_PORT", 56379), int_setting("DEVSTACK_REDIS_DB", 0, 13)),
    ]


@contextmanager
def state_lock() -> Iterator[None]:
    """Serialize starts and stops between devstack processes sharing one checkout."""
    STATE_DIR.mkdir(exist_ok=True)
    with (STATE_DIR / "lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def ensure(environ: Mapping[str, str], started: list[Service]) -> dict[str, str]:
    """Start each service whose URL variable is unset; return the environment with all URLs.

    Services this call starts are appended to ``started`` as they start, so a caller interrupted
    half-way still knows what to stop.
    """
    env = dict(environ)
    with state_lock():
        for service in all_services():
            if env.get(service.env_var):
                continue
            if service.pid() is None:
                started.append(service)
            service.ensure()
            env.update(service.environment())
    return env


def stop(services: list[Service]) -> list[Service]:
    """Stop ``services`` in reverse start order; return those that were running."""
    with state_lock():
        return [service for service in reversed(services) if service.stop()]


@contextmanager
def running(environ: Mapping[str, str] = os.environ) -> Iterator[dict[str, str]]:
    """Provide an environment with DATABASE_URL (the app role), MIGRATION_DATABASE_URL (the
    owner) and REDIS_URL; stop what was started on exit."""
    started: list[Service] = []
    try:
        yield ensure(environ, started)
    finally:
        for service in stop(started):
            print(f"devstack: stopped {service.name}", file=sys.stderr)
