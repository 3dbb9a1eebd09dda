from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StatementResult(models.TextChoices):
    """What checking a pasted statement found."""

    VALID = "valid", pgettext_lazy("statement result", "Valid")
    REVOKED = "revoked", _("Revoked")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    TAMPERED = "tampered", _("Tampered")
    UNKNOWN_KEY = "unknown_key", _("Unknown key")


# What each result means, for the verify page and API.
RESULT_MESSAGES = {
    StatementResult.VALID: _(
        "Valid: signed by the registry, unaltered, and the registration is in force today."
    ),
    StatementResult.REVOKED: _(
        "Revoked: the registry signed this statement, but the registration has ended "
        "(withdrawn or not approved)."
    ),
    StatementResult.SUSPENDED: _(
        "Suspended: the registry signed this statement, but the registration is suspended "
        "or under review and not in force today."
    ),
    StatementResult.EXPIRED: _(
        "Expired: the registry signed this statement, but its validity period has ended."
    ),
    StatementResult.NOT_YET_VALID: _(
        "Not yet valid: the registry signed this statement, but its validity period has not begun."
    ),
    StatementResult.TAMPERED: _(
        "Tampered: the signature does not match the content. The statement has been "
        "altered or damaged; do not rely on it."
    ),
    StatementResult.UNKNOWN_KEY: _(
        "Unknown key: the statement names a key this registry does not publish (another "
        "issuer, or a key the registry has revoked). It cannot be trusted."
    ),
}
