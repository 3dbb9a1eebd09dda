from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from config.db_roles import as_owner
from operations.backup import database_backup, default_backup_path
from operations.pg_clients import BackupError, Server


class Command(BaseCommand):
    help = "Dump the database (pg_dump custom format) to backups/registry-<UTC time>.dump."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="Write the dump here instead.")

    def handle(self, *args, output: Path | None, **options) -> None:
        # As the owner (MIGRATION_DATABASE_URL) when there is one: it can read and drop every table.
        server = Server.from_settings(as_owner(connections[DEFAULT_DB_ALIAS].settings_dict))
        try:
            path = database_backup(server=server, path=output or default_backup_path())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size
        self.stdout.write(f"Backed up {server.describe()} to {path} ({size:,} bytes)")
