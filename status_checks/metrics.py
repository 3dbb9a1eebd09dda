"""Running status sweeps as Prometheus gauges, read from PostgreSQL at scrape time."""

from config.observability.progress import RunningProgressCollector

from .choices import SweepState
from .models import StatusSweep


class SweepProgressCollector(RunningProgressCollector):
    """Checked/total of each running sweep."""

    done_name = "registry_status_sweep_checked"
    done_help = "Credentials checked so far by each running status sweep."
    total_name = "registry_status_sweep_total"
    total_help = "Credentials each running status sweep has to check."
    labels = ("sweep", "scope")

    def rows(self) -> list[tuple[int, str, int, int]]:
        return list(
            StatusSweep.objects.filter(state=SweepState.RUNNING).values_list(
                "pk", "scope", "checked", "total"
            )
        )
