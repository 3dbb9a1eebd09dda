"""ImportJob now belongs to the imports app; its table stays as it is (imports.0001_initial
takes it over in the migration state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0006_status_checks_leave'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='ImportJob',
                ),
            ],
        ),
    ]
