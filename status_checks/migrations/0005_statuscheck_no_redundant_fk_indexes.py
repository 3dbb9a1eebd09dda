"""Status checks drop their two single-column foreign-key indexes.

`statuscheck_recent` (credential, -checked_at) and the partial unique
`credentials_statuscheck_once_per_sweep` (sweep, credential, source) already lead with those
columns and serve every lookup by credential or sweep; a register sweep writes one row per
credential, so each index fewer is a million fewer index entries a day at national scale.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0011_merge_teach_out_and_search'),
        ('status_checks', '0004_statuscheck_teach_out_and_superseded_choices'),
    ]

    operations = [
        migrations.AlterField(
            model_name='statuscheck',
            name='credential',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='status_checks', to='credentials.credential', verbose_name='credential'),
        ),
        migrations.AlterField(
            model_name='statuscheck',
            name='sweep',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='status_checks.statussweep', verbose_name='sweep'),
        ),
    ]
