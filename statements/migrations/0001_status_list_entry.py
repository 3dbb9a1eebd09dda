"""Status list entries: each statement's index, allocated once and never reused.

The table is append-only like the history tables (UPDATE, DELETE and TRUNCATE refused by the
trigger function credentials 0008 installs), so no index is ever given to another record.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('credentials', '0008_history_append_only'),
    ]

    operations = [
        migrations.CreateModel(
            name='StatusListEntry',
            fields=[
                ('index', models.BigAutoField(db_column='id', primary_key=True, serialize=False, verbose_name='status list index')),
                ('allocated_at', models.DateTimeField(auto_now_add=True, verbose_name='allocated at')),
                ('credential', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='status_list_entry', to='credentials.credential', verbose_name='credential')),
            ],
            options={
                'verbose_name': 'status list entry',
                'verbose_name_plural': 'status list entries',
            },
        ),
        migrations.RunSQL(
            "CREATE TRIGGER statements_statuslistentry_append_only BEFORE UPDATE OR DELETE "
            "ON statements_statuslistentry "
            "FOR EACH ROW EXECUTE FUNCTION registry_refuse_history_change();",
            "DROP TRIGGER IF EXISTS statements_statuslistentry_append_only "
            "ON statements_statuslistentry;",
        ),
        migrations.RunSQL(
            "CREATE TRIGGER statements_statuslistentry_no_truncate BEFORE TRUNCATE "
            "ON statements_statuslistentry "
            "FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_history_change();",
            "DROP TRIGGER IF EXISTS statements_statuslistentry_no_truncate "
            "ON statements_statuslistentry;",
        ),
    ]
