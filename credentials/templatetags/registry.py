"""Template helpers for bilingual register data: the reader's language first."""

from django import template
from django.urls import translate_url
from django.utils.translation import get_language, ngettext

from config.types import StrOrPromise
from credentials import display
from credentials.choices import CredentialStatus, QualityMark

register = template.Library()


def _reader_reads_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


@register.filter
def bi(obj, field: str) -> str:
    """Return `<field>_zh` for a Chinese reader when present, else `<field>_en`."""
    english = getattr(obj, f"{field}_en", "") or ""
    chinese = getattr(obj, f"{field}_zh", "") or ""
    if _reader_reads_chinese() and chinese:
        return chinese
    return english or chinese


@register.filter
def bi_other(obj, field: str) -> str:
    """Return the other language's text, or "" when it is missing or the same."""
    english = getattr(obj, f"{field}_en", "") or ""
    chinese = getattr(obj, f"{field}_zh", "") or ""
    primary = bi(obj, field)
    other = english if primary == chinese else chinese
    return "" if other == primary else other


@register.filter
def bi_lang(obj, field: str) -> str:
    """Return the language tag of the text ``bi`` shows, for a ``lang`` attribute.

    An English page shows a Chinese title when the record has no English one (and the other
    way round); screen readers and fonts need to know.
    """
    chinese = getattr(obj, f"{field}_zh", "") or ""
    english = getattr(obj, f"{field}_en", "") or ""
    return "zh-Hant" if chinese and bi(obj, field) == chinese != english else "en"


@register.filter
def bi_other_lang(obj, field: str) -> str:
    """Return the language tag of the text ``bi_other`` shows."""
    return "en" if bi_lang(obj, field) == "zh-Hant" else "zh-Hant"


@register.filter
def level_label(level) -> str:
    """Return e.g. "HKQF 4" for a level, "" for none."""
    if level is None:
        return ""
    return f"{level.framework.code} {level.code}"


@register.simple_tag
def count_text(count: int, capped: bool) -> str:
    """Return "12 results", or "10,000+ results" when the count was capped."""
    if capped:
        return ngettext("%(count)s+ result", "%(count)s+ results", count) % {"count": f"{count:,}"}
    return ngettext("%(count)s result", "%(count)s results", count) % {"count": f"{count:,}"}


@register.filter
def status_label(value: str) -> StrOrPromise:
    """The reader's-language label of a credential status code."""
    return CredentialStatus(value).label


@register.simple_tag(takes_context=True)
def page_in_language(context: template.Context, language: str) -> str:
    """This page's address (query kept) in ``language``, for the language switch.

    Translated while the page's own language is active: the switch view runs unprefixed, in
    the default language, where a ``/zh-hant/`` path no longer resolves and would be kept.
    """
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)


@register.filter
def quality_mark_label(value: str) -> StrOrPromise:
    """The reader's-language label of a quality mark code (an unknown code as it is)."""
    return dict(QualityMark.choices).get(value, value)


@register.simple_tag
def credit_amount(credits, framework_code: str) -> str:
    """Credits in the framework's unit, translated and counted: "6 QF credits"."""
    return display.credit_amount(credits, framework_code or "")


@register.filter
def language_names(codes) -> str:
    """Language codes as the reader's names for them: "yue, en" → "Cantonese, English"."""
    return display.language_names(codes or [])


@register.simple_tag
def money(amount, currency: str) -> str:
    """A fee with separators and its currency, e.g. "HKD 60,000"."""
    return display.money(amount, currency)
