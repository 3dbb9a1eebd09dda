"""Build a realistic demo register: real HK and UK entries plus invented micro-credentials.

``seed_demo`` is idempotent: every write is an upsert on a natural key, so a second
run on the same day creates and changes nothing. Dates relative to today move on a
later day, which keeps "expiring soon" entries expiring soon.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from credentials.choices import CredentialKind
from credentials.models import Credential, Pathway, RecognitionAgreement
from providers.models import Provider
from qa_reviews.models import Review
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy, Level

from .accounts import seed_accounts
from .base import DemoAccount, DemoDataError, SeedContext, SeedReport
from .hk_programmes import HK_PROGRAMMES_FILE, seed_hk_programmes
from .micro_credentials import seed_micro_credentials
from .pathways import seed_pathways
from .providers import seed_invented_providers
from .reviews import seed_reviews
from .uk_qualifications import (
    AWARDING_ORGANISATIONS_FILE,
    DFE_FILE,
    EARLY_YEARS_FILES,
    seed_uk_qualifications,
)

__all__ = ["DemoAccount", "DemoDataError", "SeedReport", "seed_demo"]

# The real public files the demo register is built from (see data/README.md).
DEMO_DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FILES = (HK_PROGRAMMES_FILE, DFE_FILE, AWARDING_ORGANISATIONS_FILE, *EARLY_YEARS_FILES)
REQUIRED_LEVELS = {"HKQF": {"2", "3", "4", "5", "6"}, "RQF": {"4", "5"}}
REQUIRED_AREA_SCHEMES = (AreaScheme.HK_PROGRAMME, AreaScheme.UK_SSA)


def check_data_dir(data_dir: Path) -> None:
    """Raise DemoDataError unless every source file the seed reads is in ``data_dir``."""
    if not data_dir.is_dir():
        raise DemoDataError(f"Data folder {data_dir} does not exist.")
    missing = [name for name in DATA_FILES if not (data_dir / name).is_file()]
    if missing:
        raise DemoDataError(f"Data folder {data_dir} lacks {', '.join(missing)}.")


def check_reference_data() -> None:
    """Raise DemoDataError unless the frameworks, levels and areas the seed uses are loaded."""
    problems = []
    for framework, codes in REQUIRED_LEVELS.items():
        loaded = set(Level.objects.filter(framework__code=framework).values_list("code", flat=True))
        if not loaded:
            problems.append(f"framework {framework}")
        elif codes - loaded:
            problems.append(f"{framework} levels {', '.join(sorted(codes - loaded))}")
    for scheme in REQUIRED_AREA_SCHEMES:
        if not AreaOfStudy.objects.filter(scheme=scheme).exists():
            problems.append(f"areas of study ({scheme})")
    if problems:
        raise DemoDataError(
            f"Reference data missing: {'; '.join(problems)}. "
            "Run `manage.py load_reference_data` first."
        )


def _totals() -> dict[str, int]:
    credentials = Credential.objects.all()
    return {
        "credentials": credentials.count(),
        "micro-credentials": credentials.filter(kind=CredentialKind.MICRO_CREDENTIAL).count(),
        "qualifications": credentials.filter(kind=CredentialKind.QUALIFICATION).count(),
        "providers": Provider.objects.count(),
        "pathways": Pathway.objects.count(),
        "recognition agreements": RecognitionAgreement.objects.count(),
        "reviews": Review.objects.count(),
        "users": get_user_model().objects.count(),
    }


def seed_demo(*, data_dir: Path) -> SeedReport:
    """Load or refresh the whole demo register in one transaction and report what changed."""
    check_data_dir(data_dir)
    report = SeedReport()
    with transaction.atomic():
        check_reference_data()
        ctx = SeedContext(
            data_dir=data_dir, today=timezone.localdate(), now=timezone.now(), report=report
        )
        providers = seed_invented_providers(ctx=ctx)
        providers |= seed_hk_programmes(ctx=ctx)
        credentials = seed_micro_credentials(ctx=ctx, providers=providers)
        credentials |= seed_uk_qualifications(ctx=ctx)
        seed_pathways(ctx=ctx, credentials=credentials, providers=providers)
        users = seed_accounts(ctx=ctx, providers=providers)
        seed_reviews(ctx=ctx, credentials=credentials, users=users)
        report.totals = _totals()
    return report
