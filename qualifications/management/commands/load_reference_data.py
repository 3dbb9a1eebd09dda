from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qualifications.reference_data import reference_data_load


class Command(BaseCommand):
    help = "Load framework levels, level references, credit conventions and areas of study."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.REFERENCE_DATA_DIR,
            help="Folder holding frameworks.json, uk/ and hk/ (default: qualifications/data).",
        )

    def handle(self, *args, data_dir: Path, **options) -> None:
        if not (data_dir / "frameworks.json").is_file():
            raise CommandError(f"No frameworks.json in {data_dir}.")
        report = reference_data_load(data_dir=data_dir)
        if not report.changed_anything:
            self.stdout.write("Reference data already up to date.")
            return
        for kind, count in sorted(report.created.items()):
            self.stdout.write(f"created {count} {kind}")
        for kind, count in sorted(report.updated.items()):
            self.stdout.write(f"updated {count} {kind}")
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
