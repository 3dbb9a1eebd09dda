"""Match the providers and awarding organisations a file names to the register's, or plan them.

Files name an organisation in many ways ("SFJ Awards" / "SFJ Awards Ltd", "LASER Learning
Awards" / "Laser Learning Awards"). Ofqual's register of awarding organisations, where it
is available, turns a name into a recognition number, and the number is what matches.
"""

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from providers.choices import ProviderStatus, ProviderType
from providers.models import Provider

AWARDING_ORGANISATIONS_FILE = "uk/ofqual-awarding-organisations.csv"
ORG_STOP_WORDS = {"the", "ltd", "limited", "plc"}
# The formats Provider's check constraints require.
RECOGNITION_NUMBER = re.compile(r"^RN[0-9]{3,6}$")
UKPRN = re.compile(r"^1[0-9]{7}$")


def org_key(name: str) -> str:
    """Fold an organisation's name so that spelling variants of one name compare equal."""
    folded = name.casefold().replace("&", " and ").replace("organization", "organisation")
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    return " ".join(word for word in words if word not in ORG_STOP_WORDS)


def _register_index(register: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    by_key: dict[str, dict[str, str]] = {}
    for row in register:
        for column in ("Name", "Legal Name"):
            by_key.setdefault(org_key(row[column]), row)
    return by_key


def _match(name: str, by_key: dict[str, dict[str, str]]) -> dict[str, str] | None:
    key = org_key(name)
    match = by_key.get(key)
    if match is None:
        # "SFJ Awards" is "SFJ Awards Ltd"; "VTCT Skills" trades under "VTCT".
        candidates = {
            row["Recognition Number"]: row
            for other, row in by_key.items()
            if other.startswith(f"{key} ") or key.startswith(f"{other} ")
        }
        match = next(iter(candidates.values())) if len(candidates) == 1 else None
    return match


def match_organisations(
    names: Iterable[str], register: list[dict[str, str]]
) -> dict[str, dict[str, str] | None]:
    """Match names to rows of Ofqual's register of awarding organisations (None if no match)."""
    by_key = _register_index(register)
    return {name: _match(name, by_key) for name in names}


def read_awarding_organisations(path: Path | None = None) -> list[dict[str, str]]:
    """Rows of Ofqual's register of awarding organisations; empty where the file is absent."""
    path = path or Path(settings.REFERENCE_DATA_DIR) / AWARDING_ORGANISATIONS_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _http_url(text: str) -> str:
    text = text.strip()
    return text if text.startswith(("http://", "https://")) else ""


@dataclass(frozen=True)
class ProviderRef:
    """A provider as a file names it, with what creating it would take if it is not known.

    ``creatable`` is False where the file gives only an identifier (a slug), so an unknown
    one is an error rather than a new provider with a guessed name.
    """

    name_en: str = ""
    name_zh: str = ""
    slug: str = ""
    short_name: str = ""
    ofqual_recognition_number: str = ""
    ukprn: str = ""
    jurisdiction: str = ""
    provider_type: str = ""
    website: str = ""
    status: str = ProviderStatus.ACTIVE
    creatable: bool = True

    def label(self) -> str:
        return self.name_en or self.name_zh or self.slug or self.ofqual_recognition_number


class AwardingOrganisations:
    """Turns the awarding-organisation names in Ofqual and DfE files into provider references."""

    def __init__(self, register: list[dict[str, str]] | None = None):
        register = read_awarding_organisations() if register is None else register
        self._index = _register_index(register)
        self._refs: dict[tuple[str, str], ProviderRef] = {}

    def ref(self, name: str, acronym: str = "") -> ProviderRef:
        cache_key = (name, acronym)
        if cache_key in self._refs:
            return self._refs[cache_key]
        match = _match(name, self._index) if self._index else None
        if match is None:
            ref = ProviderRef(
                name_en=name,
                short_name=acronym,
                jurisdiction="UK",
                provider_type=ProviderType.AWARDING_ORGANISATION,
            )
        else:
            recognised = match.get("Ofqual Status", "Recognised").strip() == "Recognised"
            ref = ProviderRef(
                name_en=match["Name"].strip(),
                short_name=match.get("Acronym", "").strip() or acronym,
                ofqual_recognition_number=match["Recognition Number"].strip(),
                jurisdiction="UK",
                provider_type=ProviderType.AWARDING_ORGANISATION,
                website=_http_url(match.get("Website", "")),
                status=ProviderStatus.ACTIVE if recognised else ProviderStatus.CLOSED,
            )
        self._refs[cache_key] = ref
        return ref


class ProviderDirectory:
    """Every provider on the register, looked up by slug, recognition number, UKPRN or name."""

    def __init__(self) -> None:
        self.by_slug: dict[str, Provider] = {}
        self.by_recognition: dict[str, Provider] = {}
        self.by_ukprn: dict[str, Provider] = {}
        self.by_name: dict[str, Provider] = {}
        self.by_name_zh: dict[str, Provider] = {}
        # Oldest first: when two providers share a name (Ofqual lists some names twice), every
        # import matches the same one, not whichever the table happens to return first.
        for provider in Provider.objects.order_by("id"):
            self._index(provider)
        self._created: dict[ProviderRef, Provider] = {}
        self._found: dict[ProviderRef, Provider | None] = {}

    def _index(self, provider: Provider) -> None:
        self.by_slug[provider.slug] = provider
        if provider.ofqual_recognition_number:
            self.by_recognition[provider.ofqual_recognition_number.upper()] = provider
        if provider.ukprn:
            self.by_ukprn[provider.ukprn] = provider
        self.by_name.setdefault(org_key(provider.name_en), provider)
        if provider.name_zh:
            self.by_name_zh.setdefault(provider.name_zh.strip(), provider)

    def find(self, ref: ProviderRef) -> Provider | None:
        """The existing provider the reference means, most specific identifier first."""
        if ref in self._created:
            return self._created[ref]
        if ref not in self._found:
            self._found[ref] = self._lookup(ref)
        return self._found[ref]

    def _lookup(self, ref: ProviderRef) -> Provider | None:
        if ref.slug:
            return self.by_slug.get(ref.slug)
        candidates = (
            self.by_recognition.get(ref.ofqual_recognition_number.upper())
            if ref.ofqual_recognition_number
            else None,
            self.by_ukprn.get(ref.ukprn) if ref.ukprn else None,
            self.by_name.get(org_key(ref.name_en)) if org_key(ref.name_en) else None,
            self.by_name_zh.get(ref.name_zh) if ref.name_zh else None,
        )
        return next((provider for provider in candidates if provider is not None), None)

    def _free_slug(self, ref: ProviderRef) -> str:
        # A name with no Latin letters (a Chinese-only operator) still gets a stable slug.
        digest = hashlib.sha1(ref.label().encode(), usedforsecurity=False).hexdigest()[:8]
        base = ref.slug or slugify(ref.name_en)[:72] or f"provider-{digest}"
        slug, suffix = base, 2
        while slug in self.by_slug:
            slug = f"{base[:72]}-{suffix}"
            suffix += 1
        return slug

    def build(self, ref: ProviderRef) -> Provider:
        """An unsaved provider for the reference; raises ValidationError if it is not valid."""
        provider = Provider(
            slug=self._free_slug(ref),
            name_en=ref.name_en,
            name_zh=ref.name_zh,
            short_name=ref.short_name,
            jurisdiction=ref.jurisdiction,
            provider_type=ref.provider_type,
            ofqual_recognition_number=ref.ofqual_recognition_number or None,
            ukprn=ref.ukprn or None,
            website=ref.website,
            status=ref.status,
        )
        # Field checks only: the model's constraints are checked below without a query per
        # constraint (slug, number and UKPRN clashes cannot happen: find() matched those).
        provider.full_clean(validate_unique=False, validate_constraints=False)
        errors = {}
        if provider.ofqual_recognition_number and not RECOGNITION_NUMBER.match(
            provider.ofqual_recognition_number
        ):
            errors["ofqual_recognition_number"] = _("Not a recognition number like RN5355.")
        if provider.ukprn and not UKPRN.match(provider.ukprn):
            errors["ukprn"] = _("Not a UKPRN (8 digits, starting with 1).")
        if errors:
            raise ValidationError(errors)
        return provider

    def create(self, ref: ProviderRef) -> Provider:
        """Save a new provider for the reference, once however many rows name it."""
        if ref in self._created:
            return self._created[ref]
        provider = self.build(ref)
        provider.save()
        self._created[ref] = provider
        self._index(provider)
        return provider

    @staticmethod
    def messages(error: ValidationError) -> str:
        if hasattr(error, "message_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
