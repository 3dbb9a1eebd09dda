"""The benchmark's database handling and its set-based search documents."""

import pytest
from django.db import connection

from benchmarks.load import BenchDatabaseError, bench_settings
from credentials.search.sql import document_expression
from tests.factories import CredentialFactory


def test_the_default_benchmark_database_sits_beside_the_working_one():
    target = bench_settings(None)

    assert target["NAME"] == "registry_bench"
    assert target["HOST"] == connection.settings_dict["HOST"]
    assert target["PORT"] == connection.settings_dict["PORT"]


@pytest.mark.parametrize(
    "url", ["postgres://postgres@127.0.0.1:5432/registry", "postgres://u@db:5432/production"]
)
def test_a_database_not_named_for_benchmarks_is_refused(url):
    with pytest.raises(BenchDatabaseError, match="must contain 'bench'"):
        bench_settings(url)


def test_the_working_database_is_refused_even_when_named_bench():
    current = connection.settings_dict
    url = f"postgres://{current['USER']}@{current['HOST']}:{current['PORT']}/{current['NAME']}"
    settings_dict = dict(current)
    try:
        current["NAME"] = "registry_bench_x"
        with pytest.raises(BenchDatabaseError, match="must not be the working database"):
            bench_settings(url.rsplit("/", 1)[0] + "/registry_bench_x")
    finally:
        current.update(settings_dict)


@pytest.mark.django_db
def test_set_based_documents_equal_the_triggers(register_with_outcomes):
    """The bulk load computes documents in one statement; they must be the trigger's."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.search_document = {document_expression('c', 'p', 'a')}"
            " FROM credentials_credential AS c"
            " JOIN providers_provider AS p ON p.id = c.provider_id"
            " LEFT JOIN qualifications_areaofstudy AS a ON a.id = c.area_of_study_id"
        )
        rows = cursor.fetchall()

    assert rows and all(equal for _id, equal in rows)


@pytest.fixture
def register_with_outcomes(db):
    return [
        CredentialFactory(
            title_en="Micro-credential in Green Finance",
            title_zh="綠色金融微證書",
            learning_outcomes_en=["Explain the main principles of green finance."],
            learning_outcomes_zh=["闡釋綠色金融的主要原理。"],
        ),
        CredentialFactory(title_en="Pearson BTEC Level 3 Diploma in Sport", title_zh=""),
    ]
