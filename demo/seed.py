"""Load a realistic demo register from the files in ``data/``.

``seed_demo`` is idempotent: every write is an import or an upsert on a natural key, and
a register file already on the register is not imported again, so a second run on the
same day creates and changes nothing. Dates relative to today move on a later day, which
keeps "expiring soon" entries expiring soon.
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

from .accounts import ACCOUNTS_FILE, REGISTRY_ADMIN, seed_accounts
from .base import DemoDataError, SeedContext, SeedReport, read_json
from .pathways import PATHWAYS_FILE, seed_pathways
from .register import (
    ACCREDITATIONS_FILE,
    PROVIDERS_FILE,
    REGISTER_FILES,
    seed_accreditations,
    seed_providers,
    seed_register,
)
from .reviews import REVIEWS_FILE, seed_reviews

DEMO_DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FILES = (
    PROVIDERS_FILE,
    *(spec.name for spec in REGISTER_FILES),
    ACCREDITATIONS_FILE,
    PATHWAYS_FILE,
    ACCOUNTS_FILE,
    REVIEWS_FILE,
)
JSON_FILES = (PATHWAYS_FILE, ACCOUNTS_FILE, REVIEWS_FILE)
REQUIRED_LEVELS = {"HKQF": {"2", "3", "4", "5", "6"}, "RQF": {"4", "5"}}
REQUIRED_AREA_SCHEMES = (AreaScheme.HK_PROGRAMME, AreaScheme.UK_SSA)


def check_data_dir(data_dir: Path) -> None:
    """Raise DemoDataError unless every file the seed reads is in ``data_dir`` and each JSON
    file parses."""
    if not data_dir.is_dir():
        raise DemoDataError(f"Data folder {data_dir} does not exist.")
    missing = [name for name in DATA_FILES if not (data_dir / name).is_file()]
    if missing:
        raise DemoDataError(f"Data folder {data_dir} lacks {', '.join(missing)}.")
    # Malformed JSON is found before the register's imports rather than after them (the
    # reviews are read last, seconds into the seed).
    for name in JSON_FILES:
        read_json(data_dir, name)


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


def seed_demo(*, data_dir: Path = DEMO_DATA_DIR) -> SeedReport:
    """Load or refresh the whole demo register in one transaction and report what changed."""
    check_data_dir(data_dir)
    report = SeedReport()
    with transaction.atomic():
        check_reference_data()
        ctx = SeedContext(data_dir=data_dir, today=timezone.localdate(), report=report)
        providers = seed_providers(ctx=ctx)
        # The registry administrator first: the register's entries are imported, and put
        # back when changed, by that account.
        users = seed_accounts(ctx=ctx, providers=providers)
        if not getattr(users.get(REGISTRY_ADMIN), "is_staff", False):
            raise DemoDataError(
                f"{ACCOUNTS_FILE} needs a staff account named {REGISTRY_ADMIN}: the register "
                "is imported and reviews are opened by the registry administrator."
            )
        credentials = seed_register(ctx=ctx, admin=users[REGISTRY_ADMIN])
        seed_accreditations(ctx=ctx, credentials=credentials, admin=users[REGISTRY_ADMIN])
        seed_pathways(ctx=ctx, credentials=credentials, providers=providers)
        seed_reviews(ctx=ctx, credentials=credentials, users=users)
        report.totals = _totals()
    return report
