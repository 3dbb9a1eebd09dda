"""The sign-in backend: Django's ModelBackend, loading the session user with its role facts.

Every signed-in page loads its user once (``AuthenticationMiddleware``); reading the group
facts in that same query (``roles.with_role_facts``) is what keeps the nav's "Reviews" link
from costing a query per page. The facts are read afresh each request, so a change of groups
shows on the next page.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from config.types import User

from .roles import with_role_facts


class RoleAwareModelBackend(ModelBackend):
    """ModelBackend whose ``get_user`` reads the user's role facts in the same query."""

    def get_user(self, user_id: Any) -> User | None:
        users = with_role_facts(get_user_model()._default_manager.all())
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
