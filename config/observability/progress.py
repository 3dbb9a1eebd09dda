"""Progress gauges of long-running work (sweeps, imports), read from PostgreSQL at scrape time.

Each app that owns such rows subclasses ``RunningProgressCollector`` in its ``metrics`` module
and names it in ``METRICS_COLLECTORS``; the scrape logic lives here once.
"""

from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class RunningProgressCollector(Collector):
    """Two gauges, work done and work in all, for each running job of one kind.

    A subclass names the gauges and their two labels (the job's id, then one more) and gives
    ``rows()``: (job id, label value, done, total) for each running job.
    """

    done_name: str
    done_help: str
    total_name: str
    total_help: str
    labels: tuple[str, str]

    def rows(self) -> list[tuple[int, str, int, int]]:
        raise NotImplementedError

    def collect(self) -> Iterator[GaugeMetricFamily]:
        done = GaugeMetricFamily(self.done_name, self.done_help, labels=list(self.labels))
        total = GaugeMetricFamily(self.total_name, self.total_help, labels=list(self.labels))
        try:
            rows = self.rows()
        except DatabaseError:
            # The scrape still answers; /healthz is where a database outage shows.
            return
        for pk, label, so_far, of in rows:
            done.add_metric([str(pk), label], so_far)
            total.add_metric([str(pk), label], of)
        yield from (done, total)
