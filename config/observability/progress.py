"""Running status sweeps and imports, read from PostgreSQL at scrape time.

The only module here that imports register models: when those models move app, retarget
the two imports below.
"""

from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from credentials.choices import ImportState, SweepState
from credentials.models import ImportJob, StatusSweep


class ProgressCollector(Collector):
    """Checked/total of each running sweep and rows done/total of each running import."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        sweep_checked = GaugeMetricFamily(
            "registry_status_sweep_checked",
            "Credentials checked so far by each running status sweep.",
            labels=["sweep", "scope"],
        )
        sweep_total = GaugeMetricFamily(
            "registry_status_sweep_total",
            "Credentials each running status sweep has to check.",
            labels=["sweep", "scope"],
        )
        import_done = GaugeMetricFamily(
            "registry_import_rows_done",
            "Rows done so far by each running import.",
            labels=["import_job", "format"],
        )
        import_total = GaugeMetricFamily(
            "registry_import_rows_total",
            "Rows in the file of each running import.",
            labels=["import_job", "format"],
        )
        try:
            sweeps = list(
                StatusSweep.objects.filter(state=SweepState.RUNNING).values_list(
                    "pk", "scope", "checked", "total"
                )
            )
            imports = list(
                ImportJob.objects.filter(state=ImportState.RUNNING).values_list(
                    "pk", "format", "rows_done", "rows_total"
                )
            )
        except DatabaseError:
            # The scrape still answers; /healthz is where a database outage shows.
            return
        for pk, scope, checked, total in sweeps:
            sweep_checked.add_metric([str(pk), scope], checked)
            sweep_total.add_metric([str(pk), scope], total)
        for pk, file_format, done, total in imports:
            import_done.add_metric([str(pk), file_format], done)
            import_total.add_metric([str(pk), file_format], total)
        yield from (sweep_checked, sweep_total, import_done, import_total)
