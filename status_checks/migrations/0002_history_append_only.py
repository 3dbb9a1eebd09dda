"""Status checks are append-only (UPDATE, DELETE and TRUNCATE refused by the trigger function
credentials 0008 installs), and neither checks nor sweeps go when a credential, provider or
sweep is deleted: those deletes are refused (PROTECT).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0008_history_append_only'),
        ('providers', '0002_api_tokens'),
        ('status_checks', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='statuscheck',
            name='credential',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='status_checks', to='credentials.credential', verbose_name='credential'),
        ),
        migrations.AlterField(
            model_name='statuscheck',
            name='sweep',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='status_checks.statussweep', verbose_name='sweep'),
        ),
        migrations.AlterField(
            model_name='statussweep',
            name='credential',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='status_sweeps', to='credentials.credential', verbose_name='credential'),
        ),
        migrations.AlterField(
            model_name='statussweep',
            name='provider',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='status_sweeps', to='providers.provider', verbose_name='provider'),
        ),
        migrations.RunSQL(
            "CREATE TRIGGER credentials_statuscheck_append_only BEFORE UPDATE OR DELETE "
            "ON credentials_statuscheck "
            "FOR EACH ROW EXECUTE FUNCTION registry_refuse_history_change();",
            "DROP TRIGGER IF EXISTS credentials_statuscheck_append_only ON credentials_statuscheck;",
        ),
        migrations.RunSQL(
            "CREATE TRIGGER credentials_statuscheck_no_truncate BEFORE TRUNCATE "
            "ON credentials_statuscheck "
            "FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_history_change();",
            "DROP TRIGGER IF EXISTS credentials_statuscheck_no_truncate ON credentials_statuscheck;",
        ),
    ]
