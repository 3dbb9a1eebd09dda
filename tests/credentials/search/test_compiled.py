"""Columns compiled once give the SQL, parameters and values the ORM gives each time."""

import pytest
from django.db import connection

from credentials.models import Credential
from credentials.search import compiled
from credentials.search.compiled import compiled_column
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db


def _orm_sql(expression):
    query = Credential.objects.annotate(column=expression).values("column").query
    return query.get_compiler(connection.alias).compile(query.annotations["column"])


@pytest.mark.parametrize(
    ("name", "expression"),
    [
        ("size_band", compiled.size_band),
        ("superseded", compiled._superseded),
    ],
)
def test_a_fixed_column_is_the_orm_expressions_sql(name, expression):
    sql, params = compiled._compiled(name)

    assert (sql, list(params)) == _orm_sql(expression())


def test_the_registration_key_takes_the_placeholders_place():
    raw = compiled_column("exact_number", "99876543")

    assert raw.params == ["99876543", True, False]
    assert "registration_key" in raw.sql


def test_compiled_columns_read_the_same_values_as_the_orm(register):
    CredentialFactory(credits=None, notional_hours=250, registration_number="998/7654/3")
    CredentialFactory(credits=None, notional_hours=None)
    orm = Credential.objects.annotate(
        band=compiled.size_band(),
        exact=compiled._exact_number(),
        old=compiled._superseded(),
    ).order_by("pk")
    fast = Credential.objects.annotate(
        band=compiled_column("size_band"),
        exact=compiled_column("exact_number", "99876543"),
        old=compiled_column("superseded"),
    ).order_by("pk")
    expected = [
        (row.pk, row.band, row.registration_key == "99876543", row.old)
        for row in orm.values_list("pk", "band", "registration_key", "old", named=True)
    ]

    assert list(fast.values_list("pk", "band", "exact", "old")) == expected
    assert {band for _pk, band, _exact, _old in expected} >= {"over-120", None}
    assert any(exact for _pk, _band, exact, _old in expected)


def test_rows_by_id_reads_what_the_orm_reads(register):
    from credentials.api.results import RESULT_VALUES
    from credentials.search.compiled import rows_by_id

    ids = list(Credential.objects.values_list("pk", flat=True))
    orm = {
        row["pk"]: row for row in Credential.objects.filter(pk__in=ids).values("pk", *RESULT_VALUES)
    }

    fast = rows_by_id(ids, RESULT_VALUES, using=connection.alias)

    assert {row["pk"]: row for row in fast} == orm
    assert rows_by_id([], RESULT_VALUES, using=connection.alias) == []
