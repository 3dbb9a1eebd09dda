"""Stacking pathways and credit-recognition agreements between the demo entries.

Read from ``pathways.json``; an agreement's ``*_day`` values are days from the day the
seed runs, so its validity moves with the calendar like the micro-credentials'.
"""

from decimal import Decimal

from credentials.models import Credential, Pathway, PathwayComponent, RecognitionAgreement
from providers.models import Provider

from .base import DemoDataError, SeedContext, upsert_by_fields

PATHWAYS_FILE = "pathways.json"


def _entry(credentials: dict[str, Credential], number: str) -> Credential:
    try:
        return credentials[number]
    except KeyError:
        raise DemoDataError(
            f"{PATHWAYS_FILE} names {number}, which no register file holds."
        ) from None


def seed_pathways(
    *,
    ctx: SeedContext,
    credentials: dict[str, Credential],
    providers: dict[str, Provider],
) -> None:
    """Upsert the stacking pathways, their components and the recognition agreements."""
    data = ctx.read_json(PATHWAYS_FILE)
    specs = data["pathways"]
    pathways = upsert_by_fields(
        Pathway,
        [
            {
                "award_id": _entry(credentials, spec["award"]).pk,
                "name_en": spec["name_en"],
                "name_zh": spec["name_zh"],
                "description": spec["description"],
                "credits_required": Decimal(spec["credits_required"]),
            }
            for spec in specs
        ],
        key_fields=["award_id", "name_en"],
        report=ctx.report,
        label="pathways",
    )
    components: list[dict[str, object]] = []
    for spec in specs:
        pathway = pathways[(credentials[spec["award"]].pk, spec["name_en"])]
        components.extend(
            {
                "pathway_id": pathway.pk,
                "credential_id": _entry(credentials, component["credential"]).pk,
                "credits_counted": Decimal(component["credits_counted"]),
                "is_required": component["required"],
            }
            for component in spec["components"]
        )
    upsert_by_fields(
        PathwayComponent,
        components,
        key_fields=["pathway_id", "credential_id"],
        report=ctx.report,
        label="pathway components",
    )
    agreements = []
    for spec in data["recognition_agreements"]:
        target = spec["target_credential"]
        valid_to = spec["valid_to_day"]
        agreements.append(
            {
                "recognising_provider_id": providers[spec["recognising_provider"]].pk,
                "credential_id": _entry(credentials, spec["credential"]).pk,
                "target_credential_id": _entry(credentials, target).pk if target else None,
                "credits_recognised": Decimal(spec["credits_recognised"]),
                "valid_from": ctx.day(spec["valid_from_day"]),
                "valid_to": ctx.day(valid_to) if valid_to is not None else None,
                "notes": spec["notes"],
            }
        )
    upsert_by_fields(
        RecognitionAgreement,
        agreements,
        key_fields=["recognising_provider_id", "credential_id", "target_credential_id"],
        report=ctx.report,
        label="recognition agreements",
    )
