from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from config.db_roles import AppRoleError, as_owner, grant_configured_app_role
from credentials.search.cache import search_cache_invalidate
from operations.backup import check_archive, database_restore
from operations.pg_clients import BackupError, Server


class Command(BaseCommand):
    help = "Replace the database with a backup made by `manage.py backup` (pg_restore --clean)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A dump made by `make backup`.")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file: Path, interactive: bool, **options) -> None:
        # As the owner (MIGRATION_DATABASE_URL) when there is one: it can read and drop every table.
        server = Server.from_settings(as_owner(connections[DEFAULT_DB_ALIAS].settings_dict))
        try:
            check_archive(file)
            if interactive:
                try:
                    answer = input(
                        f"This replaces every table of {server.describe()} with {file}.\n"
                        "Stop the web server, workers and beat first. Type 'yes' to go on: "
                    )
                except EOFError:
                    raise CommandError(
                        "No answer (input is not a terminal): pass --no-input to restore"
                        " without asking. Nothing changed."
                    ) from None
                if answer.strip() != "yes":
                    raise CommandError("Restore cancelled; nothing changed.")
            # The restore runs in another process: this one must hold no locks or snapshot.
            connections.close_all()
            database_restore(server=server, path=file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        # The restore recreated every table without grants: give the application role its own.
        connection = connections[DEFAULT_DB_ALIAS]
        saved = dict(connection.settings_dict)
        connection.settings_dict.update(as_owner(saved))
        try:
            said = grant_configured_app_role(connection)
        except AppRoleError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            connection.close()
            connection.settings_dict.update(saved)
        self.stdout.write(said)
        # Cached search counts describe the database as it was before.
        search_cache_invalidate()
        self.stdout.write(f"Restored {file} into {server.describe()}")
