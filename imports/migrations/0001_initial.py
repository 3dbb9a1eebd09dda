"""Take over ImportJob from credentials: the table credentials.0005 created
(credentials_importjob) stays, with its constraint names, so only the migration state moves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The table itself is created by credentials.0005.
        ('credentials', '0007_import_jobs_leave'),
        ('providers', '0002_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('format', models.CharField(choices=[('ofqual', 'Ofqual register full export'), ('dfe', 'DfE approved qualifications list'), ('hkqr', 'HKQR-style CSV'), ('registry-csv', "Registry CSV (this register's own export)")], max_length=16, verbose_name='format')),
                        ('filename', models.CharField(blank=True, max_length=255, verbose_name='file name')),
                        ('content', models.BinaryField(verbose_name='file content')),
                        ('dry_run', models.BooleanField(default=False, help_text='Check and count, then write nothing.', verbose_name='dry run')),
                        ('skip_bad_rows', models.BooleanField(default=False, help_text='Import the good rows even when others have errors.', verbose_name='skip bad rows')),
                        ('state', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('finished', 'Finished'), ('failed', 'Failed')], default='queued', max_length=16, verbose_name='state')),
                        ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows in the file')),
                        ('rows_done', models.PositiveIntegerField(default=0, verbose_name='rows done')),
                        ('created_count', models.PositiveIntegerField(default=0, verbose_name='created')),
                        ('updated_count', models.PositiveIntegerField(default=0, verbose_name='updated')),
                        ('unchanged_count', models.PositiveIntegerField(default=0, verbose_name='unchanged')),
                        ('skipped_count', models.PositiveIntegerField(default=0, verbose_name='skipped (bad rows)')),
                        ('error_count', models.PositiveIntegerField(default=0, verbose_name='errors')),
                        ('warning_count', models.PositiveIntegerField(default=0, verbose_name='warnings')),
                        ('report', models.JSONField(blank=True, default=dict, help_text='Problems as {row, column, message, severity}, and rows missing from the file.', verbose_name='report')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('provider', models.ForeignKey(blank=True, help_text='Every row goes to this provider; blank to take it from the file.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='import_jobs', to='providers.provider', verbose_name='provider')),
                        ('requested_by', models.ForeignKey(blank=True, help_text='Blank for an import run from the command line.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'import job',
                        'verbose_name_plural': 'import jobs',
                        'db_table': 'credentials_importjob',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['provider', '-created_at'], name='importjob_provider_recent')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('format__in', ['ofqual', 'dfe', 'hkqr', 'registry-csv'])), name='credentials_importjob_format_valid'), models.CheckConstraint(condition=models.Q(('state__in', ['queued', 'running', 'finished', 'failed'])), name='credentials_importjob_state_valid'), models.CheckConstraint(condition=models.Q(('rows_done__lte', models.F('rows_total'))), name='credentials_importjob_done_within_total')],
                    },
                ),
            ],
        ),
    ]
