"""The one place that decides a credential's status from its facts.

Pure functions over plain data: no queries, no clock, no I/O. The services gather the facts
for a whole chunk of credentials in a few queries, ask ``decide`` about each, and write what
it says; the sweep, the on-demand check and the management command all come through here.
A sweep's local-rules chunks ask the same rules in SQL (`rules_sql`, built from the templates
and tables here), tested to decide exactly as ``decide`` does.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from credentials.choices import AccreditationStatus, CredentialStatus
from providers.choices import ProviderStatus
from qa_reviews.choices import ConditionState

from .adapters.base import ExternalStatus, RegisterAnswer
from .choices import CheckOutcome

LOCAL_SOURCE = "local_rules"

# Only entries that are live on the register move by themselves; drafts and entries in review
# belong to their workflow, and expired, withdrawn or superseded ones are final.
LIVE_STATUSES = (
    CredentialStatus.REGISTERED,
    CredentialStatus.TEACH_OUT,
    CredentialStatus.SUSPENDED,
)

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    CredentialStatus.REGISTERED: frozenset(
        {CredentialStatus.SUSPENDED, CredentialStatus.EXPIRED, CredentialStatus.WITHDRAWN}
    ),
    CredentialStatus.TEACH_OUT: frozenset(
        {CredentialStatus.SUSPENDED, CredentialStatus.EXPIRED, CredentialStatus.WITHDRAWN}
    ),
    CredentialStatus.SUSPENDED: frozenset(
        {
            CredentialStatus.REGISTERED,
            CredentialStatus.TEACH_OUT,
            CredentialStatus.EXPIRED,
            CredentialStatus.WITHDRAWN,
        }
    ),
}

# When facts point different ways, the most final status wins: a withdrawn entry is withdrawn
# whether or not its provider is also suspended.
SEVERITY: dict[str, int] = {
    CredentialStatus.REGISTERED: 0,
    CredentialStatus.TEACH_OUT: 0,
    CredentialStatus.SUSPENDED: 1,
    CredentialStatus.EXPIRED: 2,
    CredentialStatus.WITHDRAWN: 3,
}

# What the register's word means for the entry here. "No longer awarded" ends the
# qualification for good, so it withdraws; an HKQR "Archived" entry reached its end, so it expires.
EXTERNAL_TRANSITIONS: dict[ExternalStatus, CredentialStatus] = {
    ExternalStatus.NO_LONGER_AWARDED: CredentialStatus.WITHDRAWN,
    ExternalStatus.WITHDRAWN: CredentialStatus.WITHDRAWN,
    ExternalStatus.ARCHIVED: CredentialStatus.EXPIRED,
    ExternalStatus.SUSPENDED: CredentialStatus.SUSPENDED,
}


# The local rules' words. The Python rules below and their SQL twins in `rules_sql` both
# fill these, so the two paths write the same messages and notice keys.
VALIDITY_ENDED = "Validity period ended on {valid_to}."
VALIDITY_ENDING = "Validity period ends on {valid_to} ({days_left} days left; {window}-day notice)."
VALIDITY_ENDING_KEY = "validity_ending:{window}:{valid_to}"
TEACH_OUT_ENDED = "Teach-out ended on {teach_out_ends_on}."
PROVIDER_NOT_ACTIVE = "The provider is {provider_status}."
PROVIDER_REINSTATED = "The provider is active again, so the suspension for it is lifted."
CONDITION_OVERDUE = "A QA condition was due on {due_date} and is not met."
CONDITION_OVERDUE_KEY = "condition_overdue:{condition_id}"
ACCREDITATION_LAPSED = "No accreditation is in force: {accreditor} ({status}, valid to {valid_to})."
ACCREDITATION_LAPSED_KEY = "accreditation_lapsed:{accreditation_id}"
TRANSITION_REFUSED = "Could not move to {target_status}: {reason}"
TRANSITION_REFUSED_KEY = "transition_refused:{target_status}"


class FindingKind(StrEnum):
    TRANSITION = "transition"
    ALERT = "alert"
    FLAG = "flag"
    UNAVAILABLE = "unavailable"
    INFO = "info"


@dataclass(frozen=True)
class ConditionFact:
    id: int
    due_date: date
    state: str


@dataclass(frozen=True)
class AccreditationFact:
    id: int
    accreditor: str
    status: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class ExternalFact:
    """What one external register answered about the credential."""

    source: str
    register_name: str
    answer: RegisterAnswer


@dataclass(frozen=True)
class CredentialFacts:
    status: str
    valid_to: date | None
    provider_status: str
    # Set while the entry is in teach-out (or was, when suspended from it).
    teach_out_ends_on: date | None = None
    conditions: Sequence[ConditionFact] = ()
    accreditations: Sequence[AccreditationFact] = ()
    external: ExternalFact | None = None
    # The credential's latest transition was a status check suspending it for its provider
    # (the only local rule that suspends), so that check may also lift it.
    suspended_by_check: bool = False


@dataclass(frozen=True)
class Finding:
    """One thing a check noticed, with the source that noticed it."""

    source: str
    rule: str
    kind: FindingKind
    message: str
    target_status: str = ""
    # Alerts and flags with a key are told to the provider once per key; transitions always.
    notify_key: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "kind": str(self.kind), "message": self.message}
        if self.target_status:
            out["target_status"] = self.target_status
        if self.notify_key:
            out["notify_key"] = self.notify_key
        out.update(self.data)
        return out


@dataclass(frozen=True)
class Verdict:
    """The decision for one credential: where its status goes, and everything noticed."""

    previous_status: str
    new_status: str
    findings: tuple[Finding, ...]
    decisive: Finding | None = None

    @property
    def changes_status(self) -> bool:
        return self.decisive is not None

    @property
    def sources(self) -> list[str]:
        seen = [LOCAL_SOURCE]
        for finding in self.findings:
            if finding.source not in seen:
                seen.append(finding.source)
        return seen

    @property
    def notice_keys(self) -> set[str]:
        """Keys whose history decides whether the provider has already heard of them."""
        return {f.notify_key for f in self.findings if f.notify_key and f is not self.decisive}

    def findings_for(self, source: str) -> list[Finding]:
        return [f for f in self.findings if f.source == source]

    def notices(self, already_notified: Collection[str] = ()) -> list[Finding]:
        """What the provider's administrators hear now: the transition, and new alerts/flags."""
        out = []
        for finding in self.findings:
            if finding is self.decisive or (
                finding.kind in (FindingKind.ALERT, FindingKind.FLAG)
                and finding.notify_key
                and finding.notify_key not in already_notified
            ):
                out.append(finding)
        return out

    def outcome_for(self, source: str, notices: Collection[Finding] = ()) -> CheckOutcome:
        """The outcome recorded on this source's StatusCheck row."""
        if self.decisive is not None and self.decisive.source == source:
            return CheckOutcome.CHANGED
        kinds = {f.kind for f in self.findings_for(source)}
        if FindingKind.UNAVAILABLE in kinds:
            return CheckOutcome.SOURCE_UNAVAILABLE
        if FindingKind.FLAG in kinds:
            return CheckOutcome.FLAGGED
        # An expiry warning already sent is not raised again: the check simply finds no change.
        if any(f.kind == FindingKind.ALERT and f.source == source for f in notices):
            return CheckOutcome.ALERT
        return CheckOutcome.UNCHANGED

    def refused(self, reason: str) -> "Verdict":
        """The same verdict with its transition refused by the credential's own validation."""
        assert self.decisive is not None
        refusal = Finding(
            source=self.decisive.source,
            rule="transition_refused",
            kind=FindingKind.FLAG,
            message=TRANSITION_REFUSED.format(
                target_status=self.decisive.target_status, reason=reason
            ),
            notify_key=TRANSITION_REFUSED_KEY.format(target_status=self.decisive.target_status),
        )
        return replace(
            self,
            new_status=self.previous_status,
            findings=(*self.findings, refusal),
            decisive=None,
        )


def decide(
    facts: CredentialFacts, *, today: date, alert_windows: Sequence[int] = (90, 30)
) -> Verdict:
    """Decide a credential's status from its facts as of ``today``."""
    findings: list[Finding] = []
    if facts.status in LIVE_STATUSES:
        findings += _validity_findings(facts, today, alert_windows)
        findings += _teach_out_findings(facts, today)
        findings += _provider_findings(facts)
        findings += _condition_findings(facts, today)
        findings += _accreditation_findings(facts, today)
    if facts.external is not None:
        findings += _external_findings(facts.external, facts.status)
    # Lifted only when nothing still calls for the suspension (e.g. the register's own).
    if not any(
        f.kind == FindingKind.TRANSITION and f.target_status == facts.status for f in findings
    ):
        findings += _reinstatement_findings(facts)

    allowed = ALLOWED_TRANSITIONS.get(facts.status, frozenset())
    decisive: Finding | None = None
    for finding in findings:
        if finding.kind != FindingKind.TRANSITION or finding.target_status not in allowed:
            continue
        # Strictly greater: on a tie the local fact (listed first) is the one named.
        if decisive is None or SEVERITY[finding.target_status] > SEVERITY[decisive.target_status]:
            decisive = finding
    return Verdict(
        previous_status=facts.status,
        new_status=decisive.target_status if decisive else facts.status,
        findings=tuple(findings),
        decisive=decisive,
    )


def _validity_findings(
    facts: CredentialFacts, today: date, alert_windows: Sequence[int]
) -> list[Finding]:
    if facts.valid_to is None:
        return []
    if facts.valid_to < today:
        return [
            Finding(
                source=LOCAL_SOURCE,
                rule="validity_ended",
                kind=FindingKind.TRANSITION,
                message=VALIDITY_ENDED.format(valid_to=facts.valid_to.isoformat()),
                target_status=CredentialStatus.EXPIRED,
                data={"valid_to": facts.valid_to.isoformat()},
            )
        ]
    days_left = (facts.valid_to - today).days
    # The narrowest window the date falls in: 20 days out is the 30-day alert, not the 90-day one.
    windows = sorted(w for w in alert_windows if days_left <= w)
    if not windows:
        return []
    window = windows[0]
    return [
        Finding(
            source=LOCAL_SOURCE,
            rule="validity_ending",
            kind=FindingKind.ALERT,
            message=VALIDITY_ENDING.format(
                valid_to=facts.valid_to.isoformat(), days_left=days_left, window=window
            ),
            # Keyed by the end date too, so an extended validity period warns again later.
            notify_key=VALIDITY_ENDING_KEY.format(
                window=window, valid_to=facts.valid_to.isoformat()
            ),
            data={"window": window, "days_left": days_left, "valid_to": facts.valid_to.isoformat()},
        )
    ]


def _teach_out_findings(facts: CredentialFacts, today: date) -> list[Finding]:
    """A teach-out that has ended leaves no learner to certificate: the entry expires."""
    ends_on = facts.teach_out_ends_on
    in_teach_out = facts.status in (CredentialStatus.TEACH_OUT, CredentialStatus.SUSPENDED)
    if ends_on is None or not in_teach_out or ends_on >= today:
        return []
    return [
        Finding(
            source=LOCAL_SOURCE,
            rule="teach_out_ended",
            kind=FindingKind.TRANSITION,
            message=TEACH_OUT_ENDED.format(teach_out_ends_on=ends_on.isoformat()),
            target_status=CredentialStatus.EXPIRED,
            data={"teach_out_ends_on": ends_on.isoformat()},
        )
    ]


def _provider_findings(facts: CredentialFacts) -> list[Finding]:
    if facts.provider_status not in (ProviderStatus.SUSPENDED, ProviderStatus.CLOSED):
        return []
    return [
        Finding(
            source=LOCAL_SOURCE,
            rule=f"provider_{facts.provider_status}",
            kind=FindingKind.TRANSITION,
            message=PROVIDER_NOT_ACTIVE.format(provider_status=facts.provider_status),
            target_status=CredentialStatus.SUSPENDED,
        )
    ]


def _reinstatement_findings(facts: CredentialFacts) -> list[Finding]:
    if not (
        facts.status == CredentialStatus.SUSPENDED
        and facts.suspended_by_check
        and facts.provider_status == ProviderStatus.ACTIVE
    ):
        return []
    # An entry suspended from teach-out goes back to teach-out, not back on offer.
    back_to = (
        CredentialStatus.TEACH_OUT
        if facts.teach_out_ends_on is not None
        else CredentialStatus.REGISTERED
    )
    return [
        Finding(
            source=LOCAL_SOURCE,
            rule="provider_reinstated",
            kind=FindingKind.TRANSITION,
            message=PROVIDER_REINSTATED,
            target_status=back_to,
        )
    ]


def _condition_findings(facts: CredentialFacts, today: date) -> list[Finding]:
    return [
        Finding(
            source=LOCAL_SOURCE,
            rule="condition_overdue",
            kind=FindingKind.FLAG,
            message=CONDITION_OVERDUE.format(due_date=condition.due_date.isoformat()),
            notify_key=CONDITION_OVERDUE_KEY.format(condition_id=condition.id),
            data={"condition_id": condition.id, "due_date": condition.due_date.isoformat()},
        )
        for condition in facts.conditions
        if condition.state == ConditionState.OVERDUE
        or (condition.state == ConditionState.OPEN and condition.due_date < today)
    ]


def _accreditation_findings(facts: CredentialFacts, today: date) -> list[Finding]:
    def in_force(record: AccreditationFact) -> bool:
        return (
            record.status == AccreditationStatus.CURRENT
            and (record.valid_from is None or record.valid_from <= today)
            and (record.valid_to is None or record.valid_to >= today)
        )

    def lapsed(record: AccreditationFact) -> bool:
        return record.status in (AccreditationStatus.LAPSED, AccreditationStatus.WITHDRAWN) or (
            record.valid_to is not None and record.valid_to < today
        )

    # An old record that ran out is history when a newer one is in force; only a gap matters.
    if any(in_force(r) for r in facts.accreditations):
        return []
    gone = [r for r in facts.accreditations if lapsed(r)]
    if not gone:
        return []
    latest = max(gone, key=lambda r: (r.valid_to or date.min, r.id))
    return [
        Finding(
            source=LOCAL_SOURCE,
            rule="accreditation_lapsed",
            kind=FindingKind.FLAG,
            message=ACCREDITATION_LAPSED.format(
                accreditor=latest.accreditor,
                status=latest.status,
                valid_to=latest.valid_to.isoformat() if latest.valid_to else "unknown",
            ),
            notify_key=ACCREDITATION_LAPSED_KEY.format(accreditation_id=latest.id),
            data={"accreditation_id": latest.id},
        )
    ]


def _external_findings(external: ExternalFact, status: str) -> list[Finding]:
    source, name, answer = external.source, external.register_name, external.answer
    if not answer.available:
        return [
            Finding(
                source=source,
                rule="source_unavailable",
                kind=FindingKind.UNAVAILABLE,
                message=f"{name} could not be asked: {answer.unavailable_reason}",
            )
        ]
    record = answer.record
    if record is None:
        return [
            Finding(
                source=source,
                rule="external_not_found",
                kind=FindingKind.FLAG,
                message=f"{name} has no entry with this number.",
                notify_key=f"external_not_found:{source}",
            )
        ]
    data: dict[str, Any] = {"external_status": record.status_text}
    if record.end_date:
        data["external_end_date"] = record.end_date.isoformat()
    said = f'{name} lists it as "{record.status_text}".'
    target = EXTERNAL_TRANSITIONS.get(record.status)
    if target is not None:
        return [
            Finding(
                source=source,
                rule=f"external_{record.status}",
                kind=FindingKind.TRANSITION,
                message=said,
                target_status=target,
                data=data,
            )
        ]
    if record.status == ExternalStatus.TEACH_OUT and status != CredentialStatus.TEACH_OUT:
        # Teach-out needs its end date and a recorded reason: the administrator moves it.
        return [
            Finding(
                source=source,
                rule="external_teach_out",
                kind=FindingKind.FLAG,
                message=said + " No new learners may start it.",
                notify_key=f"external_teach_out:{source}",
                data=data,
            )
        ]
    if record.status == ExternalStatus.UNKNOWN:
        return [
            Finding(
                source=source,
                rule="external_status_unrecognised",
                kind=FindingKind.FLAG,
                message=said + " That status is not one the registry knows.",
                notify_key=f"external_status_unrecognised:{source}:{record.status_text}",
                data=data,
            )
        ]
    return [
        Finding(
            source=source,
            rule=f"external_{record.status}",
            kind=FindingKind.INFO,
            message=said,
            data=data,
        )
    ]
