"""The QA review workflow: open, assign, declare, judge, decide, correct, cancel, conditions.

Each operation checks who may make it, validates, writes in one transaction and queues its
e-mail after the commit. A credential's status, validity and accreditation record change
through ``credentials.services``; this app never writes a credential itself.

The stages: a registry administrator opens a review (open) and assigns reviewers; the first
reviewer to declare no conflict of interest starts it (in progress) and a first review takes
the record under review; reviewers judge every standard; a reviewer or a registry
administrator decides (decided). Judgements and decisions are append-only: a correction is a
new row that supersedes the old one.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from celery import Task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from config.types import User
from credentials.choices import AccreditationStatus, CredentialStatus
from credentials.models import AccreditationRecord, Credential
from credentials.services import (
    credential_apply_decision,
    credential_review_move,
    credential_transition,
)
from providers.roles import is_reviewer

from .choices import (
    ACTIVE_STAGES,
    APPROVING_OUTCOMES,
    ConditionEventKind,
    ConditionState,
    DecisionOutcome,
    JudgementOutcome,
    ReviewStage,
    ReviewType,
)
from .conditions import condition_event_record
from .models import (
    Condition,
    Decision,
    Judgement,
    Review,
    ReviewAssignment,
    ReviewStandard,
    ReviewStandardSet,
)
from .rules import (
    assign_refusal,
    cancel_refusal,
    confirm_refusal,
    conflict_error,
    conflicting_provider,
    correction_refusal,
    decider_refusal,
    decision_stage_refusal,
    declare_refusal,
    judge_refusal,
    refuse,
    staff_refusal,
)
from .tasks import review_assignment_notify_task, review_decision_notify_task

# Reviews that decide whether a submitted record joins the register.
FIRST_REVIEW_TYPES = frozenset({ReviewType.INITIAL, ReviewType.FAST_TRACK})
# Reviews of a record already on the register that confirm the registration in force, so an
# approval amends the current accreditation record instead of starting a new period.
CONTINUING_REVIEW_TYPES = frozenset({ReviewType.PERIODIC, ReviewType.CHANGE})
# The record's status a review of each type may start from.
OPENABLE_STATUSES: dict[str, frozenset[str]] = {
    ReviewType.INITIAL: frozenset({CredentialStatus.SUBMITTED}),
    ReviewType.FAST_TRACK: frozenset({CredentialStatus.SUBMITTED}),
    ReviewType.RE_ACCREDITATION: frozenset({CredentialStatus.REGISTERED, CredentialStatus.EXPIRED}),
    ReviewType.PERIODIC: frozenset({CredentialStatus.REGISTERED}),
    ReviewType.CHANGE: frozenset({CredentialStatus.REGISTERED}),
}
# Calendar days to the due date when the administrator names none and sets no target.
DEFAULT_DUE_DAYS: dict[str, int] = {
    ReviewType.INITIAL: 60,
    ReviewType.FAST_TRACK: 20,
    ReviewType.RE_ACCREDITATION: 60,
    ReviewType.PERIODIC: 90,
    ReviewType.CHANGE: 30,
}


@dataclass(frozen=True)
class ConditionDraft:
    """A condition to attach to an approval: what the provider must do, and by when."""

    text: str
    due_date: datetime.date


def _queue(task: Task, *args: object) -> None:
    """Queue a notification task once the transaction commits, so its rows exist."""
    transaction.on_commit(lambda: task.delay(*args))


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """Return the date ``days`` working days after ``start``, skipping weekends.

    Public holidays differ by jurisdiction and are not modelled; an administrator can move
    the due date when one falls inside a fast-track review.
    """
    current, remaining = start, days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def review_standard_set_current(*, on: datetime.date | None = None) -> ReviewStandardSet | None:
    """The standard set in force on a date: the latest effective version that has standards."""
    on = on or timezone.localdate()
    return (
        ReviewStandardSet.objects.filter(effective_from__lte=on)
        .filter(Exists(ReviewStandard.objects.filter(standard_set=OuterRef("pk"))))
        .order_by("-effective_from", "-version")
        .first()
    )


@transaction.atomic
def review_standard_set_new_version(
    *, actor: User, standard_set: ReviewStandardSet, effective_from: datetime.date
) -> ReviewStandardSet:
    """Copy a standard set into its next version, to be edited before it takes effect.

    Reviews keep the version current when they opened, so a set in use is never edited;
    changed standards go into a new version instead.
    """
    refuse(staff_refusal(actor, "standards"))
    # Never None: standard_set itself is a version of this name.
    latest = cast(
        ReviewStandardSet,
        ReviewStandardSet.objects.select_for_update()
        .filter(name=standard_set.name)
        .order_by("-version")
        .first(),
    )
    if effective_from < latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _("A new version cannot take effect before version %(v)s.")
                % {"v": latest.version}
            }
        )
    new_set = ReviewStandardSet(
        name=standard_set.name, version=latest.version + 1, effective_from=effective_from
    )
    new_set.full_clean()
    new_set.save()
    ReviewStandard.objects.bulk_create(
        ReviewStandard(
            standard_set=new_set,
            code=standard.code,
            ordinal=standard.ordinal,
            title_en=standard.title_en,
            title_zh=standard.title_zh,
            guidance=standard.guidance,
        )
        for standard in standard_set.standards.order_by("ordinal")
    )
    return new_set


def _lock_review(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("credential__provider", "standard_set")
        .get(pk=review.pk)
    )


@transaction.atomic
def review_open(
    *,
    actor: User,
    credential: Credential,
    review_type: str,
    due_date: datetime.date | None = None,
    target_working_days: int | None = None,
    reviewers: Sequence[User] = (),
    today: datetime.date | None = None,
) -> Review:
    """Open a review of a record under the standard set in force today; optionally assign.

    Without a due date, a target number of working days sets it (required for fast-track),
    else the type's default number of days.
    """
    refuse(staff_refusal(actor, "open"))
    today = today or timezone.localdate()
    if review_type not in ReviewType.values:
        raise ValidationError({"review_type": _("Choose a valid review type.")})
    review_type = ReviewType(review_type)
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if credential.status not in OPENABLE_STATUSES[review_type]:
        statuses = sorted(CredentialStatus(s).label.lower() for s in OPENABLE_STATUSES[review_type])
        raise ValidationError(
            {
                "credential": _(
                    "A %(type)s review needs a record that is %(statuses)s; this one is %(status)s."
                )
                % {
                    "type": review_type.label.lower(),
                    "statuses": " / ".join(statuses),
                    "status": credential.get_status_display().lower(),
                }
            }
        )
    if Review.objects.filter(credential=credential, stage__in=ACTIVE_STAGES).exists():
        raise ValidationError({"credential": _("This record already has a review under way.")})
    standard_set = review_standard_set_current(on=today)
    if standard_set is None:
        raise ValidationError(
            _("No review standards are in force today; add a standard set with standards first.")
        )
    if review_type == ReviewType.FAST_TRACK and not target_working_days:
        raise ValidationError(
            {"target_working_days": _("A fast-track review needs a target number of working days.")}
        )
    if target_working_days is not None and target_working_days < 1:
        raise ValidationError({"target_working_days": _("The target must be at least one day.")})
    if due_date is None:
        due_date = (
            add_working_days(today, target_working_days)
            if target_working_days
            else today + datetime.timedelta(days=DEFAULT_DUE_DAYS[review_type])
        )
    if due_date < today:
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    review = Review(
        credential=credential,
        review_type=review_type,
        standard_set=standard_set,
        target_working_days=target_working_days,
        due_date=due_date,
        opened_by=actor,
    )
    review.full_clean()
    review.save()
    for reviewer in reviewers:
        review_assign(actor=actor, review=review, reviewer=reviewer)
    return review


@transaction.atomic
def review_assign(*, actor: User, review: Review, reviewer: User) -> ReviewAssignment:
    """Assign a reviewer; members of the record's provider or awarding body are refused."""
    refuse(staff_refusal(actor, "assign"))
    review = _lock_review(review)
    refuse(assign_refusal(actor, review))
    if not is_reviewer(reviewer):
        raise ValidationError(
            {
                "reviewer": _("%(user)s is not in the reviewers group.")
                % {"user": reviewer.get_username()}
            }
        )
    provider = conflicting_provider(reviewer, review.credential)
    if provider is not None:
        raise conflict_error(reviewer, provider, field="reviewer")
    if review.assignments.filter(reviewer=reviewer).exists():
        raise ValidationError(
            {
                "reviewer": _("%(user)s is already assigned to this review.")
                % {"user": reviewer.get_username()}
            }
        )
    assignment = ReviewAssignment(review=review, reviewer=reviewer, assigned_by=actor)
    assignment.full_clean()
    assignment.save()
    _queue(review_assignment_notify_task, assignment.pk)
    return assignment


@transaction.atomic
def review_unassign(*, actor: User, assignment: ReviewAssignment) -> None:
    """Take a reviewer off a review under way, e.g. one who reports a conflict of interest.

    A reviewer who has judged stays on the record: their judgements are part of the review.
    """
    refuse(staff_refusal(actor, "unassign"))
    review = _lock_review(assignment.review)
    if review.stage not in ACTIVE_STAGES:
        raise ValidationError(_("Reviewers of a finished review stay on its record."))
    if review.judgements.filter(reviewer_id=assignment.reviewer_id).exists():
        raise ValidationError(
            _("%(user)s has judged standards of this review and stays on its record.")
            % {"user": assignment.reviewer.get_username()}
        )
    assignment.delete()


@transaction.atomic
def review_declare_no_conflict(*, actor: User, review: Review) -> ReviewAssignment:
    """An assigned reviewer declares no conflict of interest; the first one starts the review.

    Starting a first review (initial, fast-track) takes the submitted record under review.
    """
    review = _lock_review(review)
    refuse(declare_refusal(actor, review))
    assignment = review.assignments.get(reviewer=actor)
    assignment.no_conflict_declared_at = timezone.now()
    assignment.save(update_fields=["no_conflict_declared_at"])
    if review.stage == ReviewStage.OPEN:
        _review_start(actor=actor, review=review)
    return assignment


def _review_start(*, actor: User, review: Review) -> None:
    credential = review.credential
    if review.review_type in FIRST_REVIEW_TYPES:
        if credential.status not in (CredentialStatus.SUBMITTED, CredentialStatus.UNDER_REVIEW):
            raise ValidationError(
                _(
                    "The record is no longer submitted (it is %(status)s); a registry "
                    "administrator should cancel this review."
                )
                % {"status": credential.get_status_display().lower()}
            )
        credential_review_move(
            actor=actor,
            credential=credential,
            to_status=CredentialStatus.UNDER_REVIEW,
            reason=_("Review started: %(type)s.") % {"type": review.get_review_type_display()},
        )
    review.stage = ReviewStage.IN_PROGRESS
    review.save(update_fields=["stage", "updated_at"])


@transaction.atomic
def judgement_record(
    *,
    actor: User,
    review: Review,
    standard: ReviewStandard,
    outcome: str,
    comment: str,
    evidence_url: str = "",
    evidence_file: UploadedFile | None = None,
    supersedes: Judgement | None = None,
) -> Judgement:
    """Record the actor's judgement of one standard, or correct their latest one.

    Only an assigned reviewer who has declared no conflict judges, and only while the review
    is in progress. A second judgement of the same standard must supersede the first.
    """
    review = _lock_review(review)
    refuse(judge_refusal(actor, review))
    if standard.standard_set_id != review.standard_set_id:
        raise ValidationError(
            {
                "standard": _("This standard is not in the set the review uses (%(set)s).")
                % {"set": review.standard_set}
            }
        )
    if outcome not in JudgementOutcome.values:
        raise ValidationError({"outcome": _("Choose met, partly met or not met.")})
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Explain the judgement in a comment.")})
    latest = (
        Judgement.objects.filter(review=review, standard=standard, reviewer=actor)
        .filter(superseded_by__isnull=True)
        .first()
    )
    if supersedes is None and latest is not None:
        raise ValidationError(
            _("You have already judged this standard; record a correction instead.")
        )
    if supersedes is not None and (latest is None or supersedes.pk != latest.pk):
        raise ValidationError(
            {
                "supersedes": _(
                    "A correction must supersede your latest judgement of the same standard "
                    "in this review."
                )
            }
        )
    limit = settings.QA_EVIDENCE_MAX_MB * 1024 * 1024
    if evidence_file is not None and evidence_file.size > limit:
        raise ValidationError(
            {
                "evidence_file": _("An evidence file may be at most %(mb)s MB.")
                % {"mb": settings.QA_EVIDENCE_MAX_MB}
            }
        )
    judgement = Judgement(
        review=review,
        standard=standard,
        reviewer=actor,
        outcome=outcome,
        comment=comment.strip(),
        evidence_url=evidence_url or "",
        supersedes=supersedes,
    )
    if evidence_file is not None:
        judgement.evidence_file = evidence_file
    judgement.full_clean()
    judgement.save()
    return judgement


def _target_status(review: Review, outcome: DecisionOutcome) -> CredentialStatus | None:
    """The status a decision gives the record; None leaves its status as it is."""
    if outcome in APPROVING_OUTCOMES:
        return CredentialStatus.REGISTERED
    if review.review_type in FIRST_REVIEW_TYPES:
        return (
            CredentialStatus.REFERRED_BACK
            if outcome == DecisionOutcome.REFERRED_BACK
            else CredentialStatus.NOT_APPROVED
        )
    # A review of a record already on the register: a periodic review that fails ends the
    # registration; otherwise (a change refused, a renewal refused, issues referred back)
    # the registration stands until its validity runs out.
    if review.review_type == ReviewType.PERIODIC and outcome == DecisionOutcome.NOT_APPROVED:
        return CredentialStatus.NOT_APPROVED
    return None


def _check_decision_values(
    *,
    outcome: DecisionOutcome,
    rationale: str,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    conditions: Sequence[ConditionDraft],
    today: datetime.date,
    carrying: bool = False,
) -> None:
    errors: dict[str, list[str]] = {}
    if not (rationale or "").strip():
        errors["rationale"] = [_("Give the rationale the provider will read.")]
    if outcome in APPROVING_OUTCOMES:
        if valid_from is None:
            errors["valid_from"] = [_("An approval grants a validity period: give its start.")]
        if valid_to is None:
            errors["valid_to"] = [_("An approval grants a validity period: give its end.")]
        elif valid_from is not None and valid_to < valid_from:
            errors["valid_to"] = [_("The validity period must end on or after its start.")]
    elif valid_from is not None or valid_to is not None:
        errors["valid_from"] = [_("Only an approval grants a validity period.")]
    if outcome == DecisionOutcome.APPROVED_WITH_CONDITIONS and not (conditions or carrying):
        errors["conditions"] = [_("An approval with conditions needs at least one condition.")]
    elif outcome != DecisionOutcome.APPROVED_WITH_CONDITIONS and conditions:
        errors["conditions"] = [_("Only an approval with conditions carries conditions.")]
    else:
        for number, condition in enumerate(conditions, start=1):
            if not condition.text.strip():
                errors.setdefault("conditions", []).append(
                    _("Condition %(n)s: say what the provider must do.") % {"n": number}
                )
            if condition.due_date < today:
                errors.setdefault("conditions", []).append(
                    _("Condition %(n)s: the due date cannot be in the past.") % {"n": number}
                )
    if errors:
        raise ValidationError(errors)


def _accreditation_to_amend(
    review: Review, supersedes: Decision | None, outcome: DecisionOutcome
) -> AccreditationRecord | None:
    """The accreditation record this decision amends, or withdraws when it does not approve.

    None means a new record on approval, or no record touched otherwise.
    """
    approving = outcome in APPROVING_OUTCOMES
    ends_registration = _target_status(review, outcome) in (
        CredentialStatus.REFERRED_BACK,
        CredentialStatus.NOT_APPROVED,
    )
    continuing = review.review_type in CONTINUING_REVIEW_TYPES
    if supersedes is not None and supersedes.accreditation_id is not None:
        if approving or ends_registration or not continuing:
            return supersedes.accreditation
        # The record predates this review: a change refused or issues referred back leave
        # the registration, and so its accreditation, in force.
        return None
    if continuing and (approving or ends_registration):
        return (
            review.credential.accreditations.filter(
                accreditor=settings.QA_REVIEW_ACCREDITOR, status=AccreditationStatus.CURRENT
            )
            .order_by("-valid_from")
            .first()
        )
    return None


@transaction.atomic
def review_decide(
    *,
    actor: User,
    review: Review,
    outcome: str,
    rationale: str,
    internal_notes: str = "",
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    conditions: Sequence[ConditionDraft] = (),
    supersedes: Decision | None = None,
    carry_conditions: bool = False,
    today: datetime.date | None = None,
) -> Decision:
    """Decide a review, or correct its decision, and apply it to the register at once.

    In one transaction: the decision entry and its conditions, the review's stage, and,
    through ``credentials.services.credential_apply_decision``, the record's status, the
    validity granted and the accreditation record. A first decision needs every standard
    judged. A correction supersedes the review's current decision and settles its
    conditions explicitly: with ``carry_conditions`` (only for an approval with conditions)
    each one moves to the new decision as it stands; otherwise the unmet ones are closed
    as superseded (a condition already confirmed met, repeated word for word, stays met).
    """
    today = today or timezone.localdate()
    review = _lock_review(review)
    refuse(decider_refusal(actor, review))
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose a valid outcome.")})
    outcome = DecisionOutcome(outcome)
    if supersedes is None:
        refuse(decision_stage_refusal(review))
        unjudged = review.standard_set.standards.filter(
            ~Exists(
                Judgement.objects.filter(
                    review=review, standard=OuterRef("pk"), superseded_by__isnull=True
                )
            )
        )
        missing = [standard.title_en for standard in unjudged]
        if missing:
            raise ValidationError(
                _("Judge every standard before deciding; not yet judged: %(standards)s.")
                % {"standards": "; ".join(missing)}
            )
    else:
        refuse(correction_refusal(review, supersedes))
    if carry_conditions and supersedes is None:
        raise ValidationError(
            {"carry_conditions": _("Only a correction carries the conditions of a decision.")}
        )
    if carry_conditions and outcome != DecisionOutcome.APPROVED_WITH_CONDITIONS:
        raise ValidationError(
            {
                "carry_conditions": _(
                    "Conditions are carried only to an approval with conditions; with this "
                    "outcome the corrected decision's open conditions are closed."
                )
            }
        )
    _check_decision_values(
        outcome=outcome,
        rationale=rationale,
        valid_from=valid_from,
        valid_to=valid_to,
        conditions=conditions,
        today=today,
        carrying=carry_conditions and supersedes is not None and supersedes.conditions.exists(),
    )
    decision = Decision(
        review=review,
        outcome=outcome,
        rationale=rationale.strip(),
        internal_notes=(internal_notes or "").strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        decided_by=actor,
        supersedes=supersedes,
    )
    decision.full_clean(exclude=["accreditation"])

    approving = outcome in APPROVING_OUTCOMES
    values = {"type": review.get_review_type_display(), "outcome": outcome.label}
    if supersedes is None:
        reason = _("%(type)s decision: %(outcome)s.") % values
    else:
        reason = _("%(type)s decision corrected: %(outcome)s.") % values
    decision.accreditation = credential_apply_decision(
        actor=actor,
        credential=review.credential,
        to_status=_target_status(review, outcome),
        reason=reason,
        # _check_decision_values gave an approval both dates.
        validity=(valid_from, valid_to) if approving else None,  # type: ignore[arg-type]
        accreditor=settings.QA_REVIEW_ACCREDITOR,
        reference=_review_reference(review),
        accreditation=_accreditation_to_amend(review, supersedes, outcome),
    )
    decision.save()
    _create_conditions(
        decision=decision, conditions=conditions, supersedes=supersedes, carry=carry_conditions
    )
    if review.stage != ReviewStage.DECIDED:
        review.stage = ReviewStage.DECIDED
        review.save(update_fields=["stage", "updated_at"])
    _queue(review_decision_notify_task, decision.pk)
    return decision


def _review_reference(review: Review) -> str:
    return f"QA review #{review.pk}"


def _create_conditions(
    *,
    decision: Decision,
    conditions: Sequence[ConditionDraft],
    supersedes: Decision | None,
    carry: bool,
) -> None:
    actor = decision.decided_by
    # Locked, so the daily check cannot mark one overdue while the correction closes it.
    earlier = (
        list(supersedes.conditions.select_for_update().order_by("due_date", "pk"))
        if supersedes
        else []
    )
    carried_texts = set()
    if carry:
        for old in earlier:
            _condition_copy(old, decision=decision)
            carried_texts.add(old.text)
    met_before = {old.text: old for old in earlier if old.state == ConditionState.MET}
    for draft in conditions:
        text = draft.text.strip()
        if text in carried_texts:
            raise ValidationError(
                {
                    "conditions": _(
                        "“%(text)s” is carried from the corrected decision already; list only "
                        "new conditions."
                    )
                    % {"text": text}
                }
            )
        kept = met_before.pop(text, None)
        condition = Condition(decision=decision, text=text, due_date=draft.due_date)
        if kept is not None:
            condition.state = ConditionState.MET
            condition.met_confirmed_by_id = kept.met_confirmed_by_id
            condition.met_confirmed_at = kept.met_confirmed_at
            condition.carried_from = kept
        condition.full_clean()
        condition.save()
        condition_event_record(
            condition=condition,
            kind=ConditionEventKind.CARRIED if kept else ConditionEventKind.CREATED,
            from_state="",
            actor=actor,
        )
    # What was not carried is closed, so no list, reminder or sweep counts it as still owed.
    for old in earlier:
        if old.state not in (ConditionState.OPEN, ConditionState.OVERDUE):
            continue
        from_state = old.state
        old.state = ConditionState.SUPERSEDED
        old.save(update_fields=["state", "updated_at"])
        condition_event_record(
            condition=old, kind=ConditionEventKind.SUPERSEDED, from_state=from_state, actor=actor
        )


def _condition_copy(old: Condition, *, decision: Decision) -> Condition:
    """Continue a corrected decision's condition on the new decision, exactly as it stands."""
    condition = Condition(
        decision=decision,
        text=old.text,
        due_date=old.due_date,
        state=old.state,
        met_confirmed_by_id=old.met_confirmed_by_id,
        met_confirmed_at=old.met_confirmed_at,
        reminded_at=old.reminded_at,
        carried_from=old,
    )
    condition.full_clean()
    condition.save()
    condition_event_record(
        condition=condition,
        kind=ConditionEventKind.CARRIED,
        from_state="",
        actor=decision.decided_by,
    )
    return condition


@transaction.atomic
def review_cancel(*, actor: User, review: Review, reason: str) -> Review:
    """Cancel a review under way; a record it took under review goes back to submitted."""
    refuse(staff_refusal(actor, "cancel"))
    review = _lock_review(review)
    refuse(cancel_refusal(actor, review))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the review is cancelled.")})
    started = review.stage == ReviewStage.IN_PROGRESS
    review.stage = ReviewStage.CANCELLED
    review.cancel_reason = reason.strip()
    review.full_clean()
    review.save(update_fields=["stage", "cancel_reason", "updated_at"])
    credential = review.credential
    if (
        started
        and review.review_type in FIRST_REVIEW_TYPES
        and credential.status == CredentialStatus.UNDER_REVIEW
    ):
        credential_transition(
            actor=actor,
            credential=credential,
            to_status=CredentialStatus.SUBMITTED,
            reason=_("Review cancelled: %(reason)s") % {"reason": review.cancel_reason},
        )
    return review


@transaction.atomic
def condition_confirm_met(*, actor: User, condition: Condition) -> Condition:
    """A registry administrator confirms that the provider has met a condition."""
    refuse(staff_refusal(actor, "confirm"))
    condition = (
        Condition.objects.select_for_update(of=("self",))
        .select_related("decision")
        .get(pk=condition.pk)
    )
    refuse(confirm_refusal(actor, condition))
    from_state = condition.state
    condition.state = ConditionState.MET
    condition.met_confirmed_by = actor
    condition.met_confirmed_at = timezone.now()
    condition.full_clean()
    condition.save(update_fields=["state", "met_confirmed_by", "met_confirmed_at", "updated_at"])
    condition_event_record(
        condition=condition,
        kind=ConditionEventKind.MET,
        from_state=from_state,
        actor=actor,
        recorded_at=condition.met_confirmed_at,
    )
    return condition
