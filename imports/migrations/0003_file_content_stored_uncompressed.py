"""An import job's file is stored as it came, not compressed by PostgreSQL.

Issue 13 (imports at 10,000 rows/s end to end): TOAST's pglz compression of a 100k-row
registry CSV (57 MB to 18 MB) cost 0.6-1.0 s of the upload, against 1.2 s to store it
uncompressed, about a tenth of the whole import's budget; lz4 is not built into the
project-local PostgreSQL. Most files are small; a large one is kept at its own size.
Rows stored before keep their compressed form (SET STORAGE applies to new values).
"""

from django.db import migrations

TABLE = "credentials_importjob"


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_importjob_attempts"),
    ]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} ALTER COLUMN content SET STORAGE EXTERNAL",
            f"ALTER TABLE {TABLE} ALTER COLUMN content SET STORAGE EXTENDED",
        ),
    ]
