"""Bulk writes for tests of what triggers make of them: twins of existing credentials
written by one COPY or one INSERT … SELECT, the ways imports and loads write."""

from django.db import connection

from credentials.models import Credential

# Every column a writer sets: not the id, the generated key or the search document.
COLUMNS = tuple(
    field.column
    for field in Credential._meta.concrete_fields
    if not field.generated and field.column not in ("id", "search_document")
)


def _twin_select(prefix: str, numbered: str) -> tuple[str, list[str]]:
    selected = ", ".join(
        f"%s || c.{column}" if column == "registration_number" else f"c.{column}"
        for column in COLUMNS
    )
    return (
        f"SELECT {selected} FROM credentials_credential AS c"
        " WHERE c.registration_number LIKE %s ORDER BY c.id",
        [prefix, numbered + "%"],
    )


def copy_twins(prefix: str, numbered: str) -> None:
    """COPY a twin of each credential numbered `numbered`…, its number prefixed `prefix`."""
    query, params = _twin_select(prefix, numbered)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
        columns = ", ".join(COLUMNS)
        with cursor.cursor.copy(f"COPY credentials_credential ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def insert_twins(prefix: str, numbered: str) -> None:
    """The same twins in one INSERT … SELECT."""
    query, params = _twin_select(prefix, numbered)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO credentials_credential ({', '.join(COLUMNS)}) {query}", params)
