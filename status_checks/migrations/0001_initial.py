"""Take over StatusSweep and StatusCheck from credentials: the tables credentials.0001/0002
created (credentials_statussweep, credentials_statuscheck) stay, with their constraint names,
so only the migration state moves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('credentials', '0006_status_checks_leave'),
        ('providers', '0002_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StatusSweep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scope', models.CharField(choices=[('register', 'Whole register'), ('provider', 'One provider'), ('credential', 'One credential')], max_length=16, verbose_name='scope')),
                        ('state', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('finished', 'Finished'), ('failed', 'Failed')], default='queued', max_length=16, verbose_name='state')),
                        ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('total', models.PositiveIntegerField(default=0, verbose_name='credentials to check')),
                        ('checked', models.PositiveIntegerField(default=0, verbose_name='credentials checked')),
                        ('changes', models.PositiveIntegerField(default=0, verbose_name='changes found')),
                        ('credential', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='status_sweeps', to='credentials.credential', verbose_name='credential')),
                        ('provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='status_sweeps', to='providers.provider', verbose_name='provider')),
                        ('requested_by', models.ForeignKey(blank=True, help_text='Blank for the scheduled daily sweep.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'status sweep',
                        'verbose_name_plural': 'status sweeps',
                        'db_table': 'credentials_statussweep',
                        'ordering': ['-requested_at'],
                    },
                ),
                migrations.CreateModel(
                    name='StatusCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('checked_at', models.DateTimeField(auto_now_add=True, verbose_name='checked at')),
                        ('source', models.CharField(help_text='local rules, or the external register asked.', max_length=64, verbose_name='source')),
                        ('outcome', models.CharField(choices=[('unchanged', 'No change'), ('changed', 'Status changed'), ('alert', 'Alert raised'), ('flagged', 'Flagged for attention'), ('source_unavailable', 'Source unavailable')], max_length=20, verbose_name='outcome')),
                        ('previous_status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('under_review', 'Under review'), ('referred_back', 'Referred back'), ('not_approved', 'Not approved'), ('registered', 'Registered'), ('suspended', 'Suspended'), ('expired', 'Expired'), ('withdrawn', 'Withdrawn')], max_length=16, verbose_name='previous status')),
                        ('new_status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('under_review', 'Under review'), ('referred_back', 'Referred back'), ('not_approved', 'Not approved'), ('registered', 'Registered'), ('suspended', 'Suspended'), ('expired', 'Expired'), ('withdrawn', 'Withdrawn')], max_length=16, verbose_name='new status')),
                        ('detail', models.JSONField(blank=True, default=dict, verbose_name='detail')),
                        ('credential', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_checks', to='credentials.credential', verbose_name='credential')),
                        ('sweep', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='checks', to='status_checks.statussweep', verbose_name='sweep')),
                    ],
                    options={
                        'verbose_name': 'status check',
                        'verbose_name_plural': 'status checks',
                        'db_table': 'credentials_statuscheck',
                        'ordering': ['-checked_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='statussweep',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('scope', 'register'), ('provider__isnull', True)), models.Q(('scope', 'provider'), ('provider__isnull', False)), models.Q(('scope', 'credential'), ('credential__isnull', False)), _connector='OR'), name='credentials_statussweep_scope_matches_target'),
                ),
                migrations.AddConstraint(
                    model_name='statussweep',
                    constraint=models.CheckConstraint(condition=models.Q(('checked__lte', models.F('total'))), name='credentials_statussweep_checked_within_total'),
                ),
                migrations.AddConstraint(
                    model_name='statussweep',
                    constraint=models.CheckConstraint(condition=models.Q(('state__in', ['queued', 'running', 'finished', 'failed'])), name='credentials_statussweep_state_valid'),
                ),
                migrations.AddIndex(
                    model_name='statuscheck',
                    index=models.Index(fields=['credential', '-checked_at'], name='statuscheck_recent'),
                ),
                migrations.AddConstraint(
                    model_name='statuscheck',
                    constraint=models.CheckConstraint(condition=models.Q(('outcome__in', ['unchanged', 'changed', 'alert', 'flagged', 'source_unavailable'])), name='credentials_statuscheck_outcome_valid'),
                ),
                migrations.AddConstraint(
                    model_name='statuscheck',
                    constraint=models.UniqueConstraint(condition=models.Q(('sweep__isnull', False)), fields=('sweep', 'credential', 'source'), name='credentials_statuscheck_once_per_sweep'),
                ),
            ],
        ),
    ]
