"""A partial index of the entries DfE lists put on the register (Ofqual numbers with the
DfE-funded mark), by registration key with the number and provider included.

Issue 13 (imports at 10,000 rows/s): a DfE re-import reports the entries earlier lists
added that the new one lacks; at a million entries, finding them was a sequential scan of
the register (0.5 s) and reading some 130,000 keys into Python. Built CONCURRENTLY (outside
a transaction), so writes to the register carry on while it is built.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("credentials", "0014_search_trigger_one_lookup_and_skips_unchanged"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="credential",
            index=models.Index(
                condition=models.Q(
                    ("external_register", "ofqual"), ("quality_marks__contains", ["dfe_funded"])
                ),
                fields=["registration_key"],
                include=("registration_number", "provider"),
                name="credential_dfe_listed",
            ),
        ),
    ]
