"""Sent alerts: which status checks' alert e-mails went out, kept in PostgreSQL, not Redis.

- ``AlertSent`` holds one row per status check whose alert was sent (unique), so a
  redelivered alert task finds it even after Redis was flushed or restarted empty; the
  alert sender inserts it in the transaction that sends.
- Marks that were in Redis are not carried over: an alert queued before this migration and
  delivered after it may go out once more.
- The table joins the append-only history (the shared ``registry_refuse_history_change()``
  of credentials 0008, unchanged, so no new frozen SQL): a deleted mark would let a retry
  mail again. config.db_roles finds the table by its trigger and grants SELECT and INSERT.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


TABLE = "status_checks_alertsent"


class Migration(migrations.Migration):

    dependencies = [
        ('status_checks', '0004_statuscheck_teach_out_and_superseded_choices'),
    ]

    operations = [
        migrations.CreateModel(
            name='AlertSent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='sent at')),
                ('status_check', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='alert_sent', to='status_checks.statuscheck', verbose_name='status check')),
            ],
            options={
                'verbose_name': 'sent alert',
                'verbose_name_plural': 'sent alerts',
            },
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION registry_refuse_history_change();",
            f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_history_change();",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
        ),
    ]
