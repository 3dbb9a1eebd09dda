from .accreditation import AccreditationRecord
from .credential import Credential, CredentialStatusChange
from .history import ChangeRequest, CredentialVersion
from .pathways import Pathway, PathwayComponent, RecognitionAgreement
from .search import SearchTerm

__all__ = [
    "AccreditationRecord",
    "ChangeRequest",
    "Credential",
    "CredentialStatusChange",
    "CredentialVersion",
    "Pathway",
    "PathwayComponent",
    "RecognitionAgreement",
    "SearchTerm",
]
