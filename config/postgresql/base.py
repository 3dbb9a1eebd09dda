"""PostgreSQL whose connection health check asks the server only when something is pending.

With CONN_HEALTH_CHECKS, Django asks a reused connection ``SELECT 1`` before each request's
first query. On two cores shared with PostgreSQL that round trip was a sixth of a search
request's time under load (docs/performance.md). A server that ends a session (a restart, a
failover, ``pg_terminate_backend``, an idle timeout) writes its goodbye and closes the socket,
so the socket turns readable while nothing was asked; an idle, healthy session has nothing to
read. So a connection psycopg already saw fail is unusable, a quiet socket is usable, and only
a readable one (a goodbye, or anything else, such as TLS records) gets Django's SELECT 1.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        # poll, not select: select refuses descriptors past 1023, which a busy process reaches.
        waiting = select.poll()
        waiting.register(connection.fileno(), select.POLLIN)
        return not waiting.poll(0) or super().is_usable()
