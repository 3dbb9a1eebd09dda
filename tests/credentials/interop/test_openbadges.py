"""A credential as an Open Badges 3.0 Achievement, checked against the specification's
examples in ``tests/data/interop/openbadges3/``."""

import pytest
from rest_framework.test import APIClient

from credentials.choices import CredentialStatus
from credentials.interop.openbadges import CONTEXT, credential_achievement
from tests.factories import CredentialFactory, MembershipFactory

from .conftest import example_files

pytestmark = pytest.mark.django_db
# Achievement properties of the specification the examples happen not to use.
SPEC_PROPERTIES_NOT_IN_EXAMPLES = {"@context", "inLanguage", "related"}


def example_achievements() -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == ["Achievement"]:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for document in example_files("openbadges3"):
        walk(document)
    return found


def absolute(path: str) -> str:
    return f"https://registry.example.org{path}"


def test_the_achievement_has_the_examples_shape(micro_credential):
    examples = example_achievements()
    assert len(examples) >= 5
    known = set().union(*(example.keys() for example in examples))
    achievement = credential_achievement(micro_credential, absolute=absolute)

    assert set(achievement) - known <= SPEC_PROPERTIES_NOT_IN_EXAMPLES
    assert achievement["type"] == ["Achievement"]
    assert achievement["@context"] == example_files("openbadges3")[0]["@context"] == CONTEXT
    # Every property the examples share keeps the examples' JSON type.
    for name, value in achievement.items():
        for example in examples:
            if name in example:
                assert type(value) is type(example[name]), name
    for required in ("id", "name", "description", "criteria"):
        assert achievement[required]
    assert achievement["id"].startswith("https://registry.example.org/api/v1/credentials/")
    assert set(achievement["criteria"]) <= {"id", "narrative"}
    assert "- Clean and join data sets, using pandas" in achievement["criteria"]["narrative"]
    assert achievement["creditsAvailable"] == 12.0
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["humanCode"] == "24/000201/L4"
    assert achievement["creator"]["type"] == ["Profile"]
    assert achievement["fieldOfStudy"] == "Computing, Information and Multimedia Technology"
    alignment_keys = set().union(
        *(a.keys() for example in examples for a in example.get("alignment", []))
    )
    for alignment in achievement["alignment"]:
        assert alignment["type"] == ["Alignment"]
        assert {"targetName", "targetUrl"} <= set(alignment) <= alignment_keys
    level, ctdl = achievement["alignment"]
    assert (level["targetCode"], level["targetFramework"]) == (
        "4",
        "Hong Kong Qualifications Framework",
    )
    assert ctdl["targetType"] == "CTDL" and ctdl["targetCode"].startswith("ce-")


def test_the_endpoint_serves_json_ld_in_either_language(micro_credential):
    url = f"/api/v1/credentials/{micro_credential.pk}/openbadges/"

    response = APIClient().get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    english = response.json()
    assert english["name"].startswith("Professional Certificate in Applied Data Analytics")
    assert english["inLanguage"] == "en"

    chinese = APIClient().get(url, {"lang": "zh-Hant"}).json()
    assert (chinese["name"], chinese["inLanguage"]) == ("應用數據分析專業證書", "zh-Hant")
    assert chinese["related"][0]["id"] == english["id"]
    assert chinese["creator"]["name"] == "海港專業進修學院"


def test_a_draft_is_visible_only_to_its_provider():
    draft = CredentialFactory(status=CredentialStatus.DRAFT)
    member = MembershipFactory(provider=draft.provider).user
    url = f"/api/v1/credentials/{draft.pk}/openbadges/"

    assert APIClient().get(url).status_code == 404
    client = APIClient()
    client.force_authenticate(member)
    assert client.get(url).status_code == 200
    assert APIClient().get("/api/v1/credentials/999999/openbadges/").status_code == 404
