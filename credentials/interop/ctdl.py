"""A register entry as a CTDL credential (JSON-LD), for the Credential Engine Registry.

Shaped like the records in ``tests/data/interop/ctdl/``: language maps for text
(``en-US`` and, where the entry has it, ``zh-Hant``), the owning organisation by URL, the
status as a ``credentialStat:`` concept, and alignment objects for delivery and subject.
"""

from typing import Any, cast

from django.urls import reverse

from qualifications.models import AreaOfStudy, Level

from ..choices import PUBLIC_STATUSES, DeliveryMode, QualityMark
from ..models import Credential
from ..vocabulary import CTDL_CREDENTIAL_STATUS, CTDL_LIFE_CYCLE
from .common import Absolute, award_kind, ctid, page_url, provider_url

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
ENGLISH = "en-US"
CHINESE = "zh-Hant"
STATUS_FRAMEWORK = "https://credreg.net/ctdl/terms/CredentialStatus"
DELIVERY_FRAMEWORK = "https://credreg.net/ctdl/terms/Delivery"
LIFE_CYCLE_FRAMEWORK = "https://credreg.net/ctdl/terms/LifeCycleStatus"
DELIVERY_NODES = {
    DeliveryMode.ONSITE: ("deliveryType:InPerson", "In Person Only"),
    DeliveryMode.ONLINE: ("deliveryType:OnlineOnly", "Online Only"),
    DeliveryMode.BLENDED: ("deliveryType:BlendedDelivery", "Blended Delivery"),
}


def language_map(english: str, chinese: str = "") -> dict[str, str]:
    texts = {ENGLISH: english}
    if chinese:
        texts[CHINESE] = chinese
    return texts


def _alignment(framework: str, node: str, framework_name: str, name: str) -> dict[str, Any]:
    return {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:framework": framework,
        "ceterms:targetNode": node,
        "ceterms:frameworkName": language_map(framework_name),
        "ceterms:targetNodeName": language_map(name),
    }


def _succession(credential: Credential, absolute: Absolute) -> dict[str, Any]:
    """``ceterms:supersededBy`` / ``ceterms:supersedes``: the public versions either side."""

    def url(pk: int) -> str:
        return absolute(reverse("api:credential-ctdl", kwargs={"pk": pk}))

    links: dict[str, Any] = {}
    successor = credential.superseded_by
    if successor is not None and successor.status in PUBLIC_STATUSES:
        links["ceterms:supersededBy"] = url(successor.pk)
    earlier = [c.pk for c in credential.supersedes.all() if c.status in PUBLIC_STATUSES]
    if earlier:
        links["ceterms:supersedes"] = (
            url(earlier[0]) if len(earlier) == 1 else [url(pk) for pk in earlier]
        )
    return links


def credential_ctdl(credential: Credential, *, absolute: Absolute) -> dict[str, Any]:
    """The CTDL description of a credential."""
    owner = provider_url(credential, absolute)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": absolute(reverse("api:credential-ctdl", kwargs={"pk": credential.pk})),
        "@type": award_kind(credential).ctdl,
        "ceterms:ctid": ctid(credential),
        "ceterms:name": language_map(credential.title_en, credential.title_zh),
        "ceterms:description": language_map(
            credential.summary_en or credential.title_en,
            credential.summary_zh or credential.title_zh,
        ),
        "ceterms:ownedBy": [owner],
        "ceterms:offeredBy": [owner],
        "ceterms:subjectWebpage": credential.further_information_url
        or page_url(credential, absolute),
        "ceterms:inLanguage": credential.languages or ["en"],
        "ceterms:codedNotation": credential.registration_number,
        "ceterms:identifier": [
            {
                "@type": "ceterms:IdentifierValue",
                "ceterms:identifierTypeName": language_map("Registration number", "登記號碼"),
                "ceterms:identifierValueCode": credential.registration_number,
            }
        ],
    }
    if credential.awarding_body_id:
        document["ceterms:ownedBy"] = [provider_url(credential, absolute, awarding=True)]
    status = CTDL_CREDENTIAL_STATUS.get(credential.status)
    if status is not None:
        node, name = status
        document["ceterms:credentialStatusType"] = _alignment(
            STATUS_FRAMEWORK, node, "Credential Status", name
        )
    life_cycle = CTDL_LIFE_CYCLE.get(credential.status)
    if life_cycle is not None:
        node, name = life_cycle
        document["ceterms:lifeCycleStatusType"] = _alignment(
            LIFE_CYCLE_FRAMEWORK, node, "Life Cycle Status", name
        )
    document.update(_succession(credential, absolute))
    if credential.valid_from:
        document["ceterms:dateEffective"] = credential.valid_from.isoformat()
    if credential.valid_to:
        document["ceterms:expirationDate"] = credential.valid_to.isoformat()
    if credential.credits is not None:
        unit = cast(Level, credential.level).framework.credit_name if credential.level_id else ""
        value: dict[str, Any] = {
            "@type": "schema:QuantitativeValue",
            "schema:value": float(credential.credits),
        }
        if unit:
            value["schema:unitText"] = unit
        document["ceterms:creditValue"] = [value]
    if credential.mode_of_delivery in DELIVERY_NODES:
        node, name = DELIVERY_NODES[DeliveryMode(credential.mode_of_delivery)]
        document["ceterms:learningDeliveryType"] = [
            _alignment(DELIVERY_FRAMEWORK, node, "Delivery Type", name)
        ]
    if credential.area_of_study_id:
        area = cast(AreaOfStudy, credential.area_of_study)
        document["ceterms:instructionalProgramType"] = [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:codedNotation": area.code,
                "ceterms:frameworkName": language_map(area.get_scheme_display()),
                "ceterms:targetNodeName": language_map(area.name_en, area.name_zh),
            }
        ]
    if credential.learning_outcomes_en:
        requirement: dict[str, Any] = {
            "@type": "ceterms:ConditionProfile",
            "ceterms:name": language_map("Learning outcomes", "學習成果"),
            "ceterms:condition": {ENGLISH: list(credential.learning_outcomes_en)},
        }
        if credential.learning_outcomes_zh:
            requirement["ceterms:condition"][CHINESE] = list(credential.learning_outcomes_zh)
        if credential.assessment_type:
            requirement["ceterms:description"] = language_map(credential.assessment_type)
        document["ceterms:requires"] = [requirement]
    if credential.fee is not None:
        cost: dict[str, Any] = {
            "@type": "ceterms:CostProfile",
            "ceterms:name": language_map("Fee", "學費"),
            "ceterms:price": float(credential.fee),
            "ceterms:costDetails": page_url(credential, absolute),
        }
        if credential.fee_currency:
            cost["ceterms:currency"] = credential.fee_currency
        document["ceterms:estimatedCost"] = [cost]
    accreditors = sorted({record.accreditor for record in credential.accreditations.all()})
    if accreditors:
        document["ceterms:accreditedBy"] = [
            {"@type": "ceterms:QACredentialOrganization", "ceterms:name": language_map(name)}
            for name in accreditors
        ]
    if credential.quality_marks:
        document["ceterms:keyword"] = {
            ENGLISH: [str(QualityMark(mark).label) for mark in credential.quality_marks]
        }
    return document
