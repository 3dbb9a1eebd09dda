"""StatusSweep and StatusCheck now belong to the status_checks app; their tables stay as they are
(status_checks.0001_initial takes them over in the migration state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0005_import_jobs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='statussweep',
                    name='credential',
                ),
                migrations.RemoveField(
                    model_name='statussweep',
                    name='provider',
                ),
                migrations.RemoveField(
                    model_name='statussweep',
                    name='requested_by',
                ),
                migrations.DeleteModel(
                    name='StatusCheck',
                ),
                migrations.DeleteModel(
                    name='StatusSweep',
                ),
            ],
        ),
    ]
