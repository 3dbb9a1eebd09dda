"""Teach-out and superseded: two statuses real registers use, and the succession between records.

- ``teach_out_ends_on``: the last day enrolled learners can complete a record in teach-out
  (Ofqual's certification end date); a teach-out record must have one.
- ``superseded_by``: the record replacing this one; a superseded record must name it, and a
  record never supersedes itself (check constraints).
- ``credentials_credential_refuse_succession_cycle()``: a successor chain never leads back
  to the record that starts it (A → B → A, or longer). Row constraints cannot see other rows,
  so a trigger walks the chain. Its body is frozen text (``FROZEN_FUNCTIONS``, digest in
  tests/test_history_append_only.py): a change is a new migration.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


REFUSE_SUCCESSION_CYCLE = """
DECLARE
    successor bigint := NEW.superseded_by_id;
    steps integer := 0;
BEGIN
    WHILE successor IS NOT NULL AND steps < 10000 LOOP
        IF successor = NEW.id THEN
            RAISE EXCEPTION 'credential % cannot be superseded by %: the successors lead back to it',
                NEW.id, NEW.superseded_by_id
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT superseded_by_id INTO successor FROM credentials_credential WHERE id = successor;
        steps := steps + 1;
    END LOOP;
    RETURN NEW;
END;
"""

FROZEN_FUNCTIONS = {"credentials_credential_refuse_succession_cycle": REFUSE_SUCCESSION_CYCLE}


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0008_history_append_only"),
        ("providers", "0003_api_token_expires_at"),
        ("qualifications", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="credential",
            name="credentials_credential_status_valid",
        ),
        migrations.AddField(
            model_name="credential",
            name="superseded_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The entry that replaces this one: its next version.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supersedes",
                to="credentials.credential",
                verbose_name="superseded by",
            ),
        ),
        migrations.AddField(
            model_name="credential",
            name="teach_out_ends_on",
            field=models.DateField(
                blank=True,
                help_text="In teach-out, the last day learners already enrolled can complete and be certificated (Ofqual: the certification end date).",
                null=True,
                verbose_name="teach-out ends on",
            ),
        ),
        migrations.AlterField(
            model_name="credential",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("under_review", "Under review"),
                    ("referred_back", "Referred back"),
                    ("not_approved", "Not approved"),
                    ("registered", "Registered"),
                    ("teach_out", "Teach-out"),
                    ("superseded", "Superseded"),
                    ("suspended", "Suspended"),
                    ("expired", "Expired"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="draft",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="credentialstatuschange",
            name="from_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("under_review", "Under review"),
                    ("referred_back", "Referred back"),
                    ("not_approved", "Not approved"),
                    ("registered", "Registered"),
                    ("teach_out", "Teach-out"),
                    ("superseded", "Superseded"),
                    ("suspended", "Suspended"),
                    ("expired", "Expired"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=16,
                verbose_name="from",
            ),
        ),
        migrations.AlterField(
            model_name="credentialstatuschange",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("under_review", "Under review"),
                    ("referred_back", "Referred back"),
                    ("not_approved", "Not approved"),
                    ("registered", "Registered"),
                    ("teach_out", "Teach-out"),
                    ("superseded", "Superseded"),
                    ("suspended", "Suspended"),
                    ("expired", "Expired"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=16,
                verbose_name="to",
            ),
        ),
        migrations.AddConstraint(
            model_name="credential",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "draft",
                            "submitted",
                            "under_review",
                            "referred_back",
                            "not_approved",
                            "registered",
                            "teach_out",
                            "superseded",
                            "suspended",
                            "expired",
                            "withdrawn",
                        ],
                    )
                ),
                name="credentials_credential_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="credential",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "teach_out"), _negated=True),
                    ("teach_out_ends_on__isnull", False),
                    _connector="OR",
                ),
                name="credentials_credential_teach_out_has_end",
                violation_error_message="A record in teach-out needs the date its teach-out ends.",
            ),
        ),
        migrations.AddConstraint(
            model_name="credential",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_from__isnull", True),
                    ("teach_out_ends_on__isnull", True),
                    ("teach_out_ends_on__gte", models.F("valid_from")),
                    _connector="OR",
                ),
                name="credentials_credential_teach_out_ends_after_start",
                violation_error_message="The teach-out must end on or after the start of validity.",
            ),
        ),
        migrations.AddConstraint(
            model_name="credential",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "superseded"), _negated=True),
                    ("superseded_by__isnull", False),
                    _connector="OR",
                ),
                name="credentials_credential_superseded_has_successor",
                violation_error_message="A superseded record must name the record replacing it.",
            ),
        ),
        migrations.AddConstraint(
            model_name="credential",
            constraint=models.CheckConstraint(
                condition=models.Q(("superseded_by", models.F("pk")), _negated=True),
                name="credentials_credential_not_own_successor",
                violation_error_message="A record cannot supersede itself.",
            ),
        ),
        migrations.RunSQL(
            "CREATE OR REPLACE FUNCTION credentials_credential_refuse_succession_cycle()"
            " RETURNS trigger LANGUAGE plpgsql AS $fn$"
            + FROZEN_FUNCTIONS["credentials_credential_refuse_succession_cycle"]
            + "$fn$;",
            "DROP FUNCTION IF EXISTS credentials_credential_refuse_succession_cycle();",
        ),
        migrations.RunSQL(
            "CREATE TRIGGER credentials_credential_succession_acyclic"
            " BEFORE INSERT OR UPDATE OF superseded_by_id ON credentials_credential"
            " FOR EACH ROW WHEN (NEW.superseded_by_id IS NOT NULL)"
            " EXECUTE FUNCTION credentials_credential_refuse_succession_cycle();",
            "DROP TRIGGER IF EXISTS credentials_credential_succession_acyclic"
            " ON credentials_credential;",
        ),
    ]
