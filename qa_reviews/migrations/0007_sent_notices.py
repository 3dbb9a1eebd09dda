"""Sent notices: which review e-mails went out, kept in PostgreSQL instead of the cache.

- ``SentNotice`` holds one row per notice (kind, the row it was about), unique, so a
  redelivered mail task finds it even after a cache flush or a Redis outage; the notifier
  inserts it in the transaction that sends.
- Marks that were in the cache are not carried over: they lived in Redis, and a notice
  queued before this migration and delivered after it may go out once more.
- The table joins the append-only history (the shared ``registry_refuse_history_change()``
  of credentials 0008, unchanged, so no new frozen SQL): a deleted mark would let a retry
  mail again. config.db_roles finds the table by its trigger and grants SELECT and INSERT.
"""

import django.utils.timezone
from django.db import migrations, models


TABLE = "qa_reviews_sentnotice"


class Migration(migrations.Migration):

    dependencies = [
        ('qa_reviews', '0006_condition_events'),
    ]

    operations = [
        migrations.CreateModel(
            name='SentNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('assignment', 'Assignment, to the reviewer'), ('decision', 'Decision, to the provider'), ('condition_due', 'Condition falling due, to the provider'), ('condition_overdue', 'Condition overdue, to the provider')], max_length=24, verbose_name='notice')),
                ('object_id', models.BigIntegerField(help_text='The assignment, decision or condition the notice was about.', verbose_name='about')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='sent at')),
            ],
            options={
                'verbose_name': 'sent notice',
                'verbose_name_plural': 'sent notices',
                'ordering': ['-sent_at'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'object_id'), name='qa_reviews_sentnotice_once'), models.CheckConstraint(condition=models.Q(('kind__in', ['assignment', 'decision', 'condition_due', 'condition_overdue'])), name='qa_reviews_sentnotice_kind_valid')],
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
