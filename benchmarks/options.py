"""What every benchmark command shares: its options, their checks, and the loaded register.

bench_search and bench_sweep take the same --n, --seed, --database-url, --reuse, --output
and --data-dir, and open the benchmark database the same way (reused when it already
holds the same N and seed, else dropped, re-created and loaded).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from .generate import MAX_ENTRIES
from .load import (
    DEFAULT_DATABASE,
    BenchDatabaseError,
    LoadReport,
    bench_register_load,
    bench_settings,
    database_exists,
    maintain_register,
    recreate_database,
    reusable_report,
    tune_database,
    use_database,
)
from .sources import BENCH_DATA_DIR, missing_files

Say = Callable[[str], None]


def add_bench_options(parser: CommandParser, *, output: str) -> None:
    """The options of every benchmark command; `output` names its JSON file in .bench/."""
    parser.add_argument("--n", type=int, default=100_000, help="Entries to load (100,000).")
    parser.add_argument("--seed", type=int, default=1, help="Generator seed (1).")
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
        default=settings.BASE_DIR / ".bench" / output,
        help=f"Where to write the figures as JSON (.bench/{output}).",
    )
    parser.add_argument("--data-dir", type=Path, default=BENCH_DATA_DIR)


def bench_say(stdout: Any) -> Say:
    """A progress line with the time, written to a command's `stdout` at once."""

    def say(message: str) -> None:
        stdout.write(f"[{timezone.localtime():%H:%M:%S}] {message}")
        stdout.flush()

    return say


def bench_register(options: dict[str, Any], say: Say) -> tuple[dict[str, Any], LoadReport]:
    """Check the shared options, then open the benchmark register (reused or loaded).

    Returns the database settings and the load report; raises CommandError on bad options.
    """
    n: int = options["n"]
    seed: int = options["seed"]
    if not 1 <= n <= MAX_ENTRIES:
        raise CommandError(f"--n must be between 1 and {MAX_ENTRIES:,}.")
    missing = missing_files(options["data_dir"])
    if missing:
        raise CommandError(f"{options['data_dir']} lacks {', '.join(missing)}.")
    try:
        target = bench_settings(options["database_url"] or None)
    except BenchDatabaseError as error:
        raise CommandError(str(error)) from error
    if options["reuse"] and database_exists(target):
        tune_database(target)
        use_database(target)
        report = reusable_report(n, seed)
        if report is not None:
            say(f"Reusing {target['NAME']}: {n:,} entries, seed {seed}")
            # A register loaded by older code is measured with this code's schema.
            call_command("migrate", verbosity=0)
            say(f"  cube deltas folded in and VACUUM ANALYZE in {maintain_register():.1f} s")
            return target, report
    say(f"Creating {target['NAME']} on {target['HOST'] or 'localhost'}:{target['PORT']}")
    recreate_database(target)
    tune_database(target)
    use_database(target)
    report = bench_register_load(
        n=n, seed=seed, data_dir=options["data_dir"], today=timezone.localdate(), say=say
    )
    return target, report


def bench_write(output: Path, result: dict[str, Any]) -> None:
    """Write the figures to `output` as JSON, replacing the file whole.

    A temporary file beside it is renamed over it, so a run that dies mid-write leaves the
    figures written before, never half a file.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=output.parent, prefix=f".{output.name}.", delete=False
    ) as file:
        file.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    os.replace(file.name, output)
