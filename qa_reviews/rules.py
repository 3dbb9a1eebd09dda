"""Who may do what to a review, and at which stage: the one statement of the review rules.

Each rule returns the error that refuses the actor (``PermissionDenied`` for who they are,
``ValidationError`` for the review's state), or ``None`` when the actor may go ahead. The
services raise these errors; ``selectors.review_actions`` turns the same rules into what the
pages, the API and the templates offer, so no page offers what a service would refuse.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.types import RequestUser
from credentials.models import Credential
from providers.models import Provider, ProviderMembership
from providers.roles import is_registry_admin, is_reviewer

from .choices import ACTIVE_STAGES, ConditionState, ReviewStage
from .models import Condition, Decision, Review, ReviewAssignment

Refusal = PermissionDenied | ValidationError

# What only registry administrators do, in the words each refusal uses.
STAFF_ONLY = {
    "board": gettext_lazy("Only registry administrators see the review board."),
    "standards": gettext_lazy("Only registry administrators manage review standards."),
    "open": gettext_lazy("Only registry administrators open reviews."),
    "assign": gettext_lazy("Only registry administrators assign reviewers."),
    "unassign": gettext_lazy("Only registry administrators take reviewers off a review."),
    "cancel": gettext_lazy("Only registry administrators cancel reviews."),
    "confirm": gettext_lazy("Only registry administrators confirm that a condition is met."),
}


def refuse(refusal: Refusal | None) -> None:
    """Raise a rule's refusal, if there is one."""
    if refusal is not None:
        raise refusal


def staff_refusal(user: RequestUser, action: str) -> PermissionDenied | None:
    """Refuses anyone but a registry administrator ``action`` (a key of ``STAFF_ONLY``)."""
    return None if is_registry_admin(user) else PermissionDenied(str(STAFF_ONLY[action]))


def conflicting_provider(user: RequestUser, credential: Credential) -> Provider | None:
    """The provider or awarding body of the record that the user belongs to, if any."""
    if not user.is_authenticated:
        return None
    provider_ids = {credential.provider_id, credential.awarding_body_id} - {None}
    membership = (
        ProviderMembership.objects.filter(user=user, provider_id__in=provider_ids)
        .select_related("provider")
        .first()
    )
    return membership.provider if membership else None


def conflict_error(user: RequestUser, provider: Provider, *, field: str | None) -> ValidationError:
    message = _("%(user)s is a member of %(provider)s and cannot review its records.") % {
        "user": user.get_username(),
        "provider": provider.name_en,
    }
    return ValidationError({field: message} if field else message)


def _conflict_refusal(user: RequestUser, review: Review) -> ValidationError | None:
    provider = conflicting_provider(user, review.credential)
    return None if provider is None else conflict_error(user, provider, field=None)


def assignment_of(user: RequestUser, review: Review) -> ReviewAssignment | None:
    if not user.is_authenticated:
        return None
    return review.assignments.filter(reviewer=user).first()


def _reviewer_refusal(
    user: RequestUser, review: Review, assignment: ReviewAssignment | None
) -> Refusal | None:
    """Refuses anyone but an assigned reviewer who is still a reviewer and has no conflict."""
    if assignment is None or not is_reviewer(user):
        return PermissionDenied(_("You are not assigned to this review."))
    return _conflict_refusal(user, review)


def _active_refusal(review: Review, message: str) -> ValidationError | None:
    if review.stage in ACTIVE_STAGES:
        return None
    return ValidationError(message % {"stage": review.get_stage_display().lower()})


def in_progress_refusal(review: Review, *, doing: str) -> ValidationError | None:
    """Refuses work that needs a review in progress (``doing``: "judged", "decided")."""
    if review.stage == ReviewStage.IN_PROGRESS:
        return None
    messages: dict[str, str] = {
        ReviewStage.OPEN: _("No reviewer has started this review yet, so it cannot be %(doing)s."),
        ReviewStage.DECIDED: _("This review has been decided, so it cannot be %(doing)s."),
        ReviewStage.CANCELLED: _("This review was cancelled, so it cannot be %(doing)s."),
    }
    return ValidationError(messages[review.stage] % {"doing": doing})


def assign_refusal(user: RequestUser, review: Review) -> Refusal | None:
    """Registry administrators assign reviewers while the review is under way."""
    return staff_refusal(user, "assign") or _active_refusal(
        review, _("Reviewers can only be assigned while the review is under way; it is %(stage)s.")
    )


def cancel_refusal(user: RequestUser, review: Review) -> Refusal | None:
    """Registry administrators cancel a review under way."""
    return staff_refusal(user, "cancel") or _active_refusal(
        review, _("Only a review under way can be cancelled; this one is %(stage)s.")
    )


def declare_refusal(user: RequestUser, review: Review) -> Refusal | None:
    """An assigned reviewer declares no conflict once, while the review is under way."""
    assignment = assignment_of(user, review)
    refusal = _reviewer_refusal(user, review, assignment) or _active_refusal(
        review, _("This review is %(stage)s; there is nothing left to declare.")
    )
    if (
        refusal is None
        and assignment is not None
        and assignment.no_conflict_declared_at is not None
    ):
        refusal = ValidationError(
            _("You have already declared no conflict of interest for this review.")
        )
    return refusal


def judge_refusal(user: RequestUser, review: Review) -> Refusal | None:
    """An assigned reviewer who has declared no conflict judges a review in progress."""
    assignment = assignment_of(user, review)
    refusal = _reviewer_refusal(user, review, assignment)
    if refusal is None and assignment is not None and assignment.no_conflict_declared_at is None:
        refusal = ValidationError(
            _("Declare that you have no conflict of interest before judging.")
        )
    return refusal or in_progress_refusal(review, doing=_("judged"))


def decider_refusal(user: RequestUser, review: Review) -> Refusal | None:
    """Deciders are assigned reviewers who declared no conflict, or registry administrators;
    neither may belong to the record's provider or awarding body."""
    if is_registry_admin(user):
        return _conflict_refusal(user, review)
    assignment = assignment_of(user, review)
    refusal = _reviewer_refusal(user, review, assignment)
    if refusal is None and assignment is not None and assignment.no_conflict_declared_at is None:
        refusal = ValidationError(
            _("Declare that you have no conflict of interest before deciding.")
        )
    return refusal


def decision_stage_refusal(review: Review) -> ValidationError | None:
    """A first decision needs a review in progress; a decided one takes a correction."""
    if review.stage == ReviewStage.DECIDED:
        return ValidationError(
            _(
                "This review has already been decided; record a correction that "
                "supersedes the decision instead."
            )
        )
    return in_progress_refusal(review, doing=_("decided"))


def correction_refusal(
    review: Review, supersedes: Decision | None = None
) -> ValidationError | None:
    """A correction supersedes a decided review's current decision (``supersedes``, once named)."""
    current = review.decisions.filter(superseded_by__isnull=True).first()
    if (
        review.stage == ReviewStage.DECIDED
        and current is not None
        and (supersedes is None or supersedes.pk == current.pk)
    ):
        return None
    return ValidationError(
        {"supersedes": _("A correction must supersede this review's current decision.")}
    )


def confirm_refusal(user: RequestUser, condition: Condition) -> Refusal | None:
    """Registry administrators confirm an unmet condition of a decision that still stands."""
    refusal = staff_refusal(user, "confirm")
    if refusal is not None:
        return refusal
    if Decision.objects.filter(supersedes_id=condition.decision_id).exists():
        return ValidationError(
            _(
                "This condition belongs to a decision that has since been corrected; confirm "
                "the correcting decision's conditions instead."
            )
        )
    if condition.state == ConditionState.MET:
        return ValidationError(_("This condition has already been confirmed as met."))
    return None
