"""Search: the document functions and triggers (then every document built), and indexes
for the result orderings."""

from django.db import migrations, models


def install(apps, schema_editor):
    # Imported here: the SQL is generated from the current fold map and character class,
    # and `manage.py rebuild_search_index` re-installs it if those ever change.
    from credentials.search.sql import install_search_sql

    install_search_sql(schema_editor.connection)
    schema_editor.execute("UPDATE credentials_credential SET search_document = NULL")


def uninstall(apps, schema_editor):
    from credentials.search.sql import uninstall_search_sql

    uninstall_search_sql(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0002_search_document_and_status_sweeps"),
        ("providers", "0001_initial"),
        ("qualifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(fields=["title_en", "id"], name="credential_title_order"),
        ),
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(fields=["-created_at", "-id"], name="credential_newest_order"),
        ),
    ]
