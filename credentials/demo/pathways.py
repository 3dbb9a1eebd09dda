"""Stacking pathways and credit-recognition agreements between the demo credentials."""

from dataclasses import dataclass
from decimal import Decimal

from credentials.models import Credential, Pathway, PathwayComponent, RecognitionAgreement
from providers.models import Provider

from .base import SeedContext, upsert_by_fields
from .micro_credentials import ELDERLY_CARE_HIGHER_CERTIFICATE, FINTECH_DIPLOMA
from .providers import EASTWIND, HARBOUR, JADE_HILL


@dataclass(frozen=True)
class PathwaySpec:
    """An award, what it is called as a pathway, and the credentials that stack into it."""

    award: str
    name_en: str
    name_zh: str
    description: str
    credits_required: int
    # (registration number, credits counted, required)
    components: tuple[tuple[str, int, bool], ...]


PATHWAYS = [
    PathwaySpec(
        award=FINTECH_DIPLOMA,
        name_en="FinTech professional pathway",
        name_zh="金融科技專業進階路徑",
        description="Four 15-credit certificates make up the 60 QF credits of the diploma.",
        credits_required=60,
        components=(
            ("24/003301/L5", 15, True),
            ("24/003302/L5", 15, True),
            ("24/003303/L5", 15, True),
            ("24/003304/L5", 15, True),
        ),
    ),
    PathwaySpec(
        award=ELDERLY_CARE_HIGHER_CERTIFICATE,
        name_en="Elderly care practice pathway",
        name_zh="長者照顧實務進階路徑",
        description=(
            "Dementia care is required; any further certificates making 30 QF credits "
            "count toward the Higher Certificate, with the practicum making up the rest."
        ),
        credits_required=30,
        components=(
            ("24/006601/L4", 10, True),
            ("24/006602/L4", 8, False),
            ("24/006603/L4", 10, False),
            ("24/006604/L3", 6, False),
        ),
    ),
    # Real: the early-years list states that each HND comprises its HNC.
    PathwaySpec(
        award="610/2676/1",
        name_en="HNC to HND in Early Years Professional Leadership for England",
        name_zh="",
        description="The HNC is the mandatory Level 4 component of the HTQ-approved HND.",
        credits_required=120,
        components=(("610/2675/X", 120, True),),
    ),
    PathwaySpec(
        award="603/3900/7",
        name_en="HNC to HND in Early Childhood Education and Care",
        name_zh="",
        description="The HNC is the mandatory Level 4 component of the HND.",
        credits_required=120,
        components=(("603/3899/4", 120, True),),
    ),
]


@dataclass(frozen=True)
class RecognitionSpec:
    """Credits one provider grants for another provider's credential."""

    recognising_provider: str
    credential: str
    target: str | None
    credits: int
    valid_from: int
    valid_to: int | None
    notes: str


RECOGNITIONS = [
    RecognitionSpec(
        recognising_provider=HARBOUR,
        credential="25/003307/L4",
        target=FINTECH_DIPLOMA,
        credits=6,
        valid_from=-180,
        valid_to=900,
        notes="Counts as advanced standing toward the payments unit of the diploma.",
    ),
    RecognitionSpec(
        recognising_provider=JADE_HILL,
        credential="25/006606/L5",
        target=ELDERLY_CARE_HIGHER_CERTIFICATE,
        credits=8,
        valid_from=-300,
        valid_to=770,
        notes="Recognised as an elective toward the Higher Certificate.",
    ),
    RecognitionSpec(
        recognising_provider=EASTWIND,
        credential="24/003303/L5",
        target=None,
        credits=6,
        valid_from=-90,
        valid_to=None,
        notes="General credit toward any Eastwind certificate at HKQF level 5.",
    ),
]


def seed_pathways(
    *,
    ctx: SeedContext,
    credentials: dict[str, Credential],
    providers: dict[str, Provider],
) -> None:
    """Upsert the stacking pathways, their components and the recognition agreements."""
    pathways = upsert_by_fields(
        Pathway,
        [
            {
                "award_id": credentials[spec.award].pk,
                "name_en": spec.name_en,
                "name_zh": spec.name_zh,
                "description": spec.description,
                "credits_required": Decimal(spec.credits_required),
            }
            for spec in PATHWAYS
        ],
        key_fields=["award_id", "name_en"],
        report=ctx.report,
        label="pathways",
    )
    components = []
    for spec in PATHWAYS:
        pathway = pathways[(credentials[spec.award].pk, spec.name_en)]
        components.extend(
            {
                "pathway_id": pathway.pk,
                "credential_id": credentials[number].pk,
                "credits_counted": Decimal(counted),
                "is_required": required,
            }
            for number, counted, required in spec.components
        )
    upsert_by_fields(
        PathwayComponent,
        components,
        key_fields=["pathway_id", "credential_id"],
        report=ctx.report,
        label="pathway components",
    )
    upsert_by_fields(
        RecognitionAgreement,
        [
            {
                "recognising_provider_id": providers[spec.recognising_provider].pk,
                "credential_id": credentials[spec.credential].pk,
                "target_credential_id": credentials[spec.target].pk if spec.target else None,
                "credits_recognised": Decimal(spec.credits),
                "valid_from": ctx.day(spec.valid_from),
                "valid_to": ctx.day(spec.valid_to) if spec.valid_to is not None else None,
                "notes": spec.notes,
            }
            for spec in RECOGNITIONS
        ],
        key_fields=["recognising_provider_id", "credential_id", "target_credential_id"],
        report=ctx.report,
        label="recognition agreements",
    )
