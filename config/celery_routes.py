"""Which Celery queue each task goes to: settings.TASK_QUEUE_BY_NAME, plus one exception.

Queues keep a register sweep's thousand chunk tasks from delaying e-mail, imports and the
checks someone is waiting for. The table is by task name and lives in settings; this module
applies it, adds the per-environment prefix (tests use their own queues on a shared Redis) and
sends a one-credential check, which shares the sweep tasks' names, to "default".
"""

from functools import lru_cache
from typing import Any

from kombu import Exchange, Queue

# Sweep tasks take the sweep id first; these scopes are on-demand checks, not bulk sweeps.
SWEEP_MODEL = ("credentials", "StatusSweep")
ON_DEMAND_SCOPES = frozenset({"credential"})
SWEEPS_QUEUE = "sweeps"
ON_DEMAND_QUEUE = "default"


def task_queues(prefix: str, names: tuple[str, ...]) -> tuple[Queue, ...]:
    """Return the kombu queues a worker without -Q consumes: every queue, prefixed."""
    # An exchange and routing key of each queue's own name: a queue declared without them
    # would be reached through the default queue's exchange and land there.
    return tuple(
        Queue(f"{prefix}{name}", Exchange(f"{prefix}{name}"), routing_key=f"{prefix}{name}")
        for name in names
    )


def route_task(
    name: str, args: tuple, kwargs: dict, options: dict, task: Any = None, **_: Any
) -> dict[str, str] | None:
    """Celery router (task_routes): the queue for task ``name``, or None for the default."""
    from django.conf import settings

    queue = settings.TASK_QUEUE_BY_NAME.get(name)
    if queue is None:
        return None
    if queue == SWEEPS_QUEUE and _sweep_scope(_sweep_id(args, kwargs)) in ON_DEMAND_SCOPES:
        queue = ON_DEMAND_QUEUE
    return {"queue": f"{settings.TASK_QUEUE_PREFIX}{queue}"}


def _sweep_id(args: tuple, kwargs: dict) -> int | None:
    value = kwargs.get("sweep_id", args[0] if args else None)
    return value if isinstance(value, int) else None


@lru_cache(maxsize=4096)
def _sweep_scope(sweep_id: int | None) -> str | None:
    """A sweep's scope never changes, so one query per sweep serves all its chunks."""
    if sweep_id is None:
        return None
    from django.apps import apps

    model = apps.get_model(*SWEEP_MODEL)
    return model.objects.filter(pk=sweep_id).values_list("scope", flat=True).first()
