"""Bulk writers get the same search documents as row-by-row saves, and an UPDATE that
changes no searched column leaves the document alone without recomputing it."""

import pytest
from django.db import connection

from credentials.models import Credential
from credentials.search.sql import document_expression
from imports.bulk import update_rows
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy
from tests.bulk_writes import copy_twins, insert_twins
from tests.factories import CredentialFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def stale_documents() -> list[str]:
    """Registration numbers whose stored document is not the one the SQL computes now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.registration_number FROM credentials_credential AS c"
            " LEFT JOIN providers_provider AS p ON p.id = c.provider_id"
            " LEFT JOIN qualifications_areaofstudy AS a ON a.id = c.area_of_study_id"
            f" WHERE c.search_document IS DISTINCT FROM {document_expression('c', 'p', 'a')}"
            " ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def documents(prefix: str) -> dict[str, str]:
    """Each document without its registration number's words, by number less `prefix`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(registration_number, %s), ts_delete(search_document,"
            " tsvector_to_array(to_tsvector('english', registration_number)))::text"
            " FROM credentials_credential WHERE registration_number LIKE %s",
            [len(prefix) + 1, prefix + "%"],
        )
        return dict(cursor.fetchall())


def with_user_triggers_off(sql: str, params: list | None = None) -> None:
    """Run `sql` past every trigger of the table, to plant a document no trigger wrote."""
    with connection.cursor() as cursor:
        # ALTER TABLE refuses to run while earlier statements' deferred checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE credentials_credential DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE credentials_credential ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def saved():
    """Credentials saved one at a time, with CJK text, marks, names and an area."""
    provider = ProviderFactory(name_en="Harbour Institute", name_zh="海港學院", short_name="HI")
    area = AreaOfStudy.objects.create(
        scheme=AreaScheme.UK_SSA, code="4.1", name_en="Engineering", name_zh="工程"
    )
    rows = [
        CredentialFactory(
            registration_number=f"S/{n}",
            provider=provider,
            area_of_study=area if n % 2 else None,
            title_en=f"HNC/HND A level Engineering {n}",
            title_zh="工程证书" if n % 3 else "",
            qualification_type="AS level",
            learning_outcomes_en=["Design circuits", "Test machines"],
            learning_outcomes_zh=["設計電路"] if n % 2 else [],
            quality_marks=["htq"] if n % 2 else [],
        )
        for n in range(6)
    ]
    return rows


@pytest.mark.parametrize("write", [copy_twins, insert_twins], ids=["COPY", "INSERT … SELECT"])
def test_bulk_inserts_build_the_documents_row_by_row_saves_build(saved, write):
    write("T", "S/")

    by_save, by_bulk = documents(""), documents("T")
    assert set(by_bulk) == {row.registration_number for row in saved}
    assert by_bulk == {number: by_save[number] for number in by_bulk}
    assert stale_documents() == []


def update_from(values: list[tuple[int, str, str]]) -> int:
    """Set title_en and title_zh from (id, title_en, title_zh) rows: the imports' own bulk
    update, one UPDATE … FROM."""
    return update_rows(Credential, ("title_en", "title_zh"), values)


def test_an_update_from_of_many_rows_rebuilds_the_changed_documents(saved):
    values = [(row.pk, f"Diploma in Welding {row.pk}", "焊接文憑") for row in saved]

    assert update_from(values) == len(saved)

    assert stale_documents() == []
    credential = Credential.objects.get(pk=saved[0].pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document @@ 'weld:A & 焊接:A'::tsquery"
            " FROM credentials_credential WHERE id = %s",
            [credential.pk],
        )
        assert cursor.fetchone()[0]


def test_an_update_that_sets_the_values_already_there_skips_the_trigger(saved):
    """Proved by a marker document the trigger would have replaced: it survives."""
    with_user_triggers_off(
        "UPDATE credentials_credential SET search_document = 'marker' WHERE id = %s",
        [saved[0].pk],
    )

    update_from([(row.pk, row.title_en, row.title_zh) for row in saved])

    assert stale_documents() == ["S/0"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document::text FROM credentials_credential WHERE id = %s",
            [saved[0].pk],
        )
        assert cursor.fetchone()[0] == "'marker'"


def test_a_document_a_writer_supplies_is_recomputed(saved):
    Credential.objects.filter(pk=saved[0].pk).update(search_document="forged")

    assert stale_documents() == []


def test_clearing_the_documents_rebuilds_them(saved):
    with_user_triggers_off("UPDATE credentials_credential SET search_document = 'marker'")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE credentials_credential SET search_document = NULL")

    assert stale_documents() == []


def test_a_provider_rename_still_rebuilds_its_documents(saved):
    provider = saved[0].provider
    provider.name_en = "Seaside College"
    provider.save(update_fields=["name_en"])

    assert stale_documents() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM credentials_credential"
            " WHERE search_document @@ 'seasid:B'::tsquery"
        )
        assert cursor.fetchone()[0] == len(saved)
