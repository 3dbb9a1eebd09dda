"""A text search's statement from its shape's template is the one the ORM builds."""

import datetime

import pytest

from credentials.search import shapes
from credentials.search.query import parse_query
from credentials.search.service import credential_search

pytestmark = pytest.mark.django_db

QUERIES = [
    "603/2476/0",
    "60324760",
    "accounting",
    # The text equals a configuration's name, also a parameter of the statement.
    "english",
    "health and social care",
    "level 3 diploma",
    "GCE A Level",
    "金融",
    "人工智能",
    "nurses 護理",
]


@pytest.fixture(autouse=True)
def _no_templates(monkeypatch):
    monkeypatch.setattr(shapes, "_templates", {})


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize(
    "extra", [{}, {"ordering": "title"}, {"page": "3"}, {"ordering": "-credits", "page_size": "50"}]
)
@pytest.mark.parametrize("page", [(0, 20), None])
def test_the_shaped_statement_is_the_orms(text, extra, page):
    search = credential_search(params={"q": text, **extra}, today=datetime.date(2026, 3, 4))

    # The first call builds the template, the second fills it in.
    search._text_counts_sql(limit=search.cap + 1, page=page)
    sql, params = search._text_counts_sql(limit=search.cap + 1, page=page)

    expected_sql, expected_params = search._counts_sql(limit=search.cap + 1, page=page)
    assert sql == expected_sql
    assert params == list(expected_params)
    assert [type(param) for param in params] == [type(param) for param in expected_params]


def test_another_query_of_the_same_shape_gets_its_own_values():
    first = credential_search(params={"q": "accounting"}, today=datetime.date(2026, 3, 4))
    second = credential_search(params={"q": "nurses"}, today=datetime.date(2026, 3, 5))
    first._text_counts_sql(limit=first.cap + 1, page=(0, 20))

    sql, params = second._text_counts_sql(limit=second.cap + 1, page=(0, 20))

    assert len(shapes._templates) == 1
    assert (sql, params) == second._counts_sql(limit=second.cap + 1, page=(0, 20))
    assert "accounting" not in params
    assert datetime.date(2026, 3, 4) not in params


def test_a_template_is_built_once_per_shape():
    built = []

    def build(parsed, today):
        built.append(parsed)
        return "SELECT %s, %s", [parsed.groups[0][0][0][1], today]

    for text in ("accounting", "nurses", "diploma"):
        _sql, params = shapes.shaped_statement(
            "s", parse_query(text), datetime.date(2026, 3, 4), build
        )
        assert params == [text, datetime.date(2026, 3, 4)]

    assert len(built) == 1


def test_a_marker_written_into_the_sql_text_is_not_templated():
    def build(parsed, today):
        return f"SELECT '{parsed.groups[0][0][0][1]}', %s", [today]

    sql, params = shapes.shaped_statement(
        "s", parse_query("nurses"), datetime.date(2026, 3, 4), build
    )

    assert (sql, params) == ("SELECT 'nurses', %s", [datetime.date(2026, 3, 4)])
    assert shapes._templates[("s", shapes.query_shape(parse_query("nurses")))] is None


def test_a_filtered_search_is_built_by_the_orm():
    search = credential_search(params={"q": "accounting", "framework": "RQF"})

    assert search._text_counts_sql(limit=search.cap + 1) == search._counts_sql(limit=search.cap + 1)
    assert shapes._templates == {}
