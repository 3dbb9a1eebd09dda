"""A credential as CTDL JSON-LD, checked against the records in ``tests/data/interop/ctdl/``:
five published to the Credential Engine Registry and the specification's example."""

import re

import pytest
from rest_framework.test import APIClient

from credentials.choices import CredentialKind, CredentialStatus
from credentials.interop.ctdl import credential_ctdl
from tests.factories import CredentialFactory

from .conftest import example_files

pytestmark = pytest.mark.django_db
CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# CTDL properties the examples do not happen to use: identifiers, credit, expiry, cost.
CTDL_PROPERTIES_NOT_IN_EXAMPLES = {
    "ceterms:codedNotation",
    "ceterms:identifier",
    "ceterms:creditValue",
    "ceterms:expirationDate",
    # CTDL's newer life-cycle status (Active, Ceased, Pending, Suspended), beside the
    # credentialStatusType the published records carry.
    "ceterms:lifeCycleStatusType",
    "ceterms:supersededBy",
}


def absolute(path: str) -> str:
    return f"https://registry.example.org{path}"


def test_the_document_has_the_examples_shape(micro_credential):
    examples = example_files("ctdl")
    known = set().union(*(example.keys() for example in examples))
    document = credential_ctdl(micro_credential, absolute=absolute)

    assert set(document) - known <= CTDL_PROPERTIES_NOT_IN_EXAMPLES
    assert {example["@context"] for example in examples} == {document["@context"]}
    for name, value in document.items():
        for example in examples:
            if name in example and name != "ceterms:keyword":
                assert type(value) is type(example[name]), name
    assert document["@type"] == "ceterms:MicroCredential"
    for example in examples:
        assert CTID.match(example["ceterms:ctid"])
    assert CTID.match(document["ceterms:ctid"])
    assert document["ceterms:name"] == {
        "en-US": 'Professional Certificate in Applied Data Analytics (Python, "SQL")',
        "zh-Hant": "應用數據分析專業證書",
    }
    assert document["ceterms:ownedBy"] == [
        "https://registry.example.org/providers/eastwind-academy/"
    ]
    assert document["ceterms:offeredBy"] == [
        "https://registry.example.org/providers/harbour-institute/"
    ]
    status = document["ceterms:credentialStatusType"]
    example_status = examples[0]["ceterms:credentialStatusType"]
    assert set(status) <= set(example_status)
    assert status["ceterms:framework"] == example_status["ceterms:framework"]
    assert status["ceterms:targetNode"] == "credentialStat:Active"
    delivery = document["ceterms:learningDeliveryType"][0]
    assert delivery["ceterms:targetNode"] == "deliveryType:BlendedDelivery"
    assert document["ceterms:accreditedBy"][0]["ceterms:name"] == {"en-US": "HKCAAVQ"}
    assert document["ceterms:dateEffective"] == "2024-09-01"
    assert document["ceterms:creditValue"][0]["schema:value"] == 12.0


def test_the_ctid_is_stable_and_the_type_follows_the_award(micro_credential):
    first = credential_ctdl(micro_credential, absolute=absolute)["ceterms:ctid"]
    assert credential_ctdl(micro_credential, absolute=absolute)["ceterms:ctid"] == first

    degree = CredentialFactory(
        kind=CredentialKind.QUALIFICATION, title_en="Bachelor of Social Sciences with Honours"
    )
    assert credential_ctdl(degree, absolute=absolute)["@type"] == "ceterms:BachelorDegree"
    withdrawn = CredentialFactory(
        kind=CredentialKind.QUALIFICATION,
        title_en="Pearson Edexcel Level 1 Award in Warehousing",
        status=CredentialStatus.WITHDRAWN,
    )
    document = credential_ctdl(withdrawn, absolute=absolute)
    assert document["@type"] == "ceterms:Certificate"
    assert document["ceterms:credentialStatusType"]["ceterms:targetNode"] == (
        "credentialStat:Deprecated"
    )


def test_the_endpoint_serves_json_ld(micro_credential):
    response = APIClient().get(f"/api/v1/credentials/{micro_credential.pk}/ctdl/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert response.json()["ceterms:ctid"].startswith("ce-")
