from django.db import models
from django.utils.translation import gettext_lazy as _


class CredentialKind(models.TextChoices):
    MICRO_CREDENTIAL = "micro_credential", _("Micro-credential")
    QUALIFICATION = "qualification", _("Qualification")


class CredentialStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    REFERRED_BACK = "referred_back", _("Referred back")
    NOT_APPROVED = "not_approved", _("Not approved")
    REGISTERED = "registered", _("Registered")
    TEACH_OUT = "teach_out", _("Teach-out")
    SUPERSEDED = "superseded", _("Superseded")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses a member of the public may see: registered entries and archived ones,
# which stay public so that a registration can still be verified.
PUBLIC_STATUSES = (
    CredentialStatus.REGISTERED,
    CredentialStatus.TEACH_OUT,
    CredentialStatus.SUPERSEDED,
    CredentialStatus.SUSPENDED,
    CredentialStatus.EXPIRED,
    CredentialStatus.WITHDRAWN,
)
# Statuses of a registration in force: a teach-out entry takes no new learners but stays
# valid for those enrolled, until its teach-out ends.
CURRENT_STATUSES = (CredentialStatus.REGISTERED, CredentialStatus.TEACH_OUT)


class DeliveryMode(models.TextChoices):
    ONSITE = "onsite", _("On-site")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")


class Supervision(models.TextChoices):
    """Annex I: supervision and identity verification during assessment."""

    UNSUPERVISED = "unsupervised", _("Unsupervised, no identity verification")
    SUPERVISED_NO_ID = "supervised_no_id", _("Supervised, no identity verification")
    SUPERVISED_ONLINE_ID = "supervised_online_id", _("Supervised online, identity verified")
    SUPERVISED_ONSITE_ID = "supervised_onsite_id", _("Supervised on-site, identity verified")


class QualityMark(models.TextChoices):
    HTQ = "htq", _("Higher Technical Qualification (HTQ)")
    CEF = "cef", _("CEF reimbursable")
    DFE_FUNDED = "dfe_funded", _("Approved for DfE funding")
    ADVANCED_LEARNER_LOAN = "advanced_learner_loan", _("Advanced Learner Loan")


class AccreditationStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    PENDING = "pending", _("Pending")
    LAPSED = "lapsed", _("Lapsed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StatusSource(models.TextChoices):
    MANUAL = "manual", _("Entered by an administrator")
    REVIEW_DECISION = "review_decision", _("QA review decision")
    EXTERNAL_REGISTER = "external_register", _("External register")
    STATUS_CHECK = "status_check", _("Automatic status check")
    IMPORT = "import", _("Bulk import")


class ChangeRequestState(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
