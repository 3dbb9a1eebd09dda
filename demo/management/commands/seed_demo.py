from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from credentials.search.vocabulary import search_vocabulary_refresh
from demo.base import DemoDataError, SeedReport
from demo.seed import DEMO_DATA_DIR, seed_demo


class Command(BaseCommand):
    help = (
        "Load a realistic demo register (HK programmes, micro-credentials, UK qualifications, "
        "pathways, reviews and demo accounts). Safe to run again: it changes nothing twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DEMO_DATA_DIR,
            help="Folder holding the demo data files (default: demo/data in the repository).",
        )

    def handle(self, *args, data_dir: Path, **options) -> None:
        try:
            report = seed_demo(data_dir=data_dir)
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        # "Did you mean" should know the demo's words now, not at beat's next refresh.
        search_vocabulary_refresh()
        self._write_changes(report)
        self._write_accounts(report)
        totals = ", ".join(f"{count} {name}" for name, count in report.totals.items())
        self.stdout.write(self.style.SUCCESS(f"Demo register: {totals}."))

    def _write_changes(self, report: SeedReport) -> None:
        if not report.changed_anything:
            self.stdout.write("Demo data already up to date.")
            return
        for kind, count in sorted(report.created.items()):
            self.stdout.write(f"created {count} {kind}")
        for kind, count in sorted(report.updated.items()):
            self.stdout.write(f"updated {count} {kind}")

    def _write_accounts(self, report: SeedReport) -> None:
        rows = [("username", "role", "password")]
        rows += [(a.username, a.role, a.password) for a in report.accounts]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write("Demo accounts (passwords are set only when an account is created):")
        for i, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(f"  {line}".rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write("")
