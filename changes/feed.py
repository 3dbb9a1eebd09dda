"""Reading the change feed: cursors, filters and pages, shared by the API, Atom and webhooks.

A cursor names a feed position. Positions are handed out in commit order (migration 0001),
so every event a reader can see lies before every event that commits later: reading "after
the cursor" never skips one. Filters do not change that, and an empty page keeps the cursor.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from credentials.search.filters import MultiValueField
from providers.models import Provider
from qualifications.models import Framework

from .choices import EventKind
from .models import ChangeEvent

CURSOR_PREFIX = "changes:"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


class CursorError(ValueError):
    """A cursor this feed did not hand out."""


def cursor_encode(position: int) -> str:
    """An opaque cursor for a feed position."""
    raw = f"{CURSOR_PREFIX}{position}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def cursor_decode(cursor: str) -> int:
    """The feed position a cursor names; CursorError for anything else."""
    text = cursor.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise CursorError(str(error)) from error
    number = raw.removeprefix(CURSOR_PREFIX)
    if raw == number or not number.isdigit() or len(number) > 18:
        raise CursorError(raw)
    return int(number)


@dataclass(frozen=True)
class FeedFilter:
    """Which events a reader wants; empty lists mean every provider, framework or kind."""

    provider_ids: Sequence[int] = field(default_factory=tuple)
    framework_ids: Sequence[int] = field(default_factory=tuple)
    kinds: Sequence[str] = field(default_factory=tuple)

    def q(self) -> Q:
        condition = Q()
        if self.provider_ids:
            condition &= Q(provider_id__in=self.provider_ids)
        if self.framework_ids:
            condition &= Q(framework_id__in=self.framework_ids)
        if self.kinds:
            condition &= Q(kind__in=self.kinds)
        return condition


class ChangeFeedForm(forms.Form):
    """The feed's query parameters, each checked so a bad one is a 400 naming it."""

    after = forms.CharField(required=False, max_length=64)
    provider = MultiValueField(
        child=forms.SlugField(max_length=80), required=False, label=_("Provider (slug)")
    )
    provider_id = MultiValueField(
        child=forms.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        label=_("Provider id"),
    )
    framework = MultiValueField(
        child=forms.SlugField(max_length=16), required=False, label=_("Framework code")
    )
    kind = MultiValueField(
        child=forms.ChoiceField(choices=EventKind.choices), required=False, label=_("Kind")
    )
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def clean_after(self) -> int:
        text = self.cleaned_data["after"]
        if not text:
            return 0
        try:
            return cursor_decode(text)
        except CursorError:
            raise forms.ValidationError(
                _(
                    "Not a cursor of this feed: start without “after”, then pass the "
                    "“next_cursor” of the page before."
                ),
                code="invalid",
            ) from None

    def clean_provider(self) -> list[int]:
        slugs = self.cleaned_data["provider"]
        if not slugs:
            return []
        found = dict(Provider.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise forms.ValidationError(
                _("No provider with the slug %(slugs)s.") % {"slugs": ", ".join(unknown)}
            )
        return list(found.values())

    def clean_framework(self) -> list[int]:
        codes = [code.upper() for code in self.cleaned_data["framework"]]
        if not codes:
            return []
        found = dict(Framework.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No framework with the code %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return list(found.values())

    def feed_filter(self) -> FeedFilter:
        data = self.cleaned_data
        return FeedFilter(
            provider_ids=[*data["provider"], *data["provider_id"]],
            framework_ids=data["framework"],
            kinds=data["kind"],
        )


@dataclass(frozen=True)
class FeedPage:
    events: list[ChangeEvent]
    next_position: int

    @property
    def next_cursor(self) -> str:
        return cursor_encode(self.next_position)


def change_events(
    *, after: int = 0, feed_filter: FeedFilter | None = None
) -> QuerySet[ChangeEvent]:
    """Events after a position that match the filter, in feed order."""
    queryset = ChangeEvent.objects.filter(id__gt=after).order_by("id")
    if feed_filter is not None:
        queryset = queryset.filter(feed_filter.q())
    return queryset


def change_feed_page(
    *, after: int = 0, feed_filter: FeedFilter | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> FeedPage:
    """One page of the feed, with its records' links, in two queries at most."""
    events = list(
        change_events(after=after, feed_filter=feed_filter).select_related("framework")[:limit]
    )
    return FeedPage(events=events, next_position=events[-1].pk if events else after)


def feed_head() -> int:
    """The position of the newest event anyone can see now (0 for an empty feed)."""
    last = ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0
