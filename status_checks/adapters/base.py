"""The one small interface every external register sits behind, and the words registers use."""

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class ExternalStatus(StrEnum):
    """A register's own status vocabulary, folded onto the few meanings the rules act on."""

    AVAILABLE = "available"
    NOT_YET_AVAILABLE = "not_yet_available"
    TEACH_OUT = "teach_out"
    NO_LONGER_AWARDED = "no_longer_awarded"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"
    SUSPENDED = "suspended"
    UNKNOWN = "unknown"


# Seen on real registers (docs/status-checks.md): Ofqual's four availability statuses, HKQR's
# Current / Archived, Credential Engine's lifecycle words. Keys are compared case-folded.
STATUS_VOCABULARY: dict[str, ExternalStatus] = {
    "available to learners": ExternalStatus.AVAILABLE,
    "current": ExternalStatus.AVAILABLE,
    "active": ExternalStatus.AVAILABLE,
    "registered": ExternalStatus.AVAILABLE,
    "not yet available to learners": ExternalStatus.NOT_YET_AVAILABLE,
    "probationary": ExternalStatus.NOT_YET_AVAILABLE,
    "no longer available to new learners": ExternalStatus.TEACH_OUT,
    "teach-out": ExternalStatus.TEACH_OUT,
    "teach out": ExternalStatus.TEACH_OUT,
    "no longer awarded": ExternalStatus.NO_LONGER_AWARDED,
    "ceased": ExternalStatus.NO_LONGER_AWARDED,
    "deprecated": ExternalStatus.NO_LONGER_AWARDED,
    "superseded": ExternalStatus.NO_LONGER_AWARDED,
    "withdrawn": ExternalStatus.WITHDRAWN,
    "revoked": ExternalStatus.WITHDRAWN,
    "cancelled": ExternalStatus.WITHDRAWN,
    "archived": ExternalStatus.ARCHIVED,
    "expired": ExternalStatus.ARCHIVED,
    "suspended": ExternalStatus.SUSPENDED,
}


def normalise_status(text: str, extra: Mapping[str, str] | None = None) -> ExternalStatus:
    """Fold a register's status text onto ExternalStatus; unknown words stay UNKNOWN."""
    key = " ".join(text.split()).casefold()
    if extra:
        folded = {k.casefold(): v for k, v in extra.items()}
        if key in folded:
            return ExternalStatus(folded[key])
    return STATUS_VOCABULARY.get(key, ExternalStatus.UNKNOWN)


def parse_register_date(value: Any) -> date | None:
    """Read a register date: ISO 8601 from APIs, month-first text from exports."""
    if not value:
        return None
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    # The register's exports write dates as "5/1/2008 12:00:00 AM +00:00" (month first).
    try:
        return datetime.strptime(text.split(" ")[0], "%m/%d/%Y").date()
    except ValueError:
        return None


def clean_text(value: object, *, limit: int = 200) -> str:
    """A register's text made safe to store: no control characters (PostgreSQL refuses NUL
    in text and jsonb), whitespace collapsed, bounded length."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value or ""))
    return " ".join(text.split())[:limit]


class SourceUnavailable(Exception):
    """The register could not answer: down, timing out, rate-limiting, or its circuit is open."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RegisterRecord:
    """What a register says about one entry."""

    reference: str
    status_text: str
    status: ExternalStatus
    end_date: date | None = None
    title: str = ""


@dataclass(frozen=True)
class RegisterAnswer:
    """One reference's answer: a record, not on the register, or the register unavailable."""

    record: RegisterRecord | None = None
    unavailable_reason: str = ""

    @property
    def available(self) -> bool:
        return not self.unavailable_reason

    @property
    def found(self) -> bool:
        return self.record is not None


class RegisterAdapter(abc.ABC):
    """Ask one external register about many references at once.

    Adapters never raise for a register that is down: each reference comes back with a
    RegisterAnswer, unavailable where the register could not say, so a sweep records
    "source unavailable" instead of guessing.
    """

    def __init__(self, *, source: str, config: Mapping[str, Any]):
        self.source = source
        self.config = config
        self.display_name = str(config.get("NAME") or source)

    @abc.abstractmethod
    def lookup(self, references: Sequence[str]) -> dict[str, RegisterAnswer]:
        """Answer every reference given, keyed by the reference exactly as passed."""

    def close(self) -> None:
        """Release connections; adapters are made per chunk of work."""
        return None

    def __enter__(self) -> "RegisterAdapter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
