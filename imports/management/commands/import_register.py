from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.choices import ImportFormat
from imports.models import ImportJob
from imports.report import MAX_STORED_PROBLEMS
from imports.services import import_job_create, import_run
from providers.models import Provider


class Command(BaseCommand):
    help = (
        "Import a register file now, in this process, with the same service the upload uses: "
        "upsert by registration number, all or nothing per file. Prints the row-numbered "
        "report; exits non-zero when there were errors and nothing was written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=ImportFormat.values)
        parser.add_argument("path", metavar="PATH", type=Path)
        parser.add_argument(
            "--provider",
            metavar="SLUG",
            help="Put every row under this provider (Ofqual and DfE rows: as awarding body).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, then write nothing."
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows even when others have errors.",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        provider = None
        if options["provider"]:
            provider = Provider.objects.filter(slug=options["provider"]).first()
            if provider is None:
                raise CommandError(f"No provider with slug {options['provider']!r}.")
        job_id = import_job_create(
            actor=None,
            format=options["format"],
            content=path.read_bytes(),
            filename=path.name,
            provider=provider,
            dry_run=options["dry_run"],
            skip_bad_rows=options["skip_bad_rows"],
        ).pk
        # The run reads the stored file back; holding the bytes here too would double them.
        job = import_run(job=ImportJob(pk=job_id))
        self._print_report(job, verbosity=options["verbosity"])
        if job.error_count and (job.wrote_nothing or not (job.created_count or job.updated_count)):
            raise CommandError(
                f"Import #{job.pk}: {job.error_count} errors; nothing was imported.", returncode=1
            )

    def _print_report(self, job: ImportJob, *, verbosity: int) -> None:
        for problem in job.report.get("problems", []):
            if problem["severity"] == "warning" and verbosity < 2:
                continue
            where = f"row {problem['row']}" if problem["row"] is not None else "file"
            column = f" [{problem['column']}]" if problem["column"] else ""
            style = self.style.ERROR if problem["severity"] == "error" else self.style.WARNING
            self.stdout.write(style(f"{where}{column}: {problem['message']}"))
        if job.report.get("problems_not_stored"):
            self.stdout.write(
                f"... and {job.report['problems_not_stored']} more problems "
                f"(only the first {MAX_STORED_PROBLEMS} are kept)."
            )
        missing = job.report.get("missing_from_file")
        if missing:
            shown = ", ".join(missing["registration_numbers"][:20])
            self.stdout.write(
                self.style.WARNING(
                    f"{missing['count']} entries from earlier lists are not in this file "
                    f"(reported, not deleted): {shown}{' ...' if missing['count'] > 20 else ''}"
                )
            )
        if job.dry_run:
            outcome = "dry run: nothing written"
        elif job.wrote_nothing:
            outcome = "nothing written"
        else:
            outcome = "written"
        summary = (
            f"Import #{job.pk} ({job.get_format_display()}, {job.filename}): "
            f"{job.get_state_display().lower()}. {job.rows_total} rows: "
            f"{job.created_count} created, {job.updated_count} updated, "
            f"{job.unchanged_count} unchanged, {job.skipped_count} skipped "
            f"({outcome}). "
            f"{job.error_count} errors, {job.warning_count} warnings. "
            f"{job.report.get('elapsed_seconds', 0)} s, "
            f"{job.report.get('rows_per_second', 0)} rows/s."
        )
        style = self.style.ERROR if job.wrote_nothing and job.error_count else self.style.SUCCESS
        self.stdout.write(style(summary))
