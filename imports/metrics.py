"""Running imports as Prometheus gauges, read from PostgreSQL at scrape time."""

from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .choices import ImportState
from .models import ImportJob


class ImportProgressCollector(Collector):
    """Rows done/total of each running import."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        done = GaugeMetricFamily(
            "registry_import_rows_done",
            "Rows done so far by each running import.",
            labels=["import_job", "format"],
        )
        total = GaugeMetricFamily(
            "registry_import_rows_total",
            "Rows in the file of each running import.",
            labels=["import_job", "format"],
        )
        try:
            jobs = list(
                ImportJob.objects.filter(state=ImportState.RUNNING).values_list(
                    "pk", "format", "rows_done", "rows_total"
                )
            )
        except DatabaseError:
            return
        for pk, file_format, rows, of in jobs:
            done.add_metric([str(pk), file_format], rows)
            total.add_metric([str(pk), file_format], of)
        yield from (done, total)
