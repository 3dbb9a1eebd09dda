"""Public HTML pages of the register; every list goes through the one search service."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from config.throttling import html_rate_limit
from providers.models import Provider

from .choices import CURRENT_STATUSES, QualityMark
from .completeness import credential_completeness
from .display import credential_public_history
from .interop.daily_export import FORMATS as DAILY_EXPORT_FORMATS
from .interop.daily_export import daily_export_latest
from .models import Credential
from .search.filters import STATUS_CHOICES, Ordering
from .search.records import (
    credential_is_current,
    credential_record_queryset,
    credential_verify,
    credit_conversion,
    level_equivalents,
)
from .search.service import FACET_PARAMETER, CredentialSearch, SearchError, SearchPage
from .succession import credential_succession, status_explanation
from .templatetags.registry import count_text

HOME_STATS_SECONDS = 300
COMPARE_LIMIT = 4
# Facets shown on the results page, in order, with their headings.
FACET_HEADINGS = (
    ("kind", gettext_lazy("Kind")),
    ("framework", gettext_lazy("Framework")),
    ("level", gettext_lazy("Level")),
    ("size", gettext_lazy("Size (1 credit = 10 learning hours)")),
    ("area", gettext_lazy("Area of study")),
    ("provider", gettext_lazy("Provider")),
    ("mode", gettext_lazy("Mode of delivery")),
    ("status", gettext_lazy("Status")),
)


def _compare_ids(values: list[str]) -> list[int]:
    """Record ids from ``ids``/``compare`` values (repeated or comma-separated), in order."""
    ids: list[int] = []
    for raw in values:
        for part in raw.split(","):
            if part.strip().isdigit() and int(part) not in ids:
                ids.append(int(part))
    return ids


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _without(query: QueryDict, name: str, value: str | None = None) -> str:
    """Return the query string without one value of `name` (or all of it) and without page
    or cursor (other filters make other pages)."""
    copy = query.copy()
    copy.pop("page", None)
    copy.pop("cursor", None)
    if value is None:
        copy.pop(name, None)
    else:
        kept = []
        for item in copy.getlist(name):
            parts = [part for part in item.split(",") if part.strip() and part.strip() != value]
            kept.extend(parts)
        if kept:
            copy.setlist(name, kept)
        else:
            copy.pop(name, None)
    return copy.urlencode()


def _with_page(query: QueryDict, number: int) -> str:
    copy = query.copy()
    copy.pop("cursor", None)
    copy["page"] = str(number)
    return copy.urlencode()


def _chips(query: QueryDict, search: CredentialSearch, page: SearchPage) -> list[dict]:
    """Active filters, each with the query string that removes it."""
    labels = {
        (FACET_PARAMETER[dimension], option.value.upper()): option.label
        for dimension, options in page.facets.items()
        for option in options
    }
    chips: list[dict] = []
    text = search.data.get("q")
    if text:
        chips.append({"label": f"“{text}”", "query": _without(query, "q")})
    for name in (
        "kind",
        "framework",
        "level",
        "level_id",
        "area",
        "area_id",
        "provider",
        "provider_id",
        "mode",
        "language",
        "quality_mark",
        "status",
        "size",
    ):
        for value in search.selected(name):
            label = labels.get((name, value.upper()))
            if label is None and name == "status":
                label = str(dict(STATUS_CHOICES).get(value, value))
            if label is None and name == "quality_mark":
                label = str(dict(QualityMark.choices).get(value, value))
            chips.append({"label": label or value, "query": _without(query, name, value)})
    simple = {
        "eqf": _("EQF %(value)s or equivalent"),
        "credits_min": _("Credits from %(value)s"),
        "credits_max": _("Credits up to %(value)s"),
        "hours_min": _("Hours from %(value)s"),
        "hours_max": _("Hours up to %(value)s"),
        "valid_on": _("Valid on %(value)s"),
    }
    for name, template in simple.items():
        value = search.data.get(name)
        if value not in (None, ""):
            chips.append({"label": template % {"value": value}, "query": _without(query, name)})
    return chips


def _with_cursor(query: QueryDict, cursor: str) -> str:
    copy = query.copy()
    copy.pop("page", None)
    copy["cursor"] = cursor
    return copy.urlencode()


def _neighbour_queries(query: QueryDict, page: SearchPage) -> tuple[str, str]:
    """The next and previous pages' query strings: by cursor where the page has one."""
    following = (
        _with_cursor(query, page.next_cursor)
        if page.next_cursor
        else _with_page(query, page.number + 1)
    )
    preceding = (
        _with_cursor(query, page.previous_cursor)
        if page.previous_cursor
        else _with_page(query, page.number - 1)
    )
    return following, preceding


def _page_links(query: QueryDict, page: SearchPage) -> list[dict]:
    """A short run of page links around the current page."""
    numbers = sorted(
        {
            1,
            page.num_pages,
            *range(max(1, page.number - 2), min(page.num_pages, page.number + 2) + 1),
        }
    )
    links: list[dict[str, Any]] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            links.append({"gap": True})
        links.append(
            {
                "number": number,
                "query": _with_page(query, number),
                "current": number == page.number,
            }
        )
        previous = number
    return links


def _with_text(query: QueryDict, text: str) -> str:
    """The search with `q` replaced (the suggestion's link), from the first page."""
    copy = query.copy()
    copy.pop("page", None)
    copy["q"] = text
    return copy.urlencode()


def _without_selection(query: QueryDict) -> str:
    """The search itself, without the page, the compare selection or the compare button."""
    copy = query.copy()
    for name in ("page", "cursor", "compare", "go"):
        copy.pop(name, None)
    return copy.urlencode()


def _search_title(text: str, page: SearchPage | None) -> str:
    """The title a tab or a history entry shows: "Nursing — 23 results — Credential Registry"."""
    parts = [text or _("Search the register")]
    if page is not None:
        parts.append(count_text(page.count, page.count_capped))
    parts.append(_("Credential Registry"))
    return " — ".join(parts)


def _search_context(request: HttpRequest, params: QueryDict | None = None) -> dict:
    params = request.GET if params is None else params
    if "go" in params:  # the compare button's own value: never carried into links
        params = params.copy()
        params.pop("go")
    # The compare selection rides in the search form, so it survives filtering and paging.
    selection = _compare_ids(params.getlist("compare"))[:COMPARE_LIMIT]
    compare = {"ids": selection, "full": len(selection) >= COMPARE_LIMIT, "limit": COMPARE_LIMIT}
    try:
        # A bad filter is found when the search is built, a bad cursor when its page is read.
        search = CredentialSearch(params, language=get_language())
        page = search.page()
    except SearchError as error:
        return {
            "errors": error.message_dict,
            "query": params,
            "compare": compare,
            "page_title": _search_title("", None),
        }
    next_query, previous_query = _neighbour_queries(params, page)
    facets = [
        {
            "name": dimension,
            "heading": heading,
            "parameter": FACET_PARAMETER[dimension],
            "options": page.facets.get(dimension, []),
        }
        for dimension, heading in FACET_HEADINGS
    ]
    return {
        "search": search,
        "page": page,
        "facets": facets,
        "chips": _chips(params, search, page),
        "page_links": _page_links(params, page),
        "previous_query": previous_query,
        "next_query": next_query,
        "quality_marks": QualityMark.choices,
        "ordering_choices": Ordering.choices,
        "ordering": search.ordering,
        "query": params,
        "q": search.data.get("q") or "",
        "export_query": _without_selection(params),
        "suggestion_query": _with_text(params, page.suggestion) if page.suggestion else "",
        "status_choices": STATUS_CHOICES,
        "compare": compare,
        "page_ids": {row.pk for row in page.rows},
        "page_title": _search_title(search.data.get("q") or "", page),
    }


@html_rate_limit("browse")
def search(request: HttpRequest) -> HttpResponse:
    """Results with facets, chips, sort and pagination; a fragment for htmx requests."""
    context = _search_context(request)
    selection = context["compare"]["ids"]
    if request.GET.get("go") == "compare" and selection:
        target = f"{reverse('credentials:compare')}?ids={','.join(map(str, selection))}"
        if _is_htmx(request):
            response = HttpResponse()
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    context["go_without_selection"] = request.GET.get("go") == "compare"
    context["htmx"] = _is_htmx(request)
    status = 400 if "errors" in context else 200
    if _is_htmx(request):
        response = render(request, "credentials/partials/results.html", context, status=status)
    else:
        response = render(request, "credentials/search.html", context, status=status)
    # The same URL answers with a fragment or a page, so caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _register_at_a_glance() -> dict:
    """Counts of current entries by level and area, cached: they change slowly."""
    key = "registry:home-stats:v1"
    stats = cache.get(key)
    if stats is not None:
        return stats
    today = timezone.localdate()
    current = Credential.objects.filter(
        Q(status__in=CURRENT_STATUSES, valid_from__lte=today)
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    )
    by_level = list(
        current.filter(level__isnull=False)
        .values("level__framework__code", "level__code", "level__ordinal")
        .annotate(n=Count("id"))
        .order_by("level__framework__code", "level__ordinal")
    )
    by_area = list(
        current.filter(area_of_study__isnull=False)
        .values("area_of_study_id", "area_of_study__name_en", "area_of_study__name_zh")
        .annotate(n=Count("id"))
        .order_by("-n", "area_of_study__name_en")[:10]
    )
    stats = {
        "total": sum(row["n"] for row in by_level),
        "by_level": by_level,
        "by_area": by_area,
    }
    cache.set(key, stats, HOME_STATS_SECONDS)
    return stats


def home(request: HttpRequest) -> HttpResponse:
    """Search box, the register at a glance and recent additions."""
    stats = _register_at_a_glance()
    top = max((row["n"] for row in stats["by_level"]), default=0) or 1
    levels = [
        {
            "framework": row["level__framework__code"],
            "code": row["level__code"],
            "count": row["n"],
            "percent": round(100 * row["n"] / top),
            "query": f"level={row['level__framework__code']}-{row['level__code']}",
        }
        for row in stats["by_level"]
    ]
    chinese = (get_language() or "").startswith("zh")
    areas = [
        {
            "name": (row["area_of_study__name_zh"] if chinese else "")
            or row["area_of_study__name_en"],
            "count": row["n"],
            "query": f"area_id={row['area_of_study_id']}",
        }
        for row in stats["by_area"]
    ]
    today = timezone.localdate()
    recent = list(
        Credential.objects.filter(
            Q(status__in=CURRENT_STATUSES, valid_from__lte=today)
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        )
        .select_related("provider", "level__framework")
        .defer("search_document")
        .order_by("-created_at", "-pk")[:6]
    )
    return render(
        request,
        "credentials/home.html",
        {"total": stats["total"], "levels": levels, "areas": areas, "recent": recent},
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything a learner needs to decide about one entry."""
    credential = get_object_or_404(credential_record_queryset(), pk=pk)
    return render(
        request,
        "credentials/detail.html",
        {
            "credential": credential,
            "current": credential_is_current(credential),
            "equivalents": level_equivalents(credential.level),
            "conversion": credit_conversion(credential),
            "completeness": credential_completeness(credential=credential),
            "history": credential_public_history(credential),
            "status_explanation": status_explanation(credential),
            "succession": credential_succession(credential),
        },
    )


def _compare_rows(credentials: list[Credential]) -> list[dict]:
    chinese = (get_language() or "").startswith("zh")

    def level(item: Credential) -> str:
        return f"{item.level.framework.code} {item.level.code}" if item.level else "—"

    def provider(item: Credential) -> str:
        return (item.provider.name_zh if chinese else "") or item.provider.name_en

    fields = [
        (_("Registration number"), lambda item: item.registration_number),
        (_("Provider"), provider),
        (_("Kind"), lambda item: item.get_kind_display()),
        (_("Level"), level),
        (_("Credits"), lambda item: "—" if item.credits is None else f"{item.credits:g}"),
        (_("Notional learning hours"), lambda item: item.notional_hours or "—"),
        (_("Area of study"), lambda item: str(item.area_of_study or "—")),
        (_("Mode of delivery"), lambda item: item.get_mode_of_delivery_display() or "—"),
        (_("Type of assessment"), lambda item: item.assessment_type or "—"),
        (_("Fee"), lambda item: f"{item.fee_currency} {item.fee}" if item.fee else "—"),
        (_("Status"), lambda item: item.get_status_display()),
        (_("Valid to"), lambda item: item.valid_to or "—"),
        (_("Stackable"), lambda item: _("Yes") if item.stackable else _("No")),
    ]
    rows = []
    for label, getter in fields:
        values = [str(getter(item)) for item in credentials]
        rows.append({"label": label, "values": values, "differs": len(set(values)) > 1})
    return rows


def compare(request: HttpRequest) -> HttpResponse:
    """Up to four entries side by side, differences highlighted."""
    ids = _compare_ids(request.GET.getlist("ids"))
    error = ""
    if len(ids) > COMPARE_LIMIT:
        error = _("Compare at most %(limit)d records at a time.") % {"limit": COMPARE_LIMIT}
        ids = ids[:COMPARE_LIMIT]
    found = {
        credential.pk: credential
        for credential in credential_record_queryset().prefetch_related(None).filter(pk__in=ids)
    }
    credentials = [found[pk] for pk in ids if pk in found]
    return render(
        request,
        "credentials/compare.html",
        {
            "credentials": credentials,
            "rows": _compare_rows(credentials) if credentials else [],
            "error": error,
        },
    )


def verify(request: HttpRequest) -> HttpResponse:
    """Check a registration number, with or without separators."""
    number = (request.GET.get("number") or "").replace("\x00", "").strip()[:60]
    credential = credential_verify(registration_number=number) if number else None
    return render(
        request,
        "credentials/verify.html",
        {
            "number": number,
            "credential": credential,
            "current": credential_is_current(credential) if credential else False,
            "status_explanation": status_explanation(credential) if credential else "",
            "succession": credential_succession(credential) if credential else None,
        },
        status=404 if number and credential is None else 200,
    )


def download(request: HttpRequest) -> HttpResponse:
    """The daily export of the whole register: its files, their date and size."""
    latest = daily_export_latest()
    files = [latest[extension] for extension in DAILY_EXPORT_FORMATS if extension in latest]
    return render(request, "credentials/download.html", {"files": files})


def provider(request: HttpRequest, slug: str) -> HttpResponse:
    """A provider and its current entries."""
    institution = get_object_or_404(Provider, slug=slug)
    params = request.GET.copy()
    params.setlist("provider", [institution.slug])
    context = _search_context(request, params)
    context["provider"] = institution
    return render(request, "credentials/provider.html", context)
