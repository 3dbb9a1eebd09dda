import datetime
import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks.generate import MAX_ENTRIES
from benchmarks.load import (
    DEFAULT_DATABASE,
    BenchDatabaseError,
    bench_register_load,
    bench_settings,
    database_exists,
    recreate_database,
    reusable_report,
    use_database,
)
from benchmarks.measure import machine
from benchmarks.sources import BENCH_DATA_DIR, missing_files
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
        parser.add_argument("--n", type=int, default=100_000, help="Entries to load (100,000).")
        parser.add_argument("--seed", type=int, default=1, help="Generator seed (1).")
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
        parser.add_argument(
            "--database-url",
            default="",
            help=f"Benchmark database (its name must contain 'bench'). Default: "
            f"{DEFAULT_DATABASE} on the working database's server.",
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Keep the benchmark database if it already holds the same N and seed.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / ".bench" / "sweep.json",
            help="Where to write the figures as JSON (.bench/sweep.json).",
        )
        parser.add_argument("--data-dir", type=Path, default=BENCH_DATA_DIR)

    def handle(self, *args, **options) -> None:
        n: int = options["n"]
        if not 1 <= n <= MAX_ENTRIES:
            raise CommandError(f"--n must be between 1 and {MAX_ENTRIES:,}.")
        if not 0 <= options["changing"] <= 1:
            raise CommandError("--changing must be between 0 and 1.")
        missing = missing_files(options["data_dir"])
        if missing:
            raise CommandError(f"{options['data_dir']} lacks {', '.join(missing)}.")
        try:
            target = bench_settings(options["database_url"] or None)
        except BenchDatabaseError as error:
            raise CommandError(str(error)) from error

        def say(message: str) -> None:
            self.stdout.write(f"[{timezone.localtime():%H:%M:%S}] {message}")
            self.stdout.flush()

        today = timezone.localdate()
        reused = options["reuse"] and database_exists(target)
        if reused:
            use_database(target)
            reused = reusable_report(n, options["seed"]) is not None
        if reused:
            say(f"Reusing {target['NAME']}: {n:,} entries")
        else:
            say(f"Creating {target['NAME']} with {n:,} entries")
            recreate_database(target)
            use_database(target)
            bench_register_load(
                n=n, seed=options["seed"], data_dir=options["data_dir"], today=today, say=say
            )
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
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
