"""Stacking pathways and credit-recognition agreements, authored by providers.

A pathway belongs to the provider that awards the larger credential; a recognition
agreement belongs to the provider that grants the credit. Both are checked against the
credits the recognised or stacked credential actually carries.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.types import User
from providers.models import Provider
from providers.roles import is_provider_member, is_registry_admin

from .choices import PUBLIC_STATUSES
from .models import Credential, Pathway, PathwayComponent, RecognitionAgreement


def _require_member(actor: User, provider_id: int) -> None:
    if not (is_registry_admin(actor) or is_provider_member(actor, provider_id)):
        raise PermissionDenied(
            _("You may only change your own providers' pathways and agreements.")
        )


def _check_credits(credential: Credential, credits: Decimal, field: str) -> None:
    if credits < 0:
        raise ValidationError({field: _("Credits cannot be negative.")})
    if credential.credits is not None and credits > credential.credits:
        raise ValidationError(
            {
                field: _("%(number)s carries only %(credits)s credits.")
                % {
                    "number": credential.registration_number,
                    "credits": format(Decimal(credential.credits).normalize(), "f"),
                }
            }
        )


@transaction.atomic
def pathway_create(
    *,
    actor: User,
    award: Credential,
    name_en: str,
    credits_required: Decimal,
    name_zh: str = "",
    description: str = "",
) -> Pathway:
    """Declare that smaller credentials stack into ``award``."""
    _require_member(actor, award.provider_id)
    if award.credits is not None and credits_required > award.credits:
        raise ValidationError(
            {"credits_required": _("A pathway cannot require more credits than its award carries.")}
        )
    pathway = Pathway(
        award=award,
        name_en=name_en,
        name_zh=name_zh,
        description=description,
        credits_required=credits_required,
    )
    pathway.full_clean()
    pathway.save()
    return pathway


@transaction.atomic
def pathway_add_component(
    *,
    actor: User,
    pathway: Pathway,
    credential: Credential,
    credits_counted: Decimal,
    is_required: bool = False,
) -> PathwayComponent:
    """Count a credential toward the pathway's award; it must be on the public register
    or belong to the same provider, and count no more credits than it carries or than the
    award needs (``PathwayComponent.clean``, so the admin refuses the same)."""
    _require_member(actor, pathway.award.provider_id)
    if credential.pk == pathway.award_id:
        raise ValidationError({"credential": _("An award cannot stack into itself.")})
    if credential.provider_id != pathway.award.provider_id and credential.status not in (
        PUBLIC_STATUSES
    ):
        raise ValidationError({"credential": _("Only registered credentials can be stacked.")})
    if pathway.memberships.filter(credential=credential).exists():
        raise ValidationError({"credential": _("This credential is already in the pathway.")})
    if credits_counted < 0:
        raise ValidationError({"credits_counted": _("Credits cannot be negative.")})
    component = PathwayComponent(
        pathway=pathway,
        credential=credential,
        credits_counted=credits_counted,
        is_required=is_required,
    )
    component.full_clean()
    component.save()
    return component


@transaction.atomic
def recognition_agreement_create(
    *,
    actor: User,
    recognising_provider: Provider,
    credential: Credential,
    credits_recognised: Decimal,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    target_credential: Credential | None = None,
    notes: str = "",
) -> RecognitionAgreement:
    """Record that a provider grants credit for another provider's credential."""
    _require_member(actor, recognising_provider.pk)
    if credential.provider_id == recognising_provider.pk:
        raise ValidationError(
            {"credential": _("Recognition is for another provider's credential.")}
        )
    if credential.status not in PUBLIC_STATUSES:
        raise ValidationError({"credential": _("Only registered credentials can be recognised.")})
    if target_credential is not None and target_credential.provider_id != recognising_provider.pk:
        raise ValidationError(
            {"target_credential": _("Credit can only count toward your own provider's award.")}
        )
    _check_credits(credential, credits_recognised, "credits_recognised")
    agreement = RecognitionAgreement(
        recognising_provider=recognising_provider,
        credential=credential,
        target_credential=target_credential,
        credits_recognised=credits_recognised,
        valid_from=valid_from,
        valid_to=valid_to,
        notes=notes,
    )
    agreement.full_clean()
    agreement.save()
    return agreement


@transaction.atomic
def recognition_agreement_end(
    *, actor: User, agreement: RecognitionAgreement, valid_to: datetime.date
) -> RecognitionAgreement:
    """End an agreement on a date; it stays on record for learners who relied on it."""
    _require_member(actor, agreement.recognising_provider_id)
    agreement.valid_to = valid_to
    agreement.full_clean()
    agreement.save(update_fields=["valid_to", "updated_at"])
    return agreement
