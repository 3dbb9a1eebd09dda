"""The benchmark register's generator: deterministic, well-formed, realistic in mix."""

import datetime
from collections import Counter

import pytest

from benchmarks.generate import (
    CREDENTIAL_COLUMNS,
    MAX_ENTRIES,
    CredentialRows,
    References,
    provider_specs,
)
from benchmarks.sources import BENCH_DATA_DIR, read_sources, uk_level, uk_type
from credentials.choices import CredentialKind, CredentialStatus
from credentials.numbers import registration_key

TODAY = datetime.date(2026, 1, 15)
COLUMN = {name: index for index, name in enumerate(CREDENTIAL_COLUMNS)}


@pytest.fixture(scope="module")
def sources():
    return read_sources(BENCH_DATA_DIR)


@pytest.fixture(scope="module")
def references(sources):
    specs = provider_specs(sources)
    rqf = ["E1", "E2", "E3", *map(str, range(1, 9))]
    levels = {("RQF", code): 100 + index for index, code in enumerate(rqf)}
    levels |= {("HKQF", str(code)): 200 + code for code in range(1, 8)}
    uk_areas = ("01.3", "15.1", "04.1")
    hk_areas = ("AI", "Business", "Engineering", "Medicine")
    return References(
        providers={spec.key: index + 1 for index, spec in enumerate(specs)},
        levels=levels,
        areas={code: 300 + index for index, code in enumerate((*uk_areas, *hk_areas))},
        uk_areas=uk_areas,
        hk_areas=hk_areas,
    )


def generate(sources, references, n: int, seed: int = 1) -> list[tuple]:
    return list(CredentialRows(sources, references, seed=seed, today=TODAY).rows(n))


def test_the_same_seed_gives_the_same_register(sources, references):
    assert generate(sources, references, 300) == generate(sources, references, 300)
    assert generate(sources, references, 300, seed=2) != generate(sources, references, 300)


def test_rows_fill_every_column_with_unique_numbers(sources, references):
    rows = generate(sources, references, 3000)

    assert all(len(row) == len(CREDENTIAL_COLUMNS) for row in rows)
    assert [row[COLUMN["id"]] for row in rows] == list(range(1, 3001))
    keys = [registration_key(row[COLUMN["registration_number"]]) for row in rows]
    assert len(set(keys)) == len(keys)
    assert all(len(row[COLUMN["title_en"]]) <= 500 for row in rows)


def test_the_mix_looks_like_a_register(sources, references):
    rows = generate(sources, references, 3000)
    statuses = Counter(row[COLUMN["status"]] for row in rows)
    kinds = Counter(row[COLUMN["kind"]] for row in rows)
    chinese = [row for row in rows if row[COLUMN["title_zh"]]]

    assert statuses[CredentialStatus.REGISTERED] / len(rows) > 0.8
    assert {CredentialStatus.EXPIRED, CredentialStatus.WITHDRAWN} <= set(statuses)
    assert kinds[CredentialKind.MICRO_CREDENTIAL] and kinds[CredentialKind.QUALIFICATION]
    assert 0.25 < len(chinese) / len(rows) < 0.45
    assert len({row[COLUMN["provider_id"]] for row in rows}) > 150
    for row in rows:
        if row[COLUMN["status"]] == CredentialStatus.REGISTERED:
            # The register's own check constraint: a level and a validity start.
            assert row[COLUMN["level_id"]] is not None and row[COLUMN["valid_from"]]
        if row[COLUMN["valid_to"]] is not None:
            assert row[COLUMN["valid_to"]] >= row[COLUMN["valid_from"]]
    # Swept: nothing registered has passed its end date (only the sweep bench makes some).
    assert not [
        row
        for row in rows
        if row[COLUMN["status"]] == CredentialStatus.REGISTERED
        and row[COLUMN["valid_to"]] is not None
        and row[COLUMN["valid_to"]] < TODAY
    ]


def test_providers_number_a_few_hundred_with_unique_slugs(sources):
    specs = provider_specs(sources)

    assert 300 <= len(specs) <= 600
    assert len({spec.slug for spec in specs}) == len(specs)
    assert any(spec.name_zh for spec in specs)


@pytest.mark.parametrize(
    ("title", "level", "kind"),
    [
        ("Pearson BTEC Level 3 National Diploma in Sport", "3", "Other General Qualification"),
        ("CCEA Entry Level Certificate in Media Studies", "E3", None),
        ("Laser Entry Level Certificate in Living (Entry 1) (QCF)", "E1", None),
        ("AQA GCSE in Mathematics", "2", "GCSE (9 to 1)"),
        ("EAL Level 2 NVQ Diploma in Welding", "2", "National Vocational Qualification"),
    ],
)
def test_uk_titles_name_their_level_and_type(title, level, kind):
    assert uk_level(title) == level
    assert uk_type(title) == kind


def test_more_entries_than_numbers_allow_are_refused(sources, references):
    with pytest.raises(ValueError, match="At most"):
        next(CredentialRows(sources, references, seed=1, today=TODAY).rows(MAX_ENTRIES + 1))
