"""Search: the vocabulary "did you mean" suggests from, with a pg_trgm index on its words.

pg_trgm is a trusted extension: the owner role that runs migrations creates it (IF NOT
EXISTS); the application role only calls its functions and operators.
"""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0009_search_marks_and_names"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=40, unique=True, verbose_name="word")),
                (
                    "frequency",
                    models.PositiveIntegerField(
                        help_text="How many current registered entries use the word.",
                        verbose_name="frequency",
                    ),
                ),
            ],
            options={
                "verbose_name": "search term",
                "verbose_name_plural": "search terms",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["word"], name="searchterm_word_trgm", opclasses=["gin_trgm_ops"]
                    )
                ],
            },
        ),
    ]
