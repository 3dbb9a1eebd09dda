"""Signed links in follow e-mails: confirm, unsubscribe one follow, manage or leave an address.

Each kind has its own salt, so one kind never opens another. Confirm links expire after
FOLLOW_CONFIRM_HOURS; manage links after FOLLOW_MANAGE_LINK_DAYS; unsubscribe and leave
links never (RFC 8058: a List-Unsubscribe URL must keep working while mail may arrive).
"""

from django.conf import settings
from django.core import signing

CONFIRM = "follows.confirm"
UNSUBSCRIBE = "follows.unsubscribe"
MANAGE = "follows.manage"
# Leave: every follow of an address (the List-Unsubscribe URL of a digest).
LEAVE = "follows.leave"


class LinkError(Exception):
    """A link this registry did not sign, altered, or too old."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def link_make(kind: str, value: int | str) -> str:
    return signing.dumps(value, salt=kind, compress=False)


def link_read(kind: str, token: str) -> int | str:
    """The value a link signs; LinkError if it is not ours or too old for its kind."""
    max_age = {
        CONFIRM: settings.FOLLOW_CONFIRM_HOURS * 3600,
        MANAGE: settings.FOLLOW_MANAGE_LINK_DAYS * 86400,
    }.get(kind)
    try:
        value = signing.loads(token, salt=kind, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(expired=True) from None
    except signing.BadSignature:
        raise LinkError(expired=False) from None
    if not isinstance(value, int | str) or isinstance(value, bool):
        raise LinkError(expired=False)
    return value
