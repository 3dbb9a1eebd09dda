"""Type names for annotations: the project's user model and requests known to be signed in.

The project uses Django's own `User` (no AUTH_USER_MODEL), so a model instance is annotated
`User`, never `AbstractBaseUser` (which has no `is_staff`, groups or foreign keys to it).
"""

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils.functional import Promise
from rest_framework.request import Request

__all__ = [
    "AuthenticatedHttpRequest",
    "AuthenticatedRequest",
    "RequestUser",
    "StrOrPromise",
    "User",
]

# `request.user` before anything checked it: a role check answers for either.
RequestUser = User | AnonymousUser

# Text that may be a lazy translation (gettext_lazy, a choice label), rendered later.
StrOrPromise = str | Promise


class AuthenticatedHttpRequest(HttpRequest):
    """A page request behind @login_required (or a mixin that requires sign-in)."""

    user: User


class AuthenticatedRequest(Request):
    """An API request behind a permission class that refuses anonymous callers."""

    user: User
