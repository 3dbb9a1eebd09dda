from .accreditation import AccreditationRecord
from .credential import Credential, CredentialStatusChange
from .pathways import Pathway, PathwayComponent, RecognitionAgreement
from .status_checks import StatusCheck, StatusSweep

__all__ = [
    "AccreditationRecord",
    "Credential",
    "CredentialStatusChange",
    "Pathway",
    "PathwayComponent",
    "RecognitionAgreement",
    "StatusCheck",
    "StatusSweep",
]
