"""The review API: short viewsets whose writes call the services and whose reads go through
the selectors, so that pages, API and admin apply one set of rules.

Two permission layers: every endpoint needs a signed-in user and some only registry staff;
querysets hold only what the user may see, so anyone else's review is a 404.
"""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.parsers import DepthLimitedJSONParser
from config.types import AuthenticatedRequest

from ..models import Condition, Decision, Review, ReviewStandardSet
from ..rules import refuse, staff_refusal
from ..selectors import Access, review_access_for, review_board, reviewer_queue, reviews_for_user
from ..services import (
    condition_confirm_met,
    judgement_record,
    review_assign,
    review_cancel,
    review_decide,
    review_declare_no_conflict,
    review_open,
)
from .filtersets import ConditionFilterSet, ReviewFilterSet
from .serializers import (
    AssignSerializer,
    BoardSerializer,
    CancelSerializer,
    ConditionSerializer,
    DecideSerializer,
    JudgementRecordSerializer,
    JudgementSerializer,
    ReviewOpenSerializer,
    ReviewSerializer,
    ReviewStandardSetSerializer,
)

# The viewset actions only registry staff may take, named as the review rules name them.
STAFF_ACTIONS = {"create": "open", "assign": "assign", "cancel": "cancel", "board": "board"}


class ReviewPermission(permissions.IsAuthenticated):
    """Signed in for everything; registry staff for opening, assigning, cancelling, the board."""

    def has_permission(self, request: Request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if view.action in STAFF_ACTIONS:
            refuse(staff_refusal(request.user, STAFF_ACTIONS[view.action]))
        return True


class ReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """QA reviews: staff see all, reviewers their assignments, providers their records'."""

    # The permission classes refuse anonymous callers before any handler runs.
    request: AuthenticatedRequest
    serializer_class = ReviewSerializer
    permission_classes = [ReviewPermission]
    filterset_class = ReviewFilterSet
    parser_classes = [DepthLimitedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Review]:
        decisions = Decision.objects.select_related("superseded_by", "decided_by").prefetch_related(
            "conditions__decision__review__credential", "conditions__events"
        )
        return (
            reviews_for_user(self.request.user)
            .select_related("opened_by")
            .prefetch_related(
                Prefetch("decisions", queryset=decisions.order_by("decided_at", "pk")),
                "assignments__reviewer",
                "assignments__assigned_by",
            )
            .order_by("due_date", "pk")
        )

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["access"] = review_access_for(self.request.user)
        return context

    def _full_review(self) -> Review:
        """The review, for reviewers and staff only; its provider's members get a 403."""
        review = self.get_object()
        if self.get_serializer_context()["access"](review) is not Access.FULL:
            self.permission_denied(
                self.request, message=_("Only the review's reviewers and registry staff see this.")
            )
        return review

    def _respond(self, review: Review, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=review.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=ReviewOpenSerializer, responses={201: ReviewSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Open a review (registry staff), optionally assigning reviewers at once."""
        body = ReviewOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = review_open(actor=self.request.user, **body.validated_data)
        return self._respond(review, status.HTTP_201_CREATED)

    @extend_schema(request=AssignSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Assign a reviewer; a member of the record's provider is refused."""
        review = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_assign(actor=request.user, review=review, **body.validated_data)
        return self._respond(review)

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def declare(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Declare that you have no conflict of interest; the first declaration starts work."""
        review = self.get_object()
        review_declare_no_conflict(actor=request.user, review=review)
        return self._respond(review)

    @extend_schema(methods=["GET"], responses=JudgementSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"], request=JudgementRecordSerializer, responses={201: JudgementSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def judgements(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Every judgement, corrections included (reviewers and staff); POST records one."""
        review = self._full_review()
        if request.method == "GET":
            judgements = review.judgements.select_related(
                "standard", "reviewer", "superseded_by"
            ).order_by("standard__ordinal", "recorded_at", "pk")
            return Response(
                JudgementSerializer(judgements, many=True, context={"request": request}).data
            )
        body = JudgementRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        judgement = judgement_record(actor=request.user, review=review, **body.validated_data)
        return Response(
            JudgementSerializer(judgement, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=DecideSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Decide the review, or correct its decision by naming it in ``supersedes``."""
        review = self._full_review()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_decide(actor=request.user, review=review, **body.validated_data)
        return self._respond(review)

    @extend_schema(request=CancelSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Cancel a review under way (registry staff), saying why."""
        review = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_cancel(actor=request.user, review=review, **body.validated_data)
        return self._respond(review)

    @extend_schema(responses=ReviewSerializer(many=True))
    @action(detail=False, methods=["get"])
    def queue(self, request: AuthenticatedRequest) -> Response:
        """Your reviews under way, overdue first, then by due date."""
        ids = [item.review.pk for item in reviewer_queue(reviewer=request.user)]
        reviews = {review.pk: review for review in self.get_queryset().filter(pk__in=ids)}
        ordered = [reviews[pk] for pk in ids if pk in reviews]
        return Response(self.get_serializer(ordered, many=True).data)

    @extend_schema(responses=BoardSerializer)
    @action(detail=False, methods=["get"])
    def board(self, request: AuthenticatedRequest) -> Response:
        """Backlog by stage and type, overdue reviews, time to decision, decisions a month."""
        return Response(BoardSerializer(review_board()).data)


class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    """Conditions of standing and corrected decisions on the reviews you may see."""

    # The permission classes refuse anonymous callers before any handler runs.
    request: AuthenticatedRequest
    serializer_class = ConditionSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ConditionFilterSet

    def get_queryset(self) -> QuerySet[Condition]:
        reviews = reviews_for_user(self.request.user)
        return (
            Condition.objects.filter(decision__review__in=reviews.values("pk"))
            .select_related("decision__review__credential")
            .prefetch_related("events")
            .order_by("due_date", "pk")
        )

    @extend_schema(request=None, responses=ConditionSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-met")
    def confirm_met(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Confirm that the provider has met the condition (registry staff)."""
        condition = condition_confirm_met(actor=request.user, condition=self.get_object())
        return Response(self.get_serializer(condition).data)


class ReviewStandardSetViewSet(viewsets.ReadOnlyModelViewSet):
    """The versions of the review standards; a review names the one it uses."""

    serializer_class = ReviewStandardSetSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = ReviewStandardSet.objects.prefetch_related("standards").order_by("name", "-version")
