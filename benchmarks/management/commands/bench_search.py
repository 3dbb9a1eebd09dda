import datetime
import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks.exports import format_exports, time_exports
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
from benchmarks.measure import (
    format_queries,
    format_table,
    machine,
    summarise,
    time_queries,
)
from benchmarks.queries import query_mix
from benchmarks.sources import BENCH_DATA_DIR, missing_files
from credentials.search.cache import search_cache_invalidate


class Command(BaseCommand):
    help = (
        "Load N generated register entries into a separate benchmark database through the "
        "bulk path, then time a fixed query mix through the search API and as raw SQL "
        "(DESIGN.md, Targets). The working database is never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--n", type=int, default=100_000, help="Entries to load (100,000).")
        parser.add_argument("--seed", type=int, default=1, help="Generator seed (1).")
        parser.add_argument(
            "--repetitions", type=int, default=10, help="Timed runs of each query (10)."
        )
        parser.add_argument("--warmup", type=int, default=2, help="Untimed runs first (2).")
        parser.add_argument(
            "--database-url",
            default="",
            help=f"Benchmark database (its name must contain 'bench'; it is dropped and "
            f"re-created). Default: {DEFAULT_DATABASE} on the working database's server.",
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Keep the benchmark database if it already holds the same N and seed.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / ".bench" / "results.json",
            help="Where to write the figures as JSON (.bench/results.json).",
        )
        parser.add_argument("--data-dir", type=Path, default=BENCH_DATA_DIR)
        parser.add_argument(
            "--no-exports",
            dest="exports",
            action="store_false",
            help="Skip timing the CSV exports (the whole register takes a minute or more).",
        )

    def handle(self, *args, **options) -> None:
        n: int = options["n"]
        seed: int = options["seed"]
        if not 1 <= n <= MAX_ENTRIES:
            raise CommandError(f"--n must be between 1 and {MAX_ENTRIES:,}.")
        if options["repetitions"] < 1 or options["warmup"] < 0:
            raise CommandError("--repetitions must be at least 1 and --warmup not negative.")
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

        report = None
        if options["reuse"] and database_exists(target):
            use_database(target)
            report = reusable_report(n, seed)
            if report:
                say(f"Reusing {target['NAME']}: {n:,} entries, seed {seed}")
        if report is None:
            say(f"Creating {target['NAME']} on {target['HOST'] or 'localhost'}:{target['PORT']}")
            recreate_database(target)
            use_database(target)
            report = bench_register_load(
                n=n, seed=seed, data_dir=options["data_dir"], today=timezone.localdate(), say=say
            )
        figures = report.as_dict()
        self.stdout.write(
            f"Load: {n:,} rows in {figures['total_seconds']:.1f} s = "
            f"{figures['rows_per_second']:,.0f} rows/s (COPY {figures['copy_rows_per_second']:,.0f}"
            f" rows/s, documents {figures['documents_rows_per_second']:,.0f} rows/s, GIN index "
            f"{report.index_seconds:.1f} s, VACUUM ANALYZE {report.analyze_seconds:.1f} s)"
            + (" [from the earlier load]" if report.reused else "")
        )

        # Every query's first request then pays for its counts (the "first" column).
        search_cache_invalidate()
        # DEBUG would make every query also be logged in memory: not what production runs.
        # Nor its rate limits: the benchmark is one client asking thousands of times.
        no_limits = dict.fromkeys(settings.THROTTLE_RATES)
        # Nor a log line per request: thousands of them would bury the figures.
        logging.getLogger("registry.request").setLevel(logging.WARNING)
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["localhost"], THROTTLE_RATES=no_limits):
            timings = time_queries(
                query_mix(),
                repetitions=options["repetitions"],
                warmup=options["warmup"],
                say=say,
            )
            exports = time_exports(say) if options["exports"] else []
        summary = summarise(timings)
        result = {
            "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "n": n,
            "seed": seed,
            "repetitions": options["repetitions"],
            "warmup": options["warmup"],
            "machine": machine(),
            "load": figures,
            **summary,
            "exports": [timing.as_dict() for timing in exports],
        }
        self.stdout.write(format_queries(summary))
        self.stdout.write(format_table(summary))
        if exports:
            self.stdout.write(format_exports(exports))
        for name, verdict in summary["targets"].items():
            mark = "met" if verdict["met"] else "NOT MET"
            self.stdout.write(
                f"target {name}: {verdict['measured']:.2f} (<= {verdict['target']:g}) {mark}"
            )
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
