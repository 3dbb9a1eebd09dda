"""Shared pieces of the demo-data builders: the report, batch upserts and status histories."""

import datetime
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone

from credentials.choices import CredentialStatus, StatusSource
from credentials.models import Credential, CredentialStatusChange
from credentials.numbers import registration_key
from credentials.services import credential_change_status


class DemoDataError(Exception):
    """The demo data cannot be loaded: a data file or the reference data is missing."""


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: who it is, what it may do, and its fixed password."""

    username: str
    role: str
    password: str


@dataclass
class SeedReport:
    """What one run of the demo seed created or changed, and what the register now holds."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(+self.created or +self.updated)


@dataclass(frozen=True)
class SeedContext:
    """Values every builder needs: the data folder, today's date and the report to fill."""

    data_dir: Path
    today: datetime.date
    now: datetime.datetime
    report: SeedReport

    def day(self, offset: int) -> datetime.date:
        """Return the date ``offset`` days from today."""
        return self.today + datetime.timedelta(days=offset)

    def moment(self, offset: int, hour: int = 9) -> datetime.datetime:
        """Return an aware datetime ``offset`` days from today at ``hour`` local time."""
        naive = datetime.datetime.combine(self.day(offset), datetime.time(hour))
        return timezone.make_aware(naive)


def _unvalidated_fields(model: type[models.Model]) -> list[str]:
    # Relations are skipped: validating them costs one query per row, and the
    # database's foreign keys refuse a dangling id anyway.
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation or getattr(f, "generated", False) or not f.editable
    ]


def upsert_rows(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Callable[[Mapping[str, Any]], Hashable],
    existing: Iterable[models.Model],
    existing_key: Callable[[models.Model], Hashable],
    report: SeedReport,
    label: str,
    create_only: Iterable[str] = (),
) -> dict[Hashable, models.Model]:
    """Create missing rows and update changed ones in bulk; return every row by its key.

    Fields in ``create_only`` are written only when a row is new: they carry state that
    the registry's own workflows own afterwards.
    """
    create_only = set(create_only)
    by_key = {existing_key(obj): obj for obj in existing}
    has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    exclude = _unvalidated_fields(model)
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    changed_fields: set[str] = set()
    for row in rows:
        row_key = key(row)
        obj = by_key.get(row_key)
        if obj is None:
            obj = model(**row)
            obj.clean_fields(exclude=exclude)
            by_key[row_key] = obj
            to_create.append(obj)
            continue
        changed = [
            name
            for name, value in row.items()
            if name not in create_only and getattr(obj, name) != value
        ]
        if changed:
            for name in changed:
                setattr(obj, name, row[name])
            obj.clean_fields(exclude=exclude)
            changed_fields.update(changed)
            to_update.append(obj)
    if to_create:
        model.objects.bulk_create(to_create)
        report.created[label] += len(to_create)
    if to_update:
        if has_updated_at:
            # bulk_update skips auto_now, so stamp the change explicitly.
            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now
            changed_fields.add("updated_at")
        model.objects.bulk_update(to_update, sorted(changed_fields))
        report.updated[label] += len(to_update)
    return by_key


def upsert_by_fields(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    key_fields: Sequence[str],
    report: SeedReport,
    label: str,
    create_only: Iterable[str] = (),
) -> dict[tuple, models.Model]:
    """Upsert rows whose natural key is a tuple of plain column values."""
    candidates = models.Q()
    for name in key_fields:
        values = {row[name] for row in rows}
        # SQL's IN never matches NULL, so a nullable key part needs its own test.
        matches = models.Q(**{f"{name}__in": values - {None}})
        if None in values:
            matches |= models.Q(**{f"{name}__isnull": True})
        candidates &= matches
    by_key = upsert_rows(
        model,
        rows,
        key=lambda row: tuple(row[name] for name in key_fields),
        existing=model.objects.filter(candidates) if rows else [],
        existing_key=lambda obj: tuple(getattr(obj, name) for name in key_fields),
        report=report,
        label=label,
        create_only=create_only,
    )
    return by_key


@dataclass(frozen=True)
class StatusStep:
    """One recorded move in a credential's history."""

    from_status: str
    to_status: str
    source: str
    at: datetime.datetime
    reason: str = ""


def upsert_credentials(
    rows: Sequence[Mapping[str, Any]],
    *,
    history: Callable[[Mapping[str, Any]], list[StatusStep]],
    ctx: SeedContext,
    label: str,
) -> dict[str, Credential]:
    """Upsert register entries by registration number; write each new entry's status history.

    Status is written only on creation; a re-run that finds an entry in another status
    moves it through the status service, so the move is recorded like any other.
    """
    numbers = [registration_key(row["registration_number"]) for row in rows]
    by_key = upsert_rows(
        Credential,
        rows,
        key=lambda row: registration_key(row["registration_number"]),
        existing=Credential.objects.filter(registration_key__in=numbers),
        existing_key=lambda obj: obj.registration_key,
        report=ctx.report,
        label=label,
        create_only={"status", "status_changed_at"},
    )
    with_history = set(
        CredentialStatusChange.objects.filter(credential__registration_key__in=numbers).values_list(
            "credential_id", flat=True
        )
    )
    changes: list[tuple[CredentialStatusChange, datetime.datetime]] = []
    for row in rows:
        credential = by_key[registration_key(row["registration_number"])]
        if credential.pk in with_history:
            if credential.status != row["status"]:
                expiring = row["status"] == CredentialStatus.EXPIRED
                credential_change_status(
                    credential=credential,
                    to_status=row["status"],
                    source=StatusSource.STATUS_CHECK if expiring else StatusSource.MANUAL,
                    reason="Validity period ended." if expiring else "Demo data restored.",
                )
                ctx.report.updated[f"{label} (status)"] += 1
            continue
        changes.extend(
            (
                CredentialStatusChange(
                    credential=credential,
                    from_status=step.from_status,
                    to_status=step.to_status,
                    source=step.source,
                    reason=step.reason,
                ),
                step.at,
            )
            for step in history(row)
        )
    if changes:
        new_changes = [change for change, _ in changes]
        CredentialStatusChange.objects.bulk_create(new_changes)
        # changed_at is auto_now_add, so the insert stamped "now" on every row; write the
        # moments the history describes with bulk_update, which skips pre_save.
        for change, at in changes:
            change.changed_at = at
        CredentialStatusChange.objects.bulk_update(new_changes, ["changed_at"])
        ctx.report.created["status changes"] += len(new_changes)
    return {
        row["registration_number"]: by_key[registration_key(row["registration_number"])]
        for row in rows
    }


def imported_history(row: Mapping[str, Any], at: datetime.datetime) -> list[StatusStep]:
    """Return the history of an entry loaded from a published list: draft, then its status."""
    steps = [
        StatusStep(CredentialStatus.DRAFT, CredentialStatus.REGISTERED, StatusSource.IMPORT, at)
    ]
    if row["status"] == CredentialStatus.EXPIRED:
        steps.append(
            StatusStep(
                CredentialStatus.REGISTERED,
                CredentialStatus.EXPIRED,
                StatusSource.STATUS_CHECK,
                at,
                "Validity period ended.",
            )
        )
    return steps
