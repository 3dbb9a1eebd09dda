"""Load published framework facts and subject-area classifications as reference data.

Every write is an upsert keyed on a natural key, so loading twice changes nothing.
"""

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .choices import AreaScheme
from .models import AreaOfStudy, CreditConvention, Framework, Level, LevelReference

FRAMEWORKS_FILE = "frameworks.json"
UK_SSA_FILE = "uk/ofqual-scope-of-recognition-pearson.json"
HK_PROGRAMMES_FILE = "hk/hk-university-programmes-2025-bilingual.csv"

SSA_PATTERN = re.compile(r"^(?P<code>\d{2}\.\d)\s+(?P<name>.+)$")


@dataclass
class LoadReport:
    """How many rows of each kind were created or changed by one load."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(model, report: LoadReport, lookup: dict, values: dict):
    """Create or update one row; count it only when something actually changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.count(model._meta.verbose_name_plural, created=True, changed=True)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=[*changed, "updated_at"])
        report.count(model._meta.verbose_name_plural, created=False, changed=True)
    return obj


def _parse_level_key(key: str) -> tuple[str, str]:
    framework_code, _, level_code = key.partition(":")
    return framework_code, level_code


def _load_frameworks(facts: dict, report: LoadReport) -> None:
    levels: dict[tuple[str, str], Level] = {}
    for item in facts["frameworks"]:
        framework = _upsert(
            Framework,
            report,
            {"code": item["code"]},
            {
                "name_en": item["name"],
                "name_zh": item.get("name_zh", ""),
                "jurisdiction": item["jurisdiction"],
                "hours_per_credit": item.get("hours_per_credit"),
                "credit_name": item.get("credit_name", ""),
                "source_url": item.get("source", ""),
            },
        )
        for level in item["levels"]:
            levels[(framework.code, level["code"])] = _upsert(
                Level,
                report,
                {"framework": framework, "code": level["code"]},
                {
                    "ordinal": level["ordinal"],
                    "name_en": level["name"],
                    "name_zh": level.get("name_zh", ""),
                    "typical_awards": level.get("typical_awards", []),
                },
            )
    for reference in facts["level_references"]:
        _upsert(
            LevelReference,
            report,
            {
                "from_level": levels[_parse_level_key(reference["from"])],
                "to_level": levels[_parse_level_key(reference["to"])],
            },
            {
                "basis": reference["basis"],
                "source": reference["source"],
                "note": reference.get("note", ""),
            },
        )


def _load_credit_conventions(facts: dict, report: LoadReport) -> None:
    for item in facts["credit_conventions"]:
        low, high = item.get("hours_per_credit_range") or (item["hours_per_credit"],) * 2
        _upsert(
            CreditConvention,
            report,
            {"system": item["system"]},
            {"hours_per_credit_min": low, "hours_per_credit_max": high, "note": item["note"]},
        )


def _uk_sector_subject_areas(scope: dict) -> dict[str, str]:
    areas: dict[str, str] = {}
    for levels in scope.values():
        for scope_at_level in levels.values():
            for entry in scope_at_level.get("ssa", []):
                match = SSA_PATTERN.match(entry)
                if match:
                    areas[match["code"]] = match["name"]
    return areas


def _hk_programme_areas(path: Path) -> dict[str, tuple[str, str]]:
    areas: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for code, name_en, name_zh in zip(
                row["study_area_codes"].split("|"),
                row["study_areas_en"].split("|"),
                row["study_areas_tc"].split("|"),
                strict=True,
            ):
                areas[code] = (name_en, name_zh)
    return areas


def _load_areas(data_dir: Path, report: LoadReport) -> None:
    scope = json.loads((data_dir / UK_SSA_FILE).read_text(encoding="utf-8"))
    for code, name in sorted(_uk_sector_subject_areas(scope).items()):
        _upsert(AreaOfStudy, report, {"scheme": AreaScheme.UK_SSA, "code": code}, {"name_en": name})
    hk_areas = _hk_programme_areas(data_dir / HK_PROGRAMMES_FILE)
    for code, (name_en, name_zh) in sorted(hk_areas.items()):
        _upsert(
            AreaOfStudy,
            report,
            {"scheme": AreaScheme.HK_PROGRAMME, "code": code},
            {"name_en": name_en, "name_zh": name_zh},
        )


def reference_data_load(*, data_dir: Path) -> LoadReport:
    """Load frameworks, levels, level references, credit conventions and areas of study."""
    facts = json.loads((data_dir / FRAMEWORKS_FILE).read_text(encoding="utf-8"))
    report = LoadReport()
    with transaction.atomic():
        _load_frameworks(facts, report)
        _load_credit_conventions(facts, report)
        _load_areas(data_dir, report)
    return report
