"""What a public status means for a reader, and the versions either side of a record.

The record page, the verify page and the verify API say the same thing in the same words,
in English and Traditional Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import PUBLIC_STATUSES, CredentialStatus
from .models import Credential


def status_explanation(credential: Credential) -> str:
    """One sentence on what the record's status means for a learner or an employer."""
    status = credential.status
    if status == CredentialStatus.TEACH_OUT:
        return _(
            "Teach-out: no new learners are admitted. Learners already enrolled can complete "
            "until %(date)s, and their award is recognised."
        ) % {
            "date": credential.teach_out_ends_on.isoformat()
            if credential.teach_out_ends_on
            else "…"
        }
    if status == CredentialStatus.SUPERSEDED:
        return _(
            "Superseded: a newer version replaces it. Awards made under this version stay "
            "recognised; new learners take the newer version."
        )
    if status == CredentialStatus.SUSPENDED:
        return _("Suspended: no awards are made while the registry looks into it.")
    if status == CredentialStatus.EXPIRED:
        return _(
            "Expired: its validity period has ended. Awards made while it was valid stay "
            "recognised."
        )
    if status == CredentialStatus.WITHDRAWN:
        return _("Withdrawn from the register: it is no longer awarded.")
    if status == CredentialStatus.REGISTERED:
        return _("Registered: open to learners within its validity period.")
    return ""


@dataclass(frozen=True)
class Succession:
    """The public record replacing this one, and the public records it replaces."""

    successor: Credential | None
    predecessors: tuple[Credential, ...]


def credential_succession(credential: Credential) -> Succession:
    """Only public records are linked: a draft successor is nobody's business yet.

    Reads ``superseded_by`` and ``supersedes``, which the record querysets join and prefetch.
    """
    successor = credential.superseded_by
    if successor is not None and successor.status not in PUBLIC_STATUSES:
        successor = None
    predecessors = tuple(
        earlier for earlier in credential.supersedes.all() if earlier.status in PUBLIC_STATUSES
    )
    return Succession(successor=successor, predecessors=predecessors)
