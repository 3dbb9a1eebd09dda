"""Level, framework, area and provider codes are resolved to ids before a search runs."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from credentials.models import Credential
from credentials.search.codes import search_codes_resolve
from credentials.search.service import credential_search
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy, LevelReference
from tests.factories import CredentialFactory

from .conftest import level

pytestmark = pytest.mark.django_db

URL = "/api/v1/credentials/"


def numbers(client, **params) -> set[str]:
    response = client.get(URL, {"status": "all", "page_size": 100, **params})
    assert response.status_code == 200, response.content
    return {item["registration_number"] for item in response.json()["results"]}


def test_every_coded_parameter_resolves_in_one_query(register):
    data = {
        "framework": ["hkqf"],
        "level": ["RQF-4", "5"],
        "eqf": 5,
        "area": ["T-BUS"],
        "area_id": [register.health.pk],
        "provider": ["hku", "polyu"],
        "kind": ["qualification"],
    }
    with CaptureQueriesContext(connection) as queries:
        resolved = search_codes_resolve(data)

    assert len(queries.captured_queries) == 1
    assert set(resolved) == {"framework", "level", "eqf", "area", "area_id", "provider"}
    assert sorted(resolved["provider"]) == sorted([register.hku.pk, register.polyu.pk])
    assert set(resolved["level"]) == {
        level("RQF", "4").pk,
        level("RQF", "5").pk,
        level("HKQF", "5").pk,
        level("EQF", "5").pk,
    }
    assert level("HKQF", "4").pk in resolved["framework"]
    assert level("RQF", "4").pk not in resolved["framework"]
    assert level("EQF", "5").pk in resolved["eqf"]
    assert resolved["area"] == [register.business.pk]
    assert resolved["area_id"] == [register.health.pk]


def test_a_search_naming_no_codes_makes_no_lookup(register):
    with CaptureQueriesContext(connection) as queries:
        assert search_codes_resolve({"kind": ["qualification"], "q": "finance"}) == {}
    assert queries.captured_queries == []


def test_a_broad_area_code_includes_the_areas_under_it(client, register):
    broad = AreaOfStudy.objects.create(scheme=AreaScheme.HK_AREA, code="T-ALL", name_en="All")
    AreaOfStudy.objects.filter(pk=register.health.pk).update(parent=broad)

    assert numbers(client, area="T-ALL") == {register.nursing.registration_number}
    assert numbers(client, area_id=str(broad.pk)) == {register.nursing.registration_number}


@pytest.mark.parametrize(
    "params",
    [
        {"level": "HKQF-9"},
        {"framework": "NOPE"},
        {"provider": "nobody"},
        {"area": "X-NONE"},
        {"q": "finance", "level": "HKQF-9"},
        {"q": "finance", "level": "HKQF-9", "mode": "online"},
        {"framework": "NOPE", "kind": "qualification"},
    ],
)
def test_a_code_naming_nothing_matches_nothing(client, register, params):
    """Alone, beside text or beside another ticked facet (its condition a column then)."""
    response = client.get(URL, params)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 0 and body["results"] == []


def _by_join(parameter: str, value) -> Q:
    """The condition as a join on codes, as the filters made it before resolving them."""
    if parameter == "framework":
        return Q(level__framework__code__in=value)
    if parameter == "level":
        condition = Q(pk__in=[])
        for key in value:
            framework, sep, code = key.partition("-")
            condition |= (
                Q(level__framework__code=framework, level__code=code)
                if sep
                else Q(level__code=framework)
            )
        return condition
    if parameter == "eqf":
        referencing = LevelReference.objects.filter(
            to_level__framework__code="EQF", to_level__code=str(value)
        ).values("from_level_id")
        return Q(level__framework__code="EQF", level__code=str(value)) | Q(level_id__in=referencing)
    if parameter == "area":
        return Q(area_of_study__code__in=value) | Q(area_of_study__parent__code__in=value)
    return Q(provider__slug__in=value)


@pytest.mark.parametrize(
    "params",
    [
        {"framework": ["HKQF"]},
        {"level": ["RQF-4", "HKQF-5"]},
        {"level": ["4"]},
        {"eqf": 5},
        {"area": ["T-BUS"]},
        {"provider": ["pearson"], "framework": ["RQF"]},
    ],
)
def test_resolved_filters_match_the_join_on_codes(register, params):
    CredentialFactory(provider=register.pearson, level=level("RQF", "4"))
    search = credential_search(params={**params, "status": "all"})
    expected = Credential.objects.filter(search.filterset.visibility_q())
    for parameter, value in params.items():
        expected = expected.filter(_by_join(parameter, value))

    found = set(search.matches().values_list("pk", flat=True))
    assert found and found == set(expected.values_list("pk", flat=True))
