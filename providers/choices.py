from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderType(models.TextChoices):
    UNIVERSITY = "university", _("University")
    SELF_FINANCING = "self_financing", _("Self-financing institution")
    FE_COLLEGE = "fe_college", _("Further education college")
    AWARDING_ORGANISATION = "awarding_organisation", _("Awarding organisation")
    TRAINING_PROVIDER = "training_provider", _("Training provider")
    ACCREDITATION_BODY = "accreditation_body", _("Accreditation or QA body")


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Provider administrator")
    EDITOR = "editor", _("Editor")
