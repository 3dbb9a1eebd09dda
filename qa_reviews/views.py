"""Review pages: the reviewer queue, the review page, the registry board and their forms.

Pages look reviews up through ``reviews_for_user``, so another reviewer's or another
provider's review is a 404; actions call the services, whose errors are shown on the page.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import add_service_errors, message_service_errors
from config.types import AuthenticatedHttpRequest
from credentials.completeness import credential_completeness
from providers.roles import is_registry_admin, is_reviewer

from .choices import ACTIVE_STAGES
from .forms import (
    AssignForm,
    CancelForm,
    ConditionFormSet,
    DecisionForm,
    JudgementForm,
    ReviewOpenForm,
    condition_drafts,
)
from .models import Condition, ConditionEvent, Decision, Judgement, Review
from .rules import refuse, staff_refusal
from .selectors import (
    Access,
    credential_changes_since_approval,
    current_judgements,
    previous_reviews,
    review_access,
    review_actions,
    review_board,
    reviewer_queue,
    reviews_for_user,
)
from .services import (
    condition_confirm_met,
    judgement_record,
    review_assign,
    review_cancel,
    review_decide,
    review_declare_no_conflict,
    review_open,
)


def _require_staff(request: HttpRequest, action: str) -> None:
    refuse(staff_refusal(request.user, action))


def _show_refusal(request: HttpRequest, form, error: ValidationError, *, offered: bool) -> None:
    """On the form if the page offers it again, else in a message: a refusal such as "declare
    first" is about a form the page does not show."""
    if offered:
        add_service_errors(form, error)
    else:
        message_service_errors(request, error)


def _visible_review(request: HttpRequest, pk: int) -> Review:
    return get_object_or_404(reviews_for_user(request.user), pk=pk)


@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in reviewer's reviews under way, overdue first."""
    if not is_reviewer(request.user):
        if is_registry_admin(request.user):
            return redirect("reviews:board")
        raise PermissionDenied(_("The review queue is for QA reviewers."))
    return render(
        request,
        "qa_reviews/queue.html",
        {"items": reviewer_queue(reviewer=request.user), "today": timezone.localdate()},
    )


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The registry administrators' view of every review."""
    _require_staff(request, "board")
    return render(
        request,
        "qa_reviews/board.html",
        {"board": review_board(), "today": timezone.localdate()},
    )


@login_required
def review_open_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request, "open")
    initial = {}
    if request.method == "GET" and request.GET.get("number"):
        initial["registration_number"] = request.GET["number"][:60]
    form = ReviewOpenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = review_open(
                actor=request.user,
                credential=form.credential,  # type: ignore[arg-type]  # found by a valid form
                review_type=form.cleaned_data["review_type"],
                due_date=form.cleaned_data["due_date"],
                target_working_days=form.cleaned_data["target_working_days"],
                reviewers=list(form.cleaned_data["reviewers"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Review opened."))
            return redirect("reviews:review", pk=review.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "qa_reviews/open.html", {"form": form}, status=status)


def _standard_rows(review: Review, user, forms: dict[int, JudgementForm]) -> list[dict]:
    """Per standard: every reviewer's standing judgement, and the user's form to (re)judge."""
    standing = list(current_judgements(review))
    rows = []
    for standard in review.standard_set.standards.order_by("ordinal"):
        judgements = [j for j in standing if j.standard_id == standard.pk]
        mine = next((j for j in judgements if j.reviewer_id == user.pk), None)
        form = forms.get(standard.pk) or JudgementForm(
            review=review,
            initial={"standard": standard.pk, "supersedes": mine.pk if mine else None},
            prefix=f"standard-{standard.pk}",
        )
        rows.append({"standard": standard, "judgements": judgements, "mine": mine, "form": form})
    return rows


def _decision_form(review: Review, current: Decision | None) -> tuple[DecisionForm, object]:
    """A blank decision form, or one filled with the current decision to correct it."""
    if current is None:
        return DecisionForm(review=review, prefix="decision"), ConditionFormSet(prefix="conditions")
    form = DecisionForm(
        review=review,
        prefix="decision",
        initial={
            "outcome": current.outcome,
            "rationale": current.rationale,
            "internal_notes": current.internal_notes,
            "valid_from": current.valid_from,
            "valid_to": current.valid_to,
            "supersedes": current.pk,
        },
    )
    conditions = ConditionFormSet(
        prefix="conditions",
        initial=[
            {"text": condition.text, "due_date": condition.due_date}
            for condition in current.conditions.order_by("due_date", "pk")
        ],
    )
    return form, conditions


def _full_context(
    request: HttpRequest,
    review: Review,
    *,
    judgement_forms: dict[int, JudgementForm] | None = None,
    decision_form: DecisionForm | None = None,
    condition_formset=None,
    assign_form: AssignForm | None = None,
    cancel_form: CancelForm | None = None,
) -> dict:
    user = request.user
    credential = review.credential
    assignments = list(review.assignments.select_related("reviewer", "assigned_by"))
    decisions = list(
        review.decisions.select_related("decided_by", "accreditation", "superseded_by")
        .prefetch_related(Prefetch("conditions", queryset=_conditions_with_history()))
        .order_by("decided_at", "pk")
    )
    current = next((d for d in decisions if not hasattr(d, "superseded_by")), None)
    if decision_form is None:
        decision_form, condition_formset = _decision_form(review, current)
    history = list(
        review.judgements.filter(superseded_by__isnull=False)
        .select_related("standard", "reviewer")
        .order_by("standard__ordinal", "recorded_at")
    )
    return {
        "review": review,
        "credential": credential,
        "access": "full",
        "today": timezone.localdate(),
        "overdue": review.stage in ACTIVE_STAGES and review.due_date < timezone.localdate(),
        "report": credential_completeness(credential=credential),
        "changes": credential_changes_since_approval(credential=credential),
        "previous": previous_reviews(review=review),
        "assignments": assignments,
        "actions": review_actions(review, user),
        "rows": _standard_rows(review, user, judgement_forms or {}),
        "corrected_judgements": history,
        "decisions": decisions,
        "current_decision": current,
        "decision_form": decision_form,
        "condition_formset": condition_formset,
        "assign_form": assign_form or AssignForm(),
        "cancel_form": cancel_form or CancelForm(),
    }


def _conditions_with_history() -> QuerySet[Condition]:
    events = ConditionEvent.objects.select_related("actor").order_by("recorded_at", "pk")
    return Condition.objects.prefetch_related(Prefetch("events", queryset=events)).order_by(
        "due_date", "pk"
    )


def _provider_context(review: Review) -> dict:
    decisions = list(
        review.decisions.select_related("superseded_by")
        .defer("internal_notes")
        .prefetch_related(Prefetch("conditions", queryset=_conditions_with_history()))
        .order_by("decided_at", "pk")
    )
    return {
        "review": review,
        "credential": review.credential,
        "access": "provider",
        "overdue": review.stage in ACTIVE_STAGES and review.due_date < timezone.localdate(),
        "decisions": decisions,
    }


def _render_review(
    request: HttpRequest, review: Review, status: int = 200, **forms: Any
) -> HttpResponse:
    access = review_access(request.user, review)
    if access is Access.FULL:
        return render(
            request,
            "qa_reviews/review.html",
            _full_context(request, review, **forms),
            status=status,
        )
    if access is Access.PROVIDER:
        return render(request, "qa_reviews/review_provider.html", _provider_context(review))
    raise Http404


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The full review for its reviewers and staff; the public outcome for the provider."""
    return _render_review(request, _visible_review(request, pk))


def _full_review(request: HttpRequest, pk: int) -> Review:
    review = _visible_review(request, pk)
    if review_access(request.user, review) is not Access.FULL:
        raise PermissionDenied(_("Only the review's reviewers and registry staff may do this."))
    return review


@login_required
@require_POST
def declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    try:
        review_declare_no_conflict(actor=request.user, review=review)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, _("Declared: no conflict of interest. You can now judge."))
    return redirect("reviews:review", pk=pk)


@login_required
@require_POST
def judge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _full_review(request, pk)
    standard_pk = request.POST.get("standard_pk", "")
    prefix = f"standard-{standard_pk}"
    form = JudgementForm(request.POST, request.FILES, review=review, prefix=prefix)
    if form.is_valid():
        data = form.cleaned_data
        try:
            judgement_record(
                actor=request.user,
                review=review,
                standard=data["standard"],
                outcome=data["outcome"],
                comment=data["comment"],
                evidence_url=data["evidence_url"],
                evidence_file=data["evidence_file"],
                supersedes=data["supersedes"],
            )
        except ValidationError as error:
            offered = review_actions(review, request.user).judge
            _show_refusal(request, form, error, offered=offered)
        else:
            messages.success(request, _("Judgement recorded."))
            return redirect(reverse("reviews:review", kwargs={"pk": pk}) + f"#{prefix}")
    forms = {int(standard_pk): form} if standard_pk.isdigit() else {}
    return _render_review(request, review, status=400, judgement_forms=forms)


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _full_review(request, pk)
    form = DecisionForm(request.POST, review=review, prefix="decision")
    conditions = ConditionFormSet(request.POST, prefix="conditions")
    if form.is_valid() and conditions.is_valid():
        data = form.cleaned_data
        try:
            review_decide(
                actor=request.user,
                review=review,
                outcome=data["outcome"],
                rationale=data["rationale"],
                internal_notes=data["internal_notes"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                conditions=condition_drafts(conditions),
                supersedes=data["supersedes"],
                carry_conditions=data.get("carry_conditions", False),
            )
        except ValidationError as error:
            actions = review_actions(review, request.user)
            _show_refusal(request, form, error, offered=actions.decide or actions.correct)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("reviews:review", pk=pk)
    return _render_review(
        request, review, status=400, decision_form=form, condition_formset=conditions
    )


@login_required
@require_POST
def assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request, "assign")
    review = _visible_review(request, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            review_assign(actor=request.user, review=review, reviewer=form.cleaned_data["reviewer"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Reviewer assigned."))
            return redirect("reviews:review", pk=pk)
    return _render_review(request, review, status=400, assign_form=form)


@login_required
@require_POST
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request, "cancel")
    review = _visible_review(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            review_cancel(actor=request.user, review=review, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Review cancelled."))
            return redirect("reviews:review", pk=pk)
    return _render_review(request, review, status=400, cancel_form=form)


@login_required
@require_POST
def condition_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request, "confirm")
    condition = get_object_or_404(Condition, pk=pk)
    try:
        condition_confirm_met(actor=request.user, condition=condition)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, _("Condition confirmed as met."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("reviews:board")
    return redirect(target)


@login_required
def judgement_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A judgement's evidence file, for the review's reviewers and registry staff only."""
    judgement = get_object_or_404(Judgement.objects.select_related("review"), pk=pk)
    review = _visible_review(request, judgement.review_id)
    if review_access(request.user, review) is not Access.FULL or not judgement.evidence_file:
        raise Http404
    return FileResponse(
        judgement.evidence_file.open("rb"),
        as_attachment=True,
        filename=judgement.evidence_file.name.rsplit("/", 1)[-1],
    )
