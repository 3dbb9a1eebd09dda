"""Celery queue depth, read from the broker's Redis at scrape time."""

from collections.abc import Iterator

import redis
from django.conf import settings
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# kombu's Redis transport keeps one list per queue and priority step; step 0 is the queue's
# own name, the others append a separator and the step (kombu.transport.redis).
_PRIORITY_STEPS = (0, 3, 6, 9)
_PRIORITY_SEPARATOR = "\x06\x16"


def queue_names() -> list[str]:
    """Every queue the settings route tasks to, the default queue first."""
    names = [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")]
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    for table in routes if isinstance(routes, list | tuple) else [routes]:
        if isinstance(table, dict):
            names += [route["queue"] for route in table.values() if isinstance(route, dict)]
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ():
        names.append(getattr(queue, "name", queue))
    return list(dict.fromkeys(name for name in names if isinstance(name, str) and name))


def _keys(queue: str, prefix: str) -> list[str]:
    return [
        prefix + (queue if step == 0 else f"{queue}{_PRIORITY_SEPARATOR}{step}")
        for step in _PRIORITY_STEPS
    ]


class QueueDepthCollector(Collector):
    """`registry_celery_queue_length{queue}`: messages waiting, not those being worked."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "registry_celery_queue_length",
            "Messages waiting in each Celery queue in the broker.",
            labels=["queue"],
        )
        up = GaugeMetricFamily(
            "registry_celery_broker_up", "1 when the broker answered the queue-depth read."
        )
        prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
        )
        try:
            names = queue_names()
            pipe = client.pipeline(transaction=False)
            for name in names:
                for key in _keys(name, prefix):
                    pipe.llen(key)
            lengths = pipe.execute()
        except redis.RedisError:
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            steps = len(_PRIORITY_STEPS)
            for index, name in enumerate(names):
                gauge.add_metric([name], sum(lengths[index * steps : (index + 1) * steps]))
        finally:
            client.close()
        yield gauge
        yield up
