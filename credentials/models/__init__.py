from .accreditation import AccreditationRecord
from .credential import Credential, CredentialStatusChange
from .history import ChangeRequest, CredentialVersion
from .imports import ImportJob
from .pathways import Pathway, PathwayComponent, RecognitionAgreement

__all__ = [
    "AccreditationRecord",
    "ChangeRequest",
    "Credential",
    "CredentialStatusChange",
    "CredentialVersion",
    "ImportJob",
    "Pathway",
    "PathwayComponent",
    "RecognitionAgreement",
]
