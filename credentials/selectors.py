from django.db.models import Prefetch, QuerySet

from qualifications.models import LevelReference

from .choices import PUBLIC_STATUSES
from .models import Credential


def credential_public_list() -> QuerySet[Credential]:
    """Entries the public may read: registered ones and archived ones kept for verification."""
    return Credential.objects.filter(status__in=PUBLIC_STATUSES).select_related(
        "provider", "level__framework", "area_of_study"
    )


def credential_public_detail() -> QuerySet[Credential]:
    """Public entries with everything their full record shows, without per-row queries."""
    references = LevelReference.objects.select_related("to_level__framework")
    return credential_public_list().prefetch_related(
        "accreditations",
        "status_changes",
        Prefetch("level__references_out", queryset=references),
    )
