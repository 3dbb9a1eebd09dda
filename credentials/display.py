"""Register values as a reader reads them: labels and values in the reader's language.

The history stores field names and raw values (ids, codes, lists); a learner should read
"Level: HKQF level 4 → HKQF level 5", not ``level: 12 → 13``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db.models import Field, ForeignKey
from django.utils.translation import (
    get_language,
    gettext,
    gettext_lazy,
    ngettext,
    pgettext_lazy,
)

from providers.models import Provider
from qualifications.models import AreaOfStudy, Level

from .choices import CredentialStatus
from .models import Credential, CredentialVersion

# Codes the register holds in `languages`: ISO 639 / BCP 47, as providers write them.
LANGUAGE_NAMES = {
    "en": gettext_lazy("English"),
    "zh": gettext_lazy("Chinese"),
    "zh-hant": gettext_lazy("Chinese (Traditional script)"),
    "zh-hans": gettext_lazy("Chinese (Simplified script)"),
    "yue": gettext_lazy("Cantonese"),
    "cmn": gettext_lazy("Putonghua (Mandarin)"),
    "cy": gettext_lazy("Welsh"),
    "ga": gettext_lazy("Irish"),
    "gd": gettext_lazy("Scottish Gaelic"),
    "fr": gettext_lazy("French"),
    "de": gettext_lazy("German"),
    "es": gettext_lazy("Spanish"),
    "ja": gettext_lazy("Japanese"),
    "ko": gettext_lazy("Korean"),
}
NOTHING = "—"


def _reads_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def bilingual(english: str, chinese: str) -> str:
    """The reader's language first, the other when it is all there is."""
    return (chinese or english) if _reads_chinese() else (english or chinese)


def language_name(code: str) -> str:
    """A language code as the reader's word for it; an unknown code stays as written."""
    name = LANGUAGE_NAMES.get(code.lower())
    return str(name) if name else code


def language_names(codes: Iterable[str]) -> str:
    return ", ".join(language_name(code) for code in codes) or NOTHING


def money(amount: Decimal | str | None, currency: str) -> str:
    """e.g. "HKD 60,000" or "GBP 1,250.50": separators, currency code, no needless zeros."""
    if amount in (None, ""):
        return NOTHING
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    places = 0 if value == value.to_integral_value() else 2
    # Hong Kong and the UK both group thousands with commas, in English and in Chinese.
    return f"{currency} {value:,.{places}f}".strip()


def credit_amount(credits: Decimal | int | None, framework_code: str) -> str:
    """Credits in the framework's own unit, translated and counted: "6 QF credits" (HKQF),
    "1 credit" (RQF and others), "6 資歷學分"."""
    if credits is None:
        return NOTHING
    value = Decimal(str(credits))
    number = f"{value.normalize():,f}"
    # English counts 1 as singular and anything else ("1.5 credits") as plural.
    count = 1 if value == 1 else 2
    if framework_code == "HKQF":
        text = ngettext("%(count)s QF credit", "%(count)s QF credits", count)
    else:
        text = ngettext("%(count)s credit", "%(count)s credits", count)
    return text % {"count": number}


def level_text(level: Level | None) -> str:
    if level is None:
        return NOTHING
    return gettext("%(framework)s level %(level)s") % {
        "framework": level.framework.code,
        "level": level.code,
    }


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    """One saved version as the public record shows it."""

    number: int
    saved_at: Any
    source: str
    lines: tuple[ChangeLine, ...]
    # The version that put the entry on the register whole (an import's first row, say):
    # its every field "— → value" says nothing the record itself does not.
    created: bool = False


# Fields whose history is the registry's own bookkeeping, not what the record says.
# What a field held before it was ever written.
_EMPTY: tuple[Any, ...] = (None, "", [], {})
_NOT_SHOWN = {"status_changed_at", "status_reason", "created_by", "updated_by"}
_RELATED: dict[str, type[Provider | Level | AreaOfStudy]] = {
    "provider": Provider,
    "awarding_body": Provider,
    "level": Level,
    "area_of_study": AreaOfStudy,
}
_YES_NO = {True: pgettext_lazy("yes or no", "Yes"), False: pgettext_lazy("yes or no", "No")}


def _related_labels(versions: list[CredentialVersion]) -> dict[tuple[str | None, Any], str]:
    """Labels for every id the versions mention, one query per related model."""
    wanted: dict[type[Provider | Level | AreaOfStudy], set[Any]] = {}
    for version in versions:
        for name, values in version.changes.items():
            model = _RELATED.get(name)
            if model is not None:
                wanted.setdefault(model, set()).update(v for v in values if v is not None)
    labels: dict[tuple[str | None, Any], str] = {}
    for model, ids in wanted.items():
        if model is Level:
            for level in Level.objects.select_related("framework").filter(pk__in=ids):
                labels[("level", level.pk)] = level_text(level)
        else:
            for row in model.objects.filter(pk__in=ids).only("pk", "name_en", "name_zh"):
                labels[(model._meta.model_name, row.pk)] = bilingual(row.name_en, row.name_zh)
    return labels


def _value_text(name: str, value: Any, labels: dict[tuple[str | None, Any], str]) -> str:
    if value is None or value == "" or value == []:
        return NOTHING
    field = cast(Field, Credential._meta.get_field(name))
    if isinstance(field, ForeignKey):
        model = _RELATED[name]
        key = "level" if model is Level else model._meta.model_name
        return labels.get((key, value), NOTHING)
    if isinstance(value, bool):
        return str(_YES_NO[value])
    if name == "languages":
        return language_names(value)
    if name == "fee":
        return money(value, "")
    if isinstance(value, list):
        choices = dict(getattr(field, "base_field", field).flatchoices or ())
        return "; ".join(str(choices.get(item, item)) for item in value)
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _label(name: str) -> str:
    label = str(cast(Field, Credential._meta.get_field(name)).verbose_name)
    return label[:1].upper() + label[1:]


def credential_public_history(credential: Credential) -> list[HistoryEntry]:
    """The record's versions since it was first on the public register, newest first.

    Edits made while the entry was still a draft are the provider's working notes, not
    changes to the register, so the public history starts at its first registration.
    """
    first_public = (
        credential.status_changes.filter(to_status=CredentialStatus.REGISTERED)
        .order_by("changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )
    if first_public is None:
        return []
    versions = list(credential.versions.filter(created_at__gte=first_public).order_by("-number"))
    entries = []
    for version, lines in version_change_lines(versions):
        if not lines:
            continue
        created = all(before in _EMPTY for before, _after in version.changes.values())
        entries.append(
            HistoryEntry(
                number=version.number,
                saved_at=version.created_at,
                source=version.get_source_display(),
                lines=() if created else lines,
                created=created,
            )
        )
    return entries


def version_change_lines(
    versions: list[CredentialVersion],
) -> list[tuple[CredentialVersion, tuple[ChangeLine, ...]]]:
    """Each version with its changes as readable lines: labels for field names, names for
    related ids, the reader's words for codes and lists (one query per related model)."""
    labels = _related_labels(versions)
    return [
        (
            version,
            tuple(
                ChangeLine(
                    label=_label(name),
                    before=_value_text(name, before, labels),
                    after=_value_text(name, after, labels),
                )
                for name, (before, after) in version.changes.items()
                if name not in _NOT_SHOWN
            ),
        )
        for version in versions
    ]
