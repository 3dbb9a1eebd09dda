import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from imports.choices import ImportFormat


class Command(BaseCommand):
    help = (
        "Run import_register once and print, as JSON, how long its work took: storing the "
        "file, reading, checking, writing and the commit. The import benchmark runs this in "
        "a child process; interpreter and Django start-up are left out, as the worker that "
        "runs an uploaded file's import is already started."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=ImportFormat.values)
        parser.add_argument("path")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        call_command("import_register", "--format", options["format"], options["path"], verbosity=0)
        self.stdout.write(json.dumps({"seconds": time.perf_counter() - started}))
