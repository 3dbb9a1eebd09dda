"""The test suite's flush gets past exactly the triggers that refuse TRUNCATE."""

import pytest
from django.core.management.color import no_style
from django.db import connection

pytestmark = pytest.mark.django_db


def _switched_off(table: str, trigger: str) -> str:
    return f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}";'


def test_the_flush_switches_off_the_refusing_truncate_triggers_and_no_other():
    tables = connection.introspection.django_table_names(only_existing=True)
    statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    disabled = {statement for statement in statements if "DISABLE TRIGGER" in statement}

    assert _switched_off("qa_reviews_sentnotice", "qa_reviews_sentnotice_no_truncate") in disabled
    assert (
        _switched_off("credentials_changerequest", "credentials_changerequest_no_truncate")
        in disabled
    )
    assert not [statement for statement in disabled if "facet_cube" in statement]
    assert all(statement.endswith('_no_truncate";') for statement in disabled)
