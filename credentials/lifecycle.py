"""The credential lifecycle: which status moves exist and who may make each one.

draft → submitted (locked) → under review → registered | referred back | not approved;
referred back → submitted again; registered → suspended | expired | withdrawn;
expired → registered again when its validity is extended.
registered → teach-out (no new learners; valid for those enrolled until its teach-out ends)
→ expired when it ends; registered | teach-out | suspended | expired → superseded by a next
version, which it links to. A provider asks for teach-out or supersession with a change
request; the registry makes the move (docs/status-vocabulary.md).
Archived entries (superseded, suspended, expired, withdrawn) stay public and verifiable.
"""

from enum import Enum

from .choices import CredentialStatus as S


class Actor(Enum):
    """The capacity in which someone moves a credential."""

    PROVIDER_ADMIN = "provider administrator"
    REGISTRY_ADMIN = "registry administrator"
    REVIEW = "review decision"
    SYSTEM = "status check"


P, R, V, Y = Actor.PROVIDER_ADMIN, Actor.REGISTRY_ADMIN, Actor.REVIEW, Actor.SYSTEM

# (from, to) → who may make the move. Registry administrators may do what providers may.
TRANSITIONS: dict[tuple[str, str], frozenset[Actor]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({P, R}),
    (S.REFERRED_BACK, S.SUBMITTED): frozenset({P, R}),
    (S.SUBMITTED, S.DRAFT): frozenset({P, R}),
    (S.SUBMITTED, S.UNDER_REVIEW): frozenset({R, V}),
    (S.REGISTERED, S.UNDER_REVIEW): frozenset({R, V}),
    (S.UNDER_REVIEW, S.REGISTERED): frozenset({V}),
    (S.UNDER_REVIEW, S.REFERRED_BACK): frozenset({V}),
    (S.UNDER_REVIEW, S.NOT_APPROVED): frozenset({V}),
    (S.UNDER_REVIEW, S.SUBMITTED): frozenset({R}),
    (S.REGISTERED, S.SUSPENDED): frozenset({R, Y}),
    (S.REGISTERED, S.EXPIRED): frozenset({R, Y}),
    (S.REGISTERED, S.WITHDRAWN): frozenset({P, R, Y}),
    (S.SUSPENDED, S.REGISTERED): frozenset({R, Y}),
    (S.SUSPENDED, S.WITHDRAWN): frozenset({P, R, Y}),
    (S.SUSPENDED, S.EXPIRED): frozenset({R, Y}),
    (S.EXPIRED, S.WITHDRAWN): frozenset({P, R, Y}),
    (S.EXPIRED, S.UNDER_REVIEW): frozenset({R, V}),
    # Renewal: the register of record extends an expired entry's validity (a registry
    # administrator's import of it, or the administrator directly), recorded with a reason.
    (S.EXPIRED, S.REGISTERED): frozenset({R}),
    # Teach-out: the register of record stops taking new learners (an import of it by the
    # registry, or the administrator, on the provider's request or not). A status check that
    # reads it on a register flags it for the administrator.
    (S.REGISTERED, S.TEACH_OUT): frozenset({R}),
    # Back on offer: a teach-out called off.
    (S.TEACH_OUT, S.REGISTERED): frozenset({R}),
    (S.TEACH_OUT, S.SUSPENDED): frozenset({R, Y}),
    (S.TEACH_OUT, S.EXPIRED): frozenset({R, Y}),
    (S.TEACH_OUT, S.WITHDRAWN): frozenset({P, R, Y}),
    # A suspension lifted from an entry that was in teach-out returns it there.
    (S.SUSPENDED, S.TEACH_OUT): frozenset({R, Y}),
    # Superseded by a next version: named by the registry, since only it knows both records.
    (S.REGISTERED, S.SUPERSEDED): frozenset({R}),
    (S.TEACH_OUT, S.SUPERSEDED): frozenset({R}),
    (S.SUSPENDED, S.SUPERSEDED): frozenset({R}),
    (S.EXPIRED, S.SUPERSEDED): frozenset({R}),
    (S.SUPERSEDED, S.WITHDRAWN): frozenset({P, R}),
}
# Moves a provider asks the registry for (a change request); the registry decides them.
REQUESTABLE_MOVES = frozenset({S.TEACH_OUT, S.SUPERSEDED})

# Records whose content the provider may change directly; others are locked or need review.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.REFERRED_BACK})
# Facts the registry owns: set by a QA decision, a status check or a registry administrator's
# recorded action with a reason, never by a provider. A provider asks for a change instead.
REGISTRY_FIELDS = frozenset(
    {
        "registration_number",
        "valid_from",
        "valid_to",
        "teach_out_ends_on",
        "quality_marks",
        "external_register",
        "external_status",
    }
)
# Of those, what a provider may ask for: a change request that a registry administrator decides.
REQUESTABLE_FIELDS = frozenset({"valid_from", "valid_to", "teach_out_ends_on", "quality_marks"})
# Fields of a registered record that may change directly (versioned): wording and links.
EDITORIAL_FIELDS = frozenset(
    {"summary_en", "summary_zh", "further_information_url", "fee", "fee_currency"}
)
# Fields of a registered record that only change through an approved change request: what the
# credential is (title, level, size, outcomes, assessment, mode, languages, prerequisites...).
REVIEWED_FIELDS = frozenset(
    {
        "kind",
        "title_en",
        "title_zh",
        "qualification_type",
        "awarding_body",
        "level",
        "area_of_study",
        "credits",
        "ects_credits",
        "notional_hours",
        "guided_learning_hours",
        "learning_outcomes_en",
        "learning_outcomes_zh",
        "assessment_type",
        "supervision",
        "mode_of_delivery",
        "quality_assurance_type",
        "prerequisites",
        "languages",
        "stackable",
    }
)
# Statuses whose content is frozen while the registry looks at it.
# A superseded record's content stays as it was: its successor carries what changed.
LOCKED_STATUSES = frozenset(
    {S.SUBMITTED, S.UNDER_REVIEW, S.NOT_APPROVED, S.WITHDRAWN, S.SUPERSEDED}
)


def allowed_targets(from_status: str, actor: Actor) -> list[str]:
    """Statuses this actor may move a credential to from ``from_status``."""
    return [
        to
        for (origin, to), actors in TRANSITIONS.items()
        if origin == from_status and (actor in actors or (actor is R and P in actors))
    ]


def is_allowed(from_status: str, to_status: str, actor: Actor) -> bool:
    actors = TRANSITIONS.get((from_status, to_status), frozenset())
    return actor in actors or (actor is R and P in actors)
