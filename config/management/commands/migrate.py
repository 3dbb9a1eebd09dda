"""``migrate`` as the owner role, then the application role's grants.

With ``MIGRATION_DATABASE_URL`` set, the default connection logs in as that URL's role (the
owner) for the migrations and the grants, and as ``DATABASE_URL``'s role again afterwards.
Without it, one role does both and history is guarded by its triggers alone.
"""

from django.conf import settings
from django.core.management import CommandError
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from config.db_roles import AppRoleError, as_owner, grant_configured_app_role


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as MIGRATION_DATABASE_URL's role when that is set."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        owner = options["database"] == DEFAULT_DB_ALIAS and bool(settings.MIGRATION_DATABASE)
        saved = dict(connection.settings_dict)
        if owner:
            connection.close()
            connection.settings_dict.update(as_owner(saved))
        try:
            super().handle(*args, **options)
            if not (options["plan"] or options["check_unapplied"]):
                self._grant(connection, options["verbosity"])
        finally:
            if owner:
                connection.close()
                connection.settings_dict.update(saved)

    def _grant(self, connection, verbosity: int) -> None:
        try:
            said = grant_configured_app_role(connection)
        except AppRoleError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write(said)
