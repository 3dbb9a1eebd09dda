"""Shared pieces of the demo loaders: the report, the data files and batch upserts."""

import csv
import datetime
import json
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class DemoDataError(Exception):
    """The demo data cannot be loaded: a data file or the reference data is missing or wrong."""


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
    """Values every loader needs: the data folder, today's date and the report to fill."""

    data_dir: Path
    today: datetime.date
    report: SeedReport

    def day(self, offset: int) -> datetime.date:
        """Return the date ``offset`` days from today."""
        return self.today + datetime.timedelta(days=offset)

    def moment(self, offset: int, hour: int = 9) -> datetime.datetime:
        """Return an aware datetime ``offset`` days from today at ``hour`` local time."""
        naive = datetime.datetime.combine(self.day(offset), datetime.time(hour))
        return timezone.make_aware(naive)

    def read_csv(self, name: str) -> list[dict[str, str]]:
        """Read a data file's CSV rows."""
        with (self.data_dir / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def read_json(self, name: str) -> Any:
        """Read a data file's JSON; malformed JSON is a DemoDataError naming the file."""
        return read_json(self.data_dir, name)


def read_json(data_dir: Path, name: str) -> Any:
    """Read ``name`` in ``data_dir`` as JSON; malformed JSON is a DemoDataError naming it."""
    try:
        return json.loads((data_dir / name).read_text(encoding="utf-8"))
    except ValueError as error:
        raise DemoDataError(f"{name} is not valid JSON: {error}") from error


def build(spec: type, name: str, values: Mapping[str, Any]) -> Any:
    """Build a spec dataclass from a JSON object; unknown or missing keys name the file."""
    try:
        return spec(**values)
    except TypeError as error:
        raise DemoDataError(f"{name}: {error} in {dict(values)!r}") from error


def _unvalidated_fields(model: type[models.Model]) -> list[str]:
    # Relations are skipped: validating them costs one query per row, and the
    # database's foreign keys refuse a dangling id anyway.
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation or getattr(f, "generated", False) or not f.editable
    ]


M = TypeVar("M", bound=models.Model)
K = TypeVar("K", bound=Hashable)


def upsert_rows(
    model: type[M],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Callable[[Mapping[str, Any]], K],
    existing: Iterable[M],
    existing_key: Callable[[M], K],
    report: SeedReport,
    label: str,
    create_only: Iterable[str] = (),
) -> dict[K, M]:
    """Create missing rows and update changed ones in bulk; return every row by its key.

    Fields in ``create_only`` are written only when a row is new: they carry state that
    the registry's own workflows own afterwards.
    """
    create_only = set(create_only)
    by_key = {existing_key(obj): obj for obj in existing}
    has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    exclude = _unvalidated_fields(model)
    to_create: list[M] = []
    to_update: list[M] = []
    changed_fields: set[str] = set()

    def check(obj: models.Model, row_key: Hashable) -> None:
        try:
            obj.clean_fields(exclude=exclude)
        except ValidationError as error:
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
            raise DemoDataError(f"{label} {row_key}: {problems}") from error

    for row in rows:
        row_key = key(row)
        obj = by_key.get(row_key)
        if obj is None:
            obj = model(**row)
            check(obj, row_key)
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
            check(obj, row_key)
            changed_fields.update(changed)
            to_update.append(obj)
    if to_create:
        model._default_manager.bulk_create(to_create)
        report.created[label] += len(to_create)
    if to_update:
        if has_updated_at:
            # bulk_update skips auto_now, so stamp the change explicitly.
            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now  # type: ignore[attr-defined]  # has_updated_at says it exists
            changed_fields.add("updated_at")
        model._default_manager.bulk_update(to_update, sorted(changed_fields))
        report.updated[label] += len(to_update)
    return by_key


def upsert_by_fields(
    model: type[M],
    rows: Sequence[Mapping[str, Any]],
    *,
    key_fields: Sequence[str],
    report: SeedReport,
    label: str,
    create_only: Iterable[str] = (),
) -> dict[tuple[Any, ...], M]:
    """Upsert rows whose natural key is a tuple of plain column values."""
    candidates = models.Q()
    for name in key_fields:
        values = {row[name] for row in rows}
        # SQL's IN never matches NULL, so a nullable key part needs its own test.
        matches = models.Q(**{f"{name}__in": values - {None}})
        if None in values:
            matches |= models.Q(**{f"{name}__isnull": True})
        candidates &= matches
    return upsert_rows(
        model,
        rows,
        key=lambda row: tuple(row[name] for name in key_fields),
        existing=model._default_manager.filter(candidates) if rows else [],
        existing_key=lambda obj: tuple(getattr(obj, name) for name in key_fields),
        report=report,
        label=label,
        create_only=create_only,
    )
