"""The registry's statuses in the words of the registers it mirrors, in both directions.

One table, ``REGISTER_TERMS``: each row is a register's status word as that register
publishes it, the registry status an import gives it, and the registry statuses an export
writes as that word. Importers (``imports/formats/``) read through ``status_for_term``;
exports (registry CSV, search CSV/JSON, CTDL) write through ``register_term``. A word the
table does not hold is an import error, never a guess. docs/status-vocabulary.md explains
each row.
"""

import datetime
from dataclasses import dataclass

from .choices import CredentialStatus as S

OFQUAL = "ofqual"
HKQR = "hkqr"


@dataclass(frozen=True)
class RegisterTerm:
    """One register's status word and what it means on this register."""

    register: str
    term: str
    imports_as: S
    exported_for: frozenset[S]


REGISTER_TERMS: tuple[RegisterTerm, ...] = (
    # Ofqual's four availability statuses.
    RegisterTerm(OFQUAL, "Available to learners", S.REGISTERED, frozenset({S.REGISTERED})),
    # Exported for a registered entry whose validity has not started (see register_term).
    RegisterTerm(OFQUAL, "Not yet available to learners", S.REGISTERED, frozenset()),
    RegisterTerm(
        OFQUAL, "No longer available to new learners", S.TEACH_OUT, frozenset({S.TEACH_OUT})
    ),
    RegisterTerm(
        OFQUAL,
        "No longer awarded",
        S.WITHDRAWN,
        frozenset({S.EXPIRED, S.WITHDRAWN, S.SUPERSEDED}),
    ),
    # HKQR's registration status: an archived entry stays public for verification.
    RegisterTerm(HKQR, "Current", S.REGISTERED, frozenset({S.REGISTERED, S.TEACH_OUT})),
    RegisterTerm(HKQR, "Archived", S.EXPIRED, frozenset({S.EXPIRED, S.WITHDRAWN, S.SUPERSEDED})),
)
REGISTERS = (OFQUAL, HKQR)
NOT_YET_AVAILABLE = "Not yet available to learners"


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


_IMPORTS = {(row.register, _folded(row.term)): row.imports_as for row in REGISTER_TERMS}
_EXPORTS: dict[tuple[str, str], str] = {
    (row.register, status): row.term for row in REGISTER_TERMS for status in row.exported_for
}


def register_terms(register: str) -> list[str]:
    """The register's status words, as it publishes them."""
    return [row.term for row in REGISTER_TERMS if row.register == register]


def status_for_term(register: str, text: str) -> S | None:
    """The registry status a register's word imports as; None for a word not in the table.

    Case and runs of whitespace do not matter ("available  to Learners" is Ofqual's word).
    """
    return _IMPORTS.get((register, _folded(text)))


def register_term(
    register: str,
    status: str,
    *,
    valid_from: datetime.date | None = None,
    today: datetime.date | None = None,
) -> str:
    """The register's word for a registry status; "" where the register has none.

    Neither register has a word for a suspension or for entries not on the public register
    (drafts, entries in review), so those export blank. Ofqual says "Not yet available to
    learners" for a registered entry whose validity starts after ``today``.
    """
    if (
        register == OFQUAL
        and status == S.REGISTERED
        and valid_from is not None
        and today is not None
        and valid_from > today
    ):
        return NOT_YET_AVAILABLE
    # A status hashes and compares as its text, so the database's plain string finds its
    # word without building the choice; a string that is no status has none.
    return _EXPORTS.get((register, status), "")


# Credential Engine (CTDL). ``ceterms:credentialStatusType`` has Active, Deprecated,
# Probationary and Suspended; ``ceterms:lifeCycleStatusType`` has Active, Ceased, Pending and
# Suspended. A teach-out entry is still awarded (Active life cycle) but no longer offered
# (Deprecated); statuses not public have no term.
CTDL_CREDENTIAL_STATUS: dict[str, tuple[str, str]] = {
    S.REGISTERED: ("credentialStat:Active", "Active"),
    S.TEACH_OUT: ("credentialStat:Deprecated", "Deprecated"),
    S.SUPERSEDED: ("credentialStat:Deprecated", "Deprecated"),
    S.SUSPENDED: ("credentialStat:Suspended", "Suspended"),
    S.EXPIRED: ("credentialStat:Deprecated", "Deprecated"),
    S.WITHDRAWN: ("credentialStat:Deprecated", "Deprecated"),
}
CTDL_LIFE_CYCLE: dict[str, tuple[str, str]] = {
    S.REGISTERED: ("lifeCycle:Active", "Active"),
    S.TEACH_OUT: ("lifeCycle:Active", "Active"),
    S.SUPERSEDED: ("lifeCycle:Ceased", "Ceased"),
    S.SUSPENDED: ("lifeCycle:Suspended", "Suspended"),
    S.EXPIRED: ("lifeCycle:Ceased", "Ceased"),
    S.WITHDRAWN: ("lifeCycle:Ceased", "Ceased"),
}
