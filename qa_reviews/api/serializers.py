"""Review API serializers; what a provider may read is decided in one place, ReviewSerializer.

Provider members get the public shape: the review's stage and dates, decisions with their
rationale and validity granted, and conditions. Internal notes, judgements, evidence and the
reviewers' identities appear only for registry staff and the review's own reviewers
(docs/decisions/0002-what-providers-see-of-a-review.md).
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credentials.models import Credential

from ..choices import ACTIVE_STAGES, DecisionOutcome, JudgementOutcome, ReviewType
from ..models import (
    Condition,
    ConditionEvent,
    Decision,
    Judgement,
    Review,
    ReviewAssignment,
    ReviewStandard,
    ReviewStandardSet,
)
from ..selectors import Access
from ..services import ConditionDraft


class ReviewedCredentialSerializer(serializers.ModelSerializer):
    provider: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Credential
        fields = ["id", "registration_number", "title_en", "title_zh", "provider", "status"]


class StandardSetSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewStandardSet
        fields = ["id", "name", "version", "effective_from"]


class ReviewStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewStandard
        fields = ["id", "code", "ordinal", "title_en", "title_zh", "guidance"]


class ReviewStandardSetSerializer(serializers.ModelSerializer):
    standards = ReviewStandardSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewStandardSet
        fields = ["id", "name", "version", "effective_from", "standards"]


class ConditionEventSerializer(serializers.ModelSerializer):
    """One change to a condition; who made it is registry business, as for confirmations."""

    class Meta:
        model = ConditionEvent
        fields = ["kind", "from_state", "to_state", "recorded_at"]


class ConditionSerializer(serializers.ModelSerializer):
    """A condition of an approval; who confirmed it met is registry business."""

    history = ConditionEventSerializer(source="events", many=True, read_only=True)

    review = serializers.IntegerField(source="decision.review_id", read_only=True)
    registration_number = serializers.CharField(
        source="decision.review.credential.registration_number", read_only=True
    )

    class Meta:
        model = Condition
        fields = [
            "id",
            "review",
            "decision",
            "registration_number",
            "text",
            "due_date",
            "state",
            "met_confirmed_at",
            "history",
        ]


class PublicDecisionSerializer(serializers.ModelSerializer):
    """A decision as the provider reads it: outcome, public rationale, validity, conditions."""

    standing = serializers.SerializerMethodField(
        help_text=_("False once a later decision has corrected this one.")
    )
    conditions = ConditionSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "outcome",
            "rationale",
            "valid_from",
            "valid_to",
            "decided_at",
            "supersedes",
            "standing",
            "conditions",
        ]

    def get_standing(self, decision: Decision) -> bool:
        return not hasattr(decision, "superseded_by")


class DecisionSerializer(PublicDecisionSerializer):
    """A decision as the registry and the review's reviewers read it, internal notes included."""

    decided_by: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta(PublicDecisionSerializer.Meta):
        fields = [*PublicDecisionSerializer.Meta.fields, "internal_notes", "decided_by"]


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer: serializers.StringRelatedField = serializers.StringRelatedField()
    assigned_by: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = ReviewAssignment
        fields = ["reviewer", "assigned_by", "assigned_at", "no_conflict_declared_at"]


class ReviewSerializer(serializers.ModelSerializer):
    """A review. The keys marked "registry only" are left out for the provider's members."""

    credential = ReviewedCredentialSerializer(read_only=True)
    standard_set = StandardSetSummarySerializer(read_only=True)
    overdue = serializers.SerializerMethodField()
    visibility = serializers.SerializerMethodField(
        help_text=_('"full" for registry staff and the review\'s reviewers, else "provider".')
    )
    opened_by: serializers.StringRelatedField = serializers.StringRelatedField(
        help_text=_("Registry only.")
    )
    assignments = AssignmentSerializer(many=True, read_only=True, help_text=_("Registry only."))
    decisions = DecisionSerializer(
        many=True,
        read_only=True,
        help_text=_("Oldest first; the provider's view leaves out internal notes and deciders."),
    )

    REGISTRY_ONLY = ("opened_by", "assignments")

    class Meta:
        model = Review
        fields = [
            "id",
            "credential",
            "review_type",
            "stage",
            "due_date",
            "target_working_days",
            "overdue",
            "standard_set",
            "created_at",
            "cancel_reason",
            "visibility",
            "opened_by",
            "assignments",
            "decisions",
        ]

    def _access(self, review: Review) -> Access:
        return self.context["access"](review)

    def get_overdue(self, review: Review) -> bool:
        return review.stage in ACTIVE_STAGES and review.due_date < timezone.localdate()

    def get_visibility(self, review: Review) -> str:
        return self._access(review).value

    def to_representation(self, review: Review) -> dict:
        data = super().to_representation(review)
        if self._access(review) is not Access.FULL:
            for name in self.REGISTRY_ONLY:
                data.pop(name, None)
            data["decisions"] = PublicDecisionSerializer(
                review.decisions.all(), many=True, context=self.context
            ).data
        return data


class JudgementSerializer(serializers.ModelSerializer):
    standard: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    standard_title = serializers.CharField(source="standard.title_en", read_only=True)
    reviewer: serializers.StringRelatedField = serializers.StringRelatedField()
    evidence_file = serializers.SerializerMethodField(
        help_text=_("A link that only registry staff and the review's reviewers can open.")
    )
    standing = serializers.SerializerMethodField()

    class Meta:
        model = Judgement
        fields = [
            "id",
            "standard",
            "standard_title",
            "reviewer",
            "outcome",
            "comment",
            "evidence_url",
            "evidence_file",
            "recorded_at",
            "supersedes",
            "standing",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_file(self, judgement: Judgement) -> str | None:
        if not judgement.evidence_file:
            return None
        path = reverse("reviews:judgement-evidence", kwargs={"pk": judgement.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_standing(self, judgement: Judgement) -> bool:
        return not hasattr(judgement, "superseded_by")


# --- Requests --------------------------------------------------------------------------------


class ReviewOpenSerializer(serializers.Serializer):
    credential = serializers.PrimaryKeyRelatedField(queryset=Credential.objects.all())
    review_type = serializers.ChoiceField(choices=ReviewType.choices)
    due_date = serializers.DateField(required=False, allow_null=True)
    target_working_days = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reviewers = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), many=True, required=False
    )


class AssignSerializer(serializers.Serializer):
    reviewer = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())


class JudgementRecordSerializer(serializers.Serializer):
    standard = serializers.PrimaryKeyRelatedField(queryset=ReviewStandard.objects.all())
    outcome = serializers.ChoiceField(choices=JudgementOutcome.choices)
    comment = serializers.CharField()
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    evidence_file = serializers.FileField(required=False, allow_null=True)
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=Judgement.objects.all(), required=False, allow_null=True
    )


class ConditionDraftSerializer(serializers.Serializer):
    text = serializers.CharField()
    due_date = serializers.DateField()

    def to_internal_value(self, data) -> ConditionDraft:
        values = super().to_internal_value(data)
        return ConditionDraft(text=values["text"], due_date=values["due_date"])


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    rationale = serializers.CharField(help_text=_("Shown to the provider."))
    internal_notes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Registry only.")
    )
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    conditions = ConditionDraftSerializer(many=True, required=False, default=list)
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=Decision.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("To correct a decision: the id of the review's current decision."),
    )
    carry_conditions = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "With a correction that approves with conditions: carry the corrected decision's "
            "conditions as they stand. Otherwise its open conditions are closed as superseded."
        ),
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


# --- The registry administrators' board ------------------------------------------------------


class TimingSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field's own attribute
    decided = serializers.IntegerField(help_text=_("First decisions counted."))
    median_days = serializers.FloatField(
        allow_null=True, help_text=_("Median calendar days from opening to first decision.")
    )
    target_days = serializers.FloatField(
        allow_null=True, help_text=_("Median target in working days, where one was set.")
    )


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    total = serializers.IntegerField()
    by_outcome = serializers.DictField(child=serializers.IntegerField())


class BoardReviewSerializer(serializers.ModelSerializer):
    registration_number = serializers.CharField(source="credential.registration_number")

    class Meta:
        model = Review
        fields = ["id", "registration_number", "review_type", "stage", "due_date"]


class BoardSerializer(serializers.Serializer):
    backlog = serializers.SerializerMethodField(
        help_text=_("Review type → stage → number of reviews.")
    )
    overdue = BoardReviewSerializer(many=True)
    unassigned = BoardReviewSerializer(many=True)
    timings = TimingSerializer(many=True)
    fast_vs_standard = TimingSerializer(many=True)
    months = MonthSerializer(many=True)

    def get_backlog(self, board) -> dict[str, dict[str, int]]:
        stages = [code for code, _label in board.backlog_stages]
        return {
            row["code"]: dict(zip(stages, row["cells"], strict=True))
            for row in board.backlog
            if row["code"]
        }
