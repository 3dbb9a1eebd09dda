"""GET /api/v1/changes/: the public change feed, page by page after a cursor."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .choices import EventKind
from .feed import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ChangeFeedForm,
    change_feed_page,
    feed_head,
)
from .serializers import ChangeFeedPageSerializer, event_data

FEED_PARAMETERS = [
    OpenApiParameter(
        "after",
        OpenApiTypes.STR,
        description="A cursor from a page's `next_cursor` or an event's `cursor`; "
        "without it the feed starts at its first event.",
    ),
    OpenApiParameter(
        "provider", OpenApiTypes.STR, description="Provider slugs, repeated or comma-separated."
    ),
    OpenApiParameter("provider_id", OpenApiTypes.INT, description="Provider ids."),
    OpenApiParameter("framework", OpenApiTypes.STR, description="Framework codes, e.g. HKQF."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=EventKind.values, description="Kinds."),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"At most {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} by default.",
    ),
]


class ChangeFeedView(APIView):
    """Every change of a public record in commit order: mirror the register from it.

    Read `results`, then ask again with `after=<next_cursor>`; an empty page means you are
    up to date (poll again later with the same cursor). A cursor stays valid for ever.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=FEED_PARAMETERS,
        responses={200: ChangeFeedPageSerializer},
        description=__doc__,
    )
    def get(self, request: Request) -> Response:
        form = ChangeFeedForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(
                {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            )
        page = change_feed_page(
            after=form.cleaned_data["after"],
            feed_filter=form.feed_filter(),
            limit=form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE,
        )
        if not page.events and form.cleaned_data["after"] > feed_head():
            raise ValidationError(
                {"after": [_("This cursor is past the end of the feed: it was not handed out.")]}
            )
        return Response(
            {
                "next_cursor": page.next_cursor,
                "results": [event_data(event, request.build_absolute_uri) for event in page.events],
            }
        )
