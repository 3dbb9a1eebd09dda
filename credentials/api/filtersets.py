"""The API filters the register with the same FilterSet as the pages and exports."""

from ..search.filters import CredentialSearchFilterSet

CredentialFilterSet = CredentialSearchFilterSet

__all__ = ["CredentialFilterSet"]
