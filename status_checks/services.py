"""Entry points for status checks: start sweeps, fan them out, check credentials now.

Views, the admin, the API and the command call these; each does the work in `sweeps` and
queues what a worker does next through `tasks`, after the transaction commits.
"""

from datetime import date
from functools import partial
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.types import User
from credentials.models import Credential
from providers.models import Provider
from providers.roles import is_registry_admin

from .alerts import status_alerts_send
from .choices import SweepScope
from .models import StatusCheck, StatusSweep
from .sweeps import (
    DAILY_SWEEP_LOCK_KEY,
    ChunkResult,
    Transitions,
    check_chunk,
    sweep_create,
    sweep_create_scheduled,
    sweep_plan,
)
from .tasks import queue_alerts, queue_chunks, queue_dispatch

__all__ = [
    "DAILY_SWEEP_LOCK_KEY",
    "AlertDelivery",
    "ChunkResult",
    "Transitions",
    "status_check_apply",
    "status_check_chunk",
    "status_sweep_dispatch",
    "status_sweep_run_inline",
    "status_sweep_start",
    "status_sweep_start_scheduled",
]

AlertDelivery = Literal["queue", "inline", "none"]


def status_sweep_start(
    *,
    scope: str,
    provider: Provider | None = None,
    credential: Credential | None = None,
    actor: User | None = None,
    enqueue: bool = True,
) -> StatusSweep:
    """Record a sweep request and, once committed, hand it to a worker to fan out.

    Registry administrators start sweeps; ``actor`` None is the system (the command line).
    The scope names exactly what it checks: a provider sweep a provider, a credential check
    a credential, a register sweep neither.
    """
    if actor is not None and not is_registry_admin(actor):
        raise PermissionDenied(_("Only registry administrators start status sweeps."))
    if scope not in SweepScope.values:
        raise ValidationError({"scope": _("Choose what to check.")})
    if scope == SweepScope.PROVIDER and provider is None:
        raise ValidationError({"provider": _("A provider sweep needs a provider.")})
    if scope == SweepScope.CREDENTIAL and credential is None:
        raise ValidationError({"credential": _("A credential check needs a registration number.")})
    if scope == SweepScope.REGISTER and (provider or credential):
        raise ValidationError(_("A register sweep takes neither a provider nor a credential."))
    sweep = sweep_create(
        scope=SweepScope(scope),
        provider=provider if scope == SweepScope.PROVIDER else None,
        credential=credential if scope == SweepScope.CREDENTIAL else None,
        requested_by=actor,
    )
    if enqueue:
        queue_dispatch(sweep.pk)
    return sweep


def status_sweep_start_scheduled() -> StatusSweep | None:
    """Start today's register sweep unless one already exists; safe with two beats running."""
    sweep = sweep_create_scheduled()
    if sweep is not None:
        queue_dispatch(sweep.pk)
    return sweep


def status_sweep_dispatch(
    *, sweep_id: int, chunk_size: int | None = None, enqueue: bool = True
) -> list[list[int]]:
    """Fix the set of credentials a sweep checks and fan it out in chunks (see `sweep_plan`)."""
    chunks = sweep_plan(sweep_id=sweep_id, chunk_size=chunk_size)
    if enqueue:
        queue_chunks(sweep_id, chunks)
    return chunks


def status_check_chunk(
    *,
    sweep_id: int | None,
    credential_ids: list[int],
    today: date | None = None,
    alert_delivery: AlertDelivery = "queue",
    transitions: Transitions = "bulk",
) -> ChunkResult:
    """Check a chunk of credentials, then send or queue the alerts it raised."""
    result = check_chunk(
        sweep_id=sweep_id, credential_ids=credential_ids, today=today, transitions=transitions
    )
    if result.alert_check_ids and alert_delivery == "inline":
        transaction.on_commit(partial(status_alerts_send, check_ids=list(result.alert_check_ids)))
    elif alert_delivery == "queue":
        queue_alerts(result.alert_check_ids)
    return result


def status_sweep_run_inline(
    *,
    sweep: StatusSweep,
    alert_delivery: AlertDelivery = "inline",
    today: date | None = None,
    transitions: Transitions = "bulk",
) -> ChunkResult:
    """Run a whole sweep in this process, chunk by chunk (the management command's path)."""
    total = ChunkResult()
    for chunk in status_sweep_dispatch(sweep_id=sweep.pk, enqueue=False):
        total.add(
            status_check_chunk(
                sweep_id=sweep.pk,
                credential_ids=chunk,
                alert_delivery=alert_delivery,
                today=today,
                transitions=transitions,
            )
        )
    sweep.refresh_from_db()
    return total


def status_check_apply(
    *,
    credential: Credential,
    today: date | None = None,
    alert_delivery: AlertDelivery = "queue",
) -> list[StatusCheck]:
    """Check one credential now, outside any sweep, and return the rows recorded."""
    # One credential: through the status service and the model's full validation.
    result = status_check_chunk(
        sweep_id=None,
        credential_ids=[credential.pk],
        today=today,
        alert_delivery=alert_delivery,
        transitions="each",
    )
    credential.refresh_from_db(fields=["status", "status_changed_at", "external_status"])
    return list(
        StatusCheck.objects.filter(
            credential=credential,
            sweep__isnull=True,
            checked_at=result.checked_at,  # type: ignore[misc]  # a chunk stamps it when it begins
        ).order_by("pk")
    )
