"""/search/feed.atom?<search parameters>: the recent changes of the records a search finds.

The search is the register's own (``CredentialSearch``: same parameters, same validation,
same filters). Without a ``status`` parameter the feed follows the matching records in every
public status, so a reader also hears when one is suspended, expires or is withdrawn.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.throttling import html_rate_limit
from credentials.choices import CredentialStatus
from credentials.models import Credential
from credentials.search.service import CredentialSearch, SearchError

from .choices import EventKind
from .models import ChangeEvent

ATOM_ENTRIES = 50
# Up to this many matching records are looked up by id, each through its own events' index;
# a broader search walks the newest events instead and finds 50 matches quickly.
ID_LOOKUP_LIMIT = 1000


def _label(name: str) -> str:
    try:
        field = Credential._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _value(name: str, value: Any) -> str:
    if name == "status" and value in CredentialStatus.values:
        return str(CredentialStatus(value).label)
    if value in (None, "", []):
        return "—"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def describe(event: ChangeEvent) -> str:
    """What changed, in the active language: each field's before and after."""
    if event.kind == EventKind.CREATED:
        return _("Added to the register as %(status)s.") % {
            "status": _value("status", event.after.get("status"))
        }
    before = event.before or {}
    return "; ".join(
        f"{_label(name)}: {_value(name, before.get(name))} → {_value(name, value)}"
        for name, value in sorted(event.after.items())
    )


def _search_matches(params) -> Any:
    search = CredentialSearch(params, language=get_language())
    if params.get("status"):
        return search.matches()
    return search.matches(exclude=("status",))


@require_GET
@html_rate_limit("browse")
def search_feed(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    for name in ("page", "page_size", "ordering", "format", "compare", "go"):
        params.pop(name, None)
    try:
        matches = _search_matches(params)
    except SearchError as error:
        lines = [f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    ids = list(matches.values_list("pk", flat=True)[: ID_LOOKUP_LIMIT + 1])
    candidates = ids if len(ids) <= ID_LOOKUP_LIMIT else matches.values("pk")
    events = list(
        ChangeEvent.objects.filter(credential__in=candidates)
        .select_related("credential__provider")
        .only(
            "id",
            "kind",
            "recorded_at",
            "before",
            "after",
            "registration_number",
            "credential__title_en",
            "credential__title_zh",
            "credential__provider__name_en",
            "credential__provider__name_zh",
        )
        .order_by("-id")[:ATOM_ENTRIES]
    )
    query = params.urlencode()
    search_url = request.build_absolute_uri(reverse("credentials:search"))
    feed = Atom1Feed(
        title=_("Credential Registry: changes to “%(query)s”")
        % {"query": params.get("q") or _("the register")},
        link=f"{search_url}?{query}" if query else search_url,
        description=_("Recent changes of the records this search finds."),
        language=get_language() or settings.LANGUAGE_CODE,
        feed_url=request.build_absolute_uri(),
        author_name=_("Credential Registry"),
        feed_guid=request.build_absolute_uri(),
    )
    host = request.get_host().split(":")[0]
    for event in events:
        credential = event.credential
        titles = " · ".join(t for t in (credential.title_en, credential.title_zh) if t)
        provider = credential.provider
        feed.add_item(
            title=f"{titles} ({event.registration_number}): {EventKind(event.kind).label}",
            link=request.build_absolute_uri(
                reverse("credentials:detail", kwargs={"pk": credential.pk})
            ),
            description=describe(event),
            unique_id=f"tag:{host},2026:changes/{event.pk}",
            updateddate=event.recorded_at,
            pubdate=event.recorded_at,
            author_name=(provider.name_en if get_language() == "en" else None)
            or provider.name_zh
            or provider.name_en,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response
