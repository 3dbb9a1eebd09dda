"""Create the application's database role, as the owner, unless it exists."""

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.db import connections

from config.db_roles import as_owner, create_app_role


class Command(BaseCommand):
    help = (
        "Create DATABASE_URL's role (DATABASE_APP_ROLE) as a plain login role with "
        "DATABASE_URL's password, connecting as MIGRATION_DATABASE_URL's role, which needs "
        "CREATEROLE. Does nothing if the role exists. `migrate` then grants it its privileges."
    )

    def handle(self, *args, **options):
        owner = settings.MIGRATION_DATABASE
        role = settings.DATABASE_APP_ROLE
        if not owner or not role:
            raise CommandError("set MIGRATION_DATABASE_URL (the owner) and DATABASE_URL (the app)")
        connection = connections["default"]
        password = connection.settings_dict.get("PASSWORD") or None
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(as_owner(saved))
        try:
            created = create_app_role(connection, role, password)
        finally:
            connection.close()
            connection.settings_dict.update(saved)
        self.stdout.write(f"Created role {role}." if created else f"Role {role} exists.")
