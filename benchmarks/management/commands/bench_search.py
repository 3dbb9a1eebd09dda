import datetime
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks.browse import format_browses, time_browses
from benchmarks.exports import format_exports, time_exports
from benchmarks.headline import format_headline, headline
from benchmarks.imports import format_imports, time_imports
from benchmarks.measure import (
    format_queries,
    format_table,
    machine,
    summarise,
    time_queries,
)
from benchmarks.options import add_bench_options, bench_register, bench_say, bench_write
from benchmarks.queries import query_mix
from benchmarks.server import time_server
from benchmarks.sweep import sweep_bench_prepare, sweep_bench_restore, sweep_bench_run
from credentials.search.cache import search_cache_invalidate


class Command(BaseCommand):
    help = (
        "Load N generated register entries into a separate benchmark database through the "
        "bulk path, then time a fixed query mix through the search API and as raw SQL "
        "(DESIGN.md, Targets). The working database is never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_bench_options(parser, output="results.json")
        parser.add_argument(
            "--repetitions", type=int, default=10, help="Timed runs of each query (10)."
        )
        parser.add_argument("--warmup", type=int, default=2, help="Untimed runs first (2).")
        parser.add_argument(
            "--no-exports",
            dest="exports",
            action="store_false",
            help="Skip timing the CSV exports (the whole register takes a minute or more).",
        )
        parser.add_argument(
            "--no-server",
            dest="server",
            action="store_false",
            help="Skip the load test against gunicorn (and the export through it).",
        )
        parser.add_argument("--clients", type=int, default=8, help="Concurrent clients (8).")
        parser.add_argument(
            "--seconds", type=float, default=30.0, help="Length of the load test (30 s)."
        )
        parser.add_argument(
            "--no-sweep",
            dest="sweep",
            action="store_false",
            help="Skip the local-rules status sweep (bench_sweep's, with 30%% changing).",
        )
        parser.add_argument(
            "--no-imports",
            dest="imports",
            action="store_false",
            help="Skip timing imports (a 100k-row registry CSV and the DfE list, twice each).",
        )

    def handle(self, *args, **options) -> None:
        n: int = options["n"]
        seed: int = options["seed"]
        if options["repetitions"] < 1 or options["warmup"] < 0:
            raise CommandError("--repetitions must be at least 1 and --warmup not negative.")
        if options["clients"] < 1 or options["seconds"] <= 0:
            raise CommandError("--clients must be at least 1 and --seconds positive.")
        say = bench_say(self.stdout)
        target, report = bench_register(options, say)
        figures = report.as_dict()
        self.stdout.write(
            f"Load: {n:,} rows in {figures['total_seconds']:.1f} s = "
            f"{figures['rows_per_second']:,.0f} rows/s (COPY {figures['copy_rows_per_second']:,.0f}"
            f" rows/s, documents {figures['documents_rows_per_second']:,.0f} rows/s, GIN index "
            f"{report.index_seconds:.1f} s, VACUUM ANALYZE {report.analyze_seconds:.1f} s)"
            + (" [from the earlier load]" if report.reused else "")
        )
        load_before = os.getloadavg()
        output: Path = options["output"]
        # Written again after every section, so a run that fails late keeps what it measured;
        # "complete" turns true with the last write, which adds the headline.
        result = {
            "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "n": n,
            "seed": seed,
            "repetitions": options["repetitions"],
            "warmup": options["warmup"],
            "machine": machine(),
            "load_average_before": load_before,
            "load_average_after": load_before,
            "load": figures,
            "complete": False,
        }

        def measured(**section: Any) -> None:
            result.update(section, load_average_after=os.getloadavg())
            bench_write(output, result)

        measured()
        # Every query's first request then pays for its counts (the "first" column).
        search_cache_invalidate()
        # DEBUG would make every query also be logged in memory: not what production runs.
        # Nor its rate limits: the benchmark is one client asking thousands of times.
        no_limits = dict.fromkeys(settings.THROTTLE_RATES)
        # Nor a log line per request: thousands of them would bury the figures.
        logging.getLogger("registry.request").setLevel(logging.WARNING)
        queries = query_mix()
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["localhost"], THROTTLE_RATES=no_limits):
            timings = time_queries(
                queries,
                repetitions=options["repetitions"],
                warmup=options["warmup"],
                say=say,
            )
            summary = summarise(timings)
            measured(**summary)
            browses = time_browses(options["repetitions"], say)
            measured(browse=[timing.as_dict() for timing in browses])
            exports = time_exports(say) if options["exports"] else []
            measured(exports=[timing.as_dict() for timing in exports])
        server = (
            time_server(
                target,
                queries,
                clients=options["clients"],
                seconds=options["seconds"],
                export=options["exports"],
                say=say,
            )
            if options["server"]
            else {}
        )
        measured(server=server)
        measured(sweep=self._sweep(say) if options["sweep"] else {})
        imports = time_imports(target, say) if options["imports"] else []
        measured(imports=[timing.as_dict() for timing in imports])
        result["headline"] = headline(result)
        self.stdout.write(format_queries(summary))
        self.stdout.write(format_table(summary))
        self.stdout.write(format_browses(browses))
        if exports:
            self.stdout.write(format_exports(exports))
        if imports:
            self.stdout.write(format_imports(imports))
        self.stdout.write(format_headline(result["headline"]))
        measured(complete=True)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))

    def _sweep(self, say) -> dict:
        """bench_sweep's measurement in this run: 30% of live entries due, put back after."""
        today = timezone.localdate()
        live, due = sweep_bench_prepare(changing=0.3, today=today)
        try:
            with override_settings(DEBUG=False):
                report = sweep_bench_run(
                    transitions="bulk", today=today, live=live, due=due, say=say
                )
        finally:
            say("Putting the register back as loaded")
            sweep_bench_restore()
        return report.as_dict()
