"""The review workflow's rules in the database, and the links a decision keeps.

- A record has at most one review under way; a review is decided once (later decisions
  correct it) and each reviewer's judgement of a standard is recorded once (later ones
  correct it). Corrections chain through the existing one-to-one ``supersedes``.
- A cancelled review says why; reviews cancelled before this migration get a placeholder.
- A decision links the accreditation record it granted, so a correction can amend it.
- ``decided_at`` and ``recorded_at`` take a default instead of ``auto_now_add`` so that
  loaded history (the demo register, imports) keeps its own moments; no SQL changes.
- Conditions remember when their reminder went out, so the daily task reminds once.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

FILL_CANCEL_REASONS = (
    "UPDATE qa_reviews_review SET cancel_reason = 'Cancelled before reasons were recorded.' "
    "WHERE stage = 'cancelled' AND cancel_reason = '';"
)


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0004_versions_and_change_requests"),
        ("qa_reviews", "0002_append_only_decision_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="condition",
            name="reminded_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the provider was reminded that the condition falls due.",
                null=True,
                verbose_name="reminder sent at",
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="accreditation",
            field=models.ForeignKey(
                blank=True,
                help_text="The accreditation record this decision granted or changed.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="decisions",
                to="credentials.accreditationrecord",
                verbose_name="accreditation record",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="cancel_reason",
            field=models.TextField(blank=True, verbose_name="reason for cancelling"),
        ),
        migrations.AlterField(
            model_name="decision",
            name="decided_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="decided at"
            ),
        ),
        migrations.AlterField(
            model_name="judgement",
            name="recorded_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="recorded at"
            ),
        ),
        migrations.AddIndex(
            model_name="condition",
            index=models.Index(fields=["state", "due_date"], name="condition_state_due"),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["stage", "due_date"], name="review_stage_due"),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("supersedes__isnull", True)),
                fields=("review",),
                name="qa_reviews_decision_one_original_per_review",
                violation_error_message="This review has already been decided.",
            ),
        ),
        migrations.AddConstraint(
            model_name="judgement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("supersedes__isnull", True)),
                fields=("review", "standard", "reviewer"),
                name="qa_reviews_judgement_one_original",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                condition=models.Q(("stage__in", ("open", "in_progress"))),
                fields=("credential",),
                name="qa_reviews_review_one_active_per_credential",
                violation_error_message="This record already has a review under way.",
            ),
        ),
        migrations.RunSQL(FILL_CANCEL_REASONS, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("stage", "cancelled"), _negated=True),
                    models.Q(("cancel_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="qa_reviews_review_cancel_has_reason",
            ),
        ),
    ]
