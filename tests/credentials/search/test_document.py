"""The stored search document stays current on every write path."""

import pytest
from django.core.management import call_command
from django.db import connection

from credentials.models import Credential
from tests.factories import CredentialFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def matches(credential: Credential, query: str, config: str = "english") -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document @@ to_tsquery(%s::regconfig, %s)"
            " FROM credentials_credential WHERE id = %s",
            [config, query, credential.pk],
        )
        return cursor.fetchone()[0]


def weights(credential: Credential) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document::text FROM credentials_credential WHERE id = %s",
            [credential.pk],
        )
        return cursor.fetchone()[0]


def test_insert_builds_a_weighted_document():
    provider = ProviderFactory(name_en="Harbour Institute", name_zh="海港學院")
    credential = CredentialFactory(
        title_en="Diploma in Accounting",
        title_zh="會計文憑",
        provider=provider,
        registration_number="24/000777/L3",
        learning_outcomes_en=["Prepare financial statements"],
    )

    document = weights(credential)
    assert "'會計':" in document and "'harbour':" in document
    assert matches(credential, "account:A")
    assert matches(credential, "harbour:B")
    assert matches(credential, "'24/000777/l3':B")
    assert matches(credential, "statement:C")
    assert matches(credential, "海港:B", "simple")


def test_update_of_a_searched_column_rebuilds_it():
    credential = CredentialFactory(title_en="Certificate in Baking")

    credential.title_en = "Certificate in Welding"
    credential.save()

    assert matches(credential, "weld") and not matches(credential, "bake")


def test_queryset_update_and_bulk_create_keep_documents_current():
    provider = ProviderFactory()
    first, second = Credential.objects.bulk_create(
        [
            CredentialFactory.build(provider=provider, title_en="Bulk Loaded Plumbing"),
            CredentialFactory.build(provider=provider, title_en="Bulk Loaded Roofing"),
        ]
    )
    assert matches(first, "plumb") and matches(second, "roof")

    Credential.objects.filter(pk=first.pk).update(title_zh="水喉工程")

    assert matches(first, "水喉", "simple")


def test_provider_rename_reaches_its_credentials():
    provider = ProviderFactory(name_en="Old Name College")
    credential = CredentialFactory(provider=provider)

    provider.name_en = "Kowloon Skills Academy"
    provider.save()

    assert matches(credential, "kowloon") and not matches(credential, "old <-> name")


def test_rebuild_command_recomputes_every_document():
    credential = CredentialFactory(title_en="Certificate in Carpentry")
    with connection.cursor() as cursor:
        # Simulate a load that bypassed the trigger.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE credentials_credential DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE credentials_credential SET search_document = NULL WHERE id = %s",
            [credential.pk],
        )
        cursor.execute("ALTER TABLE credentials_credential ENABLE TRIGGER USER")
    assert not matches(credential, "carpentri")

    call_command("rebuild_search_index", verbosity=0)

    assert matches(credential, "carpentri")


def test_quality_marks_and_names_join_the_document():
    credential = CredentialFactory(
        title_en="Pearson BTEC HNC/HND in Engineering",
        qualification_type="GCE A Level",
        quality_marks=["htq"],
    )

    assert matches(credential, "hnc:A & hnd:A")
    assert matches(credential, "alevel:C")
    assert matches(credential, "htq:C & technic:C")
    assert matches(credential, "高等 <-> 等技", "simple")

    Credential.objects.filter(pk=credential.pk).update(quality_marks=[])
    assert not matches(credential, "htq")


def test_the_latest_search_migration_installs_the_current_sql():
    """The search SQL is frozen in migrations: a change to sql.py or names.py needs a new
    migration that installs it (and rebuilds the documents it changes)."""
    from importlib import import_module

    from credentials.search.sql import install_statements

    functions = import_module("credentials.migrations.0009_search_marks_and_names")
    triggers = import_module(
        "credentials.migrations.0014_search_trigger_one_lookup_and_skips_unchanged"
    )
    frozen = [*functions.INSTALL_STATEMENTS[:-2], *triggers.INSTALL_STATEMENTS]
    assert frozen == install_statements()[3:-2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'credentials_search_document'")
        assert cursor.fetchone()[0] == 1  # the old signature is gone


def test_every_quality_mark_has_its_labels_as_search_words():
    import re

    from django.utils import translation

    from credentials.choices import QualityMark
    from credentials.search.names import QUALITY_MARK_WORDS

    assert set(QUALITY_MARK_WORDS) == set(QualityMark.values)
    for mark in QualityMark:
        words = QUALITY_MARK_WORDS[mark]
        for language in ("en", "zh-hant"):
            with translation.override(language):
                label = str(mark.label)
            for part in re.findall(r"\w+", label):
                assert part in words, (mark, language, part)
