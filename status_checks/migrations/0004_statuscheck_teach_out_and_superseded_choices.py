"""A status check names teach-out and superseded among the statuses it saw: choices only, no SQL."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('status_checks', '0003_sweep_chunks_and_reaper'),
    ]

    operations = [
        migrations.AlterField(
            model_name='statuscheck',
            name='new_status',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('under_review', 'Under review'), ('referred_back', 'Referred back'), ('not_approved', 'Not approved'), ('registered', 'Registered'), ('teach_out', 'Teach-out'), ('superseded', 'Superseded'), ('suspended', 'Suspended'), ('expired', 'Expired'), ('withdrawn', 'Withdrawn')], max_length=16, verbose_name='new status'),
        ),
        migrations.AlterField(
            model_name='statuscheck',
            name='previous_status',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('under_review', 'Under review'), ('referred_back', 'Referred back'), ('not_approved', 'Not approved'), ('registered', 'Registered'), ('teach_out', 'Teach-out'), ('superseded', 'Superseded'), ('suspended', 'Suspended'), ('expired', 'Expired'), ('withdrawn', 'Withdrawn')], max_length=16, verbose_name='previous status'),
        ),
    ]
