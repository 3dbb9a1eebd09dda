from django.core.management.base import BaseCommand, CommandParser

from credentials.search.index import DEFAULT_BATCH_SIZE, search_index_rebuild


class Command(BaseCommand):
    help = (
        "Re-install the search-document SQL (functions and triggers) and recompute every "
        "credential's search document. Run after a bulk load that bypassed the trigger, or "
        "after upgrading the Chinese conversion tables."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--no-reinstall",
            action="store_true",
            help="Keep the installed SQL functions; only recompute the documents.",
        )

    def handle(self, *args, batch_size: int, no_reinstall: bool, **options) -> None:
        def progress(done: int, span: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done} rows")

        touched = search_index_rebuild(
            batch_size=batch_size, reinstall=not no_reinstall, progress=progress
        )
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search documents of {touched} rows."))
