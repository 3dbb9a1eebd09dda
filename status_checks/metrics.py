"""Running status sweeps as Prometheus gauges, read from PostgreSQL at scrape time."""

from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .choices import SweepState
from .models import StatusSweep


class SweepProgressCollector(Collector):
    """Checked/total of each running sweep."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        checked = GaugeMetricFamily(
            "registry_status_sweep_checked",
            "Credentials checked so far by each running status sweep.",
            labels=["sweep", "scope"],
        )
        total = GaugeMetricFamily(
            "registry_status_sweep_total",
            "Credentials each running status sweep has to check.",
            labels=["sweep", "scope"],
        )
        try:
            sweeps = list(
                StatusSweep.objects.filter(state=SweepState.RUNNING).values_list(
                    "pk", "scope", "checked", "total"
                )
            )
        except DatabaseError:
            # The scrape still answers; /healthz is where a database outage shows.
            return
        for pk, scope, done, of in sweeps:
            checked.add_metric([str(pk), scope], done)
            total.add_metric([str(pk), scope], of)
        yield from (checked, total)
