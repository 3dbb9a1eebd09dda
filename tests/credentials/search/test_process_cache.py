"""The levels an `eqf` filter names are kept per process, and never outlive an edit."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from credentials.search.cache import generation_read, process_cached, search_cache_invalidate
from qualifications.choices import ReferenceBasis
from qualifications.models import Framework, LevelReference

from .conftest import level, search

pytestmark = pytest.mark.django_db


def equivalence(body) -> set[tuple[str, str, str]]:
    return {(item["framework"], item["level"], item["basis"]) for item in body["equivalence"]}


def hkqf_4_to_eqf_5() -> LevelReference:
    return LevelReference.objects.get(from_level=level("HKQF", "4"), to_level=level("EQF", "5"))


def test_a_repeated_equivalence_browse_looks_its_levels_up_once(
    client, register, django_assert_num_queries
):
    first = search(client, eqf=5)
    with django_assert_num_queries(1):  # the page's rows: counts, ids and levels are kept
        again = search(client, eqf=5)
    assert again == first


def test_a_text_search_keeps_the_levels_too(client, register, django_assert_num_queries):
    with override_settings(SEARCH_SUGGESTION_BELOW=0):
        first = search(client, q="finance", eqf=5)
        # The level codes' ids, the counts, the rows; no lookup of the levels' references.
        with django_assert_num_queries(3):
            again = search(client, q="finance", eqf=5)
    assert again == first


def test_an_edited_level_reference_shows_in_the_next_search(client, register):
    assert ("HKQF", "4", "indicative") in equivalence(search(client, eqf=5))

    reference = hkqf_4_to_eqf_5()
    reference.basis = ReferenceBasis.OFFICIAL
    reference.save()

    body = search(client, eqf=5)
    assert ("HKQF", "4", "official") in equivalence(body)
    basis = {item["registration_number"]: item["equivalence_basis"] for item in body["results"]}
    assert basis[register.fintech.registration_number] == "official"


def test_a_deleted_level_reference_shows_in_the_next_search(client, register):
    assert register.fintech.registration_number in {
        item["registration_number"] for item in search(client, eqf=5)["results"]
    }

    hkqf_4_to_eqf_5().delete()

    body = search(client, eqf=5)
    assert ("HKQF", "4", "indicative") not in equivalence(body)
    assert register.fintech.registration_number not in {
        item["registration_number"] for item in body["results"]
    }


def test_a_renamed_level_shows_in_the_next_search(client, register):
    search(client, eqf=5)

    renamed = level("RQF", "5")
    renamed.code = "5X"
    renamed.save()

    assert ("RQF", "5X", "official") in equivalence(search(client, eqf=5))


def test_a_renamed_framework_shows_in_the_next_search(client, register):
    search(client, eqf=5)

    framework = Framework.objects.get(code="RQF")
    framework.code = "RQFX"
    framework.save()

    assert ("RQFX", "5", "official") in equivalence(search(client, eqf=5))


def test_an_edit_made_by_another_process_shows_once_it_moves_the_generation(client, register):
    """Another process's save reaches this one only through the shared generation."""
    search(client, eqf=5)
    # No signal in this process: as if another worker had saved it, before its bump.
    LevelReference.objects.filter(pk=hkqf_4_to_eqf_5().pk).update(basis=ReferenceBasis.OFFICIAL)
    assert ("HKQF", "4", "indicative") in equivalence(search(client, eqf=5))  # kept

    search_cache_invalidate()  # that worker's bump

    assert ("HKQF", "4", "official") in equivalence(search(client, eqf=5))


def test_nothing_is_kept_while_the_cache_holds_no_generation(
    client, register, django_assert_num_queries
):
    search(client, eqf=5)
    cache.clear()  # flushed (or Redis unreachable): a bump could not be seen
    search(client, eqf=5)
    with django_assert_num_queries(2):  # the rows, and the levels again
        search(client, eqf=5)


def test_a_generation_started_after_a_flush_never_matches_one_kept_before():
    computed = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    search_cache_invalidate()
    key = "test:generation-after-flush"
    assert process_cached(key, compute, 60, lookup=generation_read()) == 1
    assert process_cached(key, compute, 60, lookup=generation_read()) == 1

    cache.clear()
    search_cache_invalidate()

    assert process_cached(key, compute, 60, lookup=generation_read()) == 2


@override_settings(SEARCH_FACET_CACHE_SECONDS=0)
def test_switching_the_search_cache_off_keeps_nothing_in_the_process(
    client, register, django_assert_num_queries
):
    search(client, eqf=5)
    # The levels' ids, the counts, the rows and the levels' references, every time.
    with django_assert_num_queries(4):
        search(client, eqf=5)
