import datetime
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks.measure import machine
from benchmarks.options import add_bench_options, bench_register, bench_say, bench_write
from benchmarks.sweep import sweep_bench_prepare, sweep_bench_restore, sweep_bench_run

# Issue 13's target for the local-rules sweep with about a third of the entries changing.
TARGET_CHECKS_PER_SECOND = 3000


class Command(BaseCommand):
    help = (
        "Time a local-rules status sweep of the benchmark register (loaded as bench_search "
        "loads it, or reused) with a share of the live entries due to expire. The working "
        "database is never touched; the register is put back as loaded afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_bench_options(parser, output="sweep.json")
        parser.add_argument(
            "--changing",
            type=float,
            default=0.3,
            help="Share of live entries whose validity ended yesterday (0.3).",
        )
        parser.add_argument(
            "--transitions",
            choices=["bulk", "each"],
            default="bulk",
            help="bulk: the sweeps' set-based path (default); each: one credential at a time.",
        )

    def handle(self, *args, **options) -> None:
        n: int = options["n"]
        if not 0 <= options["changing"] <= 1:
            raise CommandError("--changing must be between 0 and 1.")
        say = bench_say(self.stdout)
        bench_register(options, say)
        today = timezone.localdate()
        live, due = sweep_bench_prepare(changing=options["changing"], today=today)
        load_before = os.getloadavg()
        with override_settings(DEBUG=False):
            report = sweep_bench_run(
                transitions=options["transitions"], today=today, live=live, due=due, say=say
            )
        load_after = os.getloadavg()
        say("Putting the register back as loaded")
        sweep_bench_restore()

        figures = report.as_dict()
        met = report.checks_per_second >= TARGET_CHECKS_PER_SECOND
        self.stdout.write(
            f"Sweep ({report.transitions}): {report.checked:,} checks, {report.changed:,} "
            f"changes in {report.seconds:.1f} s = {report.checks_per_second:,.0f} checks/s "
            f"(target >= {TARGET_CHECKS_PER_SECOND:,}: {'met' if met else 'NOT MET'}); "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
        )
        result = {
            "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "n": n,
            "seed": options["seed"],
            "changing": options["changing"],
            "machine": machine(),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "sweep": figures,
            "target_met": met,
        }
        output: Path = options["output"]
        bench_write(output, result)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
