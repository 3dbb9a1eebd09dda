"""Browse pages link by cursor: every row once across pages, ties included, past the cap;
and the API's value-built results are what the list serializer wrote."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from credentials.api.results import RESULT_VALUES, result_items
from credentials.api.serializers import CredentialListSerializer
from credentials.choices import CredentialStatus
from credentials.models import Credential
from credentials.search.keyset import PageCursor
from credentials.search.service import credential_search
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/credentials/"


@pytest.fixture
def tied_titles(db):
    """Thirteen entries, most sharing one of two titles (ties the id must break)."""
    made = [CredentialFactory(title_en="Same Title") for _ in range(6)]
    made += [CredentialFactory(title_en="Another Title") for _ in range(4)]
    made += [CredentialFactory(title_en=title) for title in ("alpha", "Zeta", "Éclair")]
    CredentialFactory(status=CredentialStatus.DRAFT, title_en="Same Title")  # never shown
    return made


def walk(client, params: dict, link: str = "next") -> tuple[list[list[int]], list[dict]]:
    """Follow `link` from the first page to the end; the pages' ids and the bodies."""
    body = client.get(URL, params).json()
    pages, bodies = [[row["id"] for row in body["results"]]], [body]
    while body[link]:
        response = client.get(body[link])
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        bodies.append(body)
        assert len(pages) < 50
    return pages, bodies


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_next_links_list_every_row_once_in_title_order(client, tied_titles, size):
    pages, bodies = walk(client, {"page_size": size, "ordering": "title"})

    ids = [pk for page in pages for pk in page]
    expected = list(
        Credential.objects.filter(status=CredentialStatus.REGISTERED)
        .order_by("title_en", "pk")
        .values_list("pk", flat=True)
    )
    assert ids == expected
    assert len(ids) == len(tied_titles)
    assert all(len(page) == size for page in pages[:-1])
    assert all("cursor=" in body["next"] for body in bodies[:-1])
    assert all(body["results"] for body in bodies)  # no empty page at the end


def test_the_default_browse_links_by_cursor(client, tied_titles):
    pages, _bodies = walk(client, {"page_size": 4})

    assert sum(len(page) for page in pages) == len(tied_titles)


def test_previous_links_walk_back_through_the_same_pages(client, tied_titles):
    forward, bodies = walk(client, {"page_size": 3, "ordering": "title"})
    last = bodies[-1]
    backward = [[row["id"] for row in last["results"]]]
    body = last
    while body["previous"]:
        body = client.get(body["previous"]).json()
        backward.append([row["id"] for row in body["results"]])

    assert backward[::-1] == forward
    assert body["next"] and body["previous"] is None


def test_newest_first_with_ties_in_the_creation_time(client, tied_titles):
    same_moment = timezone.now() - datetime.timedelta(days=1)
    Credential.objects.filter(title_en="Same Title").update(created_at=same_moment)

    pages, _bodies = walk(client, {"page_size": 2, "ordering": "newest"})

    ids = [pk for page in pages for pk in page]
    expected = list(
        Credential.objects.filter(status=CredentialStatus.REGISTERED)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert ids == expected


@override_settings(SEARCH_RESULT_CAP=4)
def test_cursors_go_past_the_count_cap_to_the_end(client, tied_titles):
    pages, bodies = walk(client, {"page_size": 3, "ordering": "title"})

    assert bodies[0]["count"] == 4 and bodies[0]["count_capped"] is True
    assert sum(len(page) for page in pages) == len(tied_titles)
    # Page numbers past the cap are refused; cursors are not.
    assert client.get(URL, {"page_size": 3, "page": 3}).status_code == 404


def test_a_filter_change_still_applies_under_a_cursor(client, tied_titles):
    """A cursor is a position, not a selection: the filters of the request decide."""
    first = client.get(URL, {"page_size": 2, "ordering": "title"}).json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]

    body = client.get(URL, {"page_size": 50, "cursor": cursor, "q": ""}).json()
    assert {row["id"] for row in body["results"]} <= {c.pk for c in tied_titles}


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "W10"},  # base64 of []
        {"cursor": PageCursor("newest", 2, True, "Same Title", 1).encode()},  # another ordering
        {"cursor": PageCursor("title", 0, True, "Same Title", 1).encode()},
        {"cursor": PageCursor("title", 2, True, "Same Title", 1).encode(), "q": "title"},
        {"cursor": PageCursor("title", 2, True, "x", 1).encode(), "ordering": "credits"},
        {"cursor": "x" * 1001},
    ],
)
def test_a_bad_cursor_is_a_400_on_its_field(client, tied_titles, params):
    response = client.get(URL, params)

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_bad_cursor_on_the_html_page_is_a_message_not_a_500(client, tied_titles):
    response = client.get("/search/", {"cursor": "not-a-cursor"})

    assert response.status_code == 400


def test_the_html_next_link_carries_a_cursor(client, tied_titles):
    page = client.get("/search/", {"page_size": 3}).content.decode()

    assert 'rel="next" href="?' in page and "cursor=" in page


def test_a_cursor_page_costs_no_more_queries(client, tied_titles, django_assert_num_queries):
    first = client.get(URL, {"page_size": 2}).json()
    with django_assert_num_queries(1):  # the page: the counts are cached since the first
        body = client.get(first["next"]).json()
    assert len(body["results"]) == 2


@pytest.mark.parametrize(
    "params", [{}, {"status": "all", "ordering": "credits"}, {"q": "title"}, {"eqf": 5}]
)
def test_value_results_are_what_the_list_serializer_wrote(register, tied_titles, params):
    CredentialFactory(credits=None, area_of_study=None, quality_marks=["cef", "htq"])
    search = credential_search(params=params)
    drf_request = Request(APIRequestFactory().get(URL))
    rows = search.page(values=RESULT_VALUES)
    models = search.page()
    context = {"request": drf_request, "equivalences": models.equivalences}

    built = result_items(rows.rows, request=drf_request, equivalences=rows.equivalences)

    assert built == CredentialListSerializer(models.rows, many=True, context=context).data
    assert built
