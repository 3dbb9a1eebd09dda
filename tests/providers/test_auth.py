"""The session user arrives with its role facts: the nav's "Reviews" link costs no query."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.roles import REVIEWERS_GROUP, is_reviewer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REVIEWS_LINK = 'href="{}"'.format(reverse("reviews:queue"))


@pytest.fixture
def reviewers() -> Group:
    return Group.objects.get_or_create(name=REVIEWERS_GROUP)[0]


def _page(client, user) -> tuple[str, list[str]]:
    """A signed-in page's HTML and the SQL it ran, with the session already warm."""
    client.force_login(user)
    url = reverse("credentials:verify")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


def test_a_reviewer_s_page_reads_the_groups_only_in_the_query_that_loads_the_user(
    client, reviewers
):
    reviewer = UserFactory()
    reviewer.groups.add(reviewers)

    html, queries = _page(client, reviewer)

    assert REVIEWS_LINK in html
    reading_groups = [sql for sql in queries if "auth_user_groups" in sql]
    assert len(reading_groups) == 1
    assert 'FROM "auth_user"' in reading_groups[0]


def test_a_reviewer_s_page_costs_no_query_more_than_a_registry_administrator_s(client, reviewers):
    """Staff see the link from the user row alone; a reviewer's group costs nothing more."""
    reviewer = UserFactory()
    reviewer.groups.add(reviewers)
    reviewer_html, reviewer_queries = _page(client, reviewer)
    staff_html, staff_queries = _page(client, UserFactory(is_staff=True))

    assert REVIEWS_LINK in reviewer_html and REVIEWS_LINK in staff_html
    assert len(reviewer_queries) == len(staff_queries)


def test_a_change_of_groups_shows_on_the_next_page(client, reviewers):
    user = UserFactory()
    html, _ = _page(client, user)
    assert REVIEWS_LINK not in html

    user.groups.add(reviewers)
    html, _ = _page(client, user)
    assert REVIEWS_LINK in html

    user.groups.remove(reviewers)
    html, _ = _page(client, user)
    assert REVIEWS_LINK not in html


def test_a_user_loaded_elsewhere_is_asked_the_database(reviewers):
    reviewer = UserFactory()
    reviewer.groups.add(reviewers)
    assert is_reviewer(type(reviewer).objects.get(pk=reviewer.pk))
    reviewer.groups.clear()
    assert not is_reviewer(type(reviewer).objects.get(pk=reviewer.pk))
