from django.db import migrations


class Migration(migrations.Migration):
    """Joins two parallel 0005s: the durable alert marks and the dropped FK indexes."""

    dependencies = [
        ("status_checks", "0005_sent_alerts"),
        ("status_checks", "0005_statuscheck_no_redundant_fk_indexes"),
    ]

    operations = []
