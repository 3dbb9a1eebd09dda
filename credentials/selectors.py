"""Read queries on the register that other apps share."""

from django.db.models import QuerySet

from .models import Credential
from .numbers import registration_key

# Longer than any number a register issues: such a "number" finds nothing without a query.
MAX_KEY_LENGTH = 40


def credential_by_number(
    number: str, *, within: QuerySet[Credential] | None = None
) -> Credential | None:
    """The credential with this registration number, written with or without separators.

    ``within`` narrows the search (public entries only, say) and sets what is loaded.
    """
    key = registration_key(number)
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    queryset = Credential.objects.defer("search_document") if within is None else within
    return queryset.filter(registration_key=key).first()
