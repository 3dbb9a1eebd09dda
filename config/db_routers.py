"""Route public reads to the read replica, everything else to the primary (README, Scale-out).

Reads go to ``replica`` only where config.replica allows it (a public view's request, or a
``replica_reads()`` block) and never inside a transaction on the primary, which must see its
own writes. Sign-in data always comes from the primary: a session made a moment ago must
sign its user in, and a revoked token must stop working at once, not after replay.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from .replica import REPLICA, replica_configured, replica_reads_allowed

PRIMARY_ONLY_MODELS = frozenset(
    {"auth.user", "auth.group", "auth.permission", "sessions.session", "providers.apitoken"}
)


class ReplicaRouter:
    """Reads to the replica when allowed; writes and migrations only to the primary."""

    def db_for_read(self, model: type[Model], **hints) -> str | None:
        if not replica_configured():
            return None
        if (
            replica_reads_allowed()
            and model._meta.label_lower not in PRIMARY_ONLY_MODELS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool:
        # Both aliases hold the same rows: a replica-read credential may point at a
        # primary-read provider.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
