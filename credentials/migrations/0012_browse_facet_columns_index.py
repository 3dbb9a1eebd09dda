"""An index holding every column a browse's count reads, so the count is an index-only scan.

Built CONCURRENTLY (outside a transaction): at a million entries a plain build would hold
off every write to the register for the tens of seconds it takes.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("credentials", "0011_merge_teach_out_and_search"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="credential",
            index=models.Index(
                fields=["status"],
                include=(
                    "valid_from",
                    "valid_to",
                    "level",
                    "area_of_study",
                    "provider",
                    "mode_of_delivery",
                    "kind",
                    "credits",
                    "notional_hours",
                ),
                name="credential_facet_columns",
            ),
        ),
    ]
