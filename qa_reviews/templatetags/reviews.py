"""Template helpers for QA reviews: the nav link, the public QA summary, a record's reviews."""

from django import template
from django.db.models import QuerySet

from credentials.models import Credential
from providers.roles import is_registry_admin, is_reviewer

from ..models import Condition, Review
from ..selectors import QaSummary, condition_confirmable, credential_qa_summary, reviews_for_user

register = template.Library()


@register.filter
def works_reviews(user) -> bool:
    """Whether the user has a review page to go to: reviewers and registry staff."""
    return is_registry_admin(user) or is_reviewer(user)


@register.simple_tag
def qa_summary_for(credential: Credential) -> QaSummary | None:
    """The standing approval behind a record's registration (public)."""
    return credential_qa_summary(credential=credential)


@register.simple_tag
def reviews_of(credential: Credential, user) -> QuerySet[Review]:
    """The record's reviews that the user may open, newest first."""
    return reviews_for_user(user).filter(credential=credential).order_by("-created_at")


@register.filter
def confirmable_by(condition: Condition, user) -> bool:
    """Whether the user may confirm now that the provider has met the condition."""
    return condition_confirmable(condition, user)
