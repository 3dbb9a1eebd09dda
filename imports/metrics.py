"""Running imports as Prometheus gauges, read from PostgreSQL at scrape time."""

from config.observability.progress import RunningProgressCollector

from .choices import ImportState
from .models import ImportJob


class ImportProgressCollector(RunningProgressCollector):
    """Rows done/total of each running import."""

    done_name = "registry_import_rows_done"
    done_help = "Rows done so far by each running import."
    total_name = "registry_import_rows_total"
    total_help = "Rows in the file of each running import."
    labels = ("import_job", "format")

    def rows(self) -> list[tuple[int, str, int, int]]:
        return list(
            ImportJob.objects.filter(state=ImportState.RUNNING).values_list(
                "pk", "format", "rows_done", "rows_total"
            )
        )
