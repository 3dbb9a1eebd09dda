"""The feed's event as the API, Atom entries' links and webhook bodies show it."""

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .choices import EventKind
from .feed import cursor_encode
from .models import ChangeEvent

Absolute = Callable[[str], str]


def record_links(credential_id: int, absolute: Absolute) -> dict[str, str]:
    return {
        "url": absolute(reverse("api:credential-detail", kwargs={"pk": credential_id})),
        "page_url": absolute(reverse("credentials:detail", kwargs={"pk": credential_id})),
    }


class RecordReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    registration_number = serializers.CharField()
    url = serializers.URLField(help_text="The record in the API (404 once it is not public).")
    page_url = serializers.URLField(help_text="The record's public page.")


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "additionalProperties": True,
        "description": "Field name → value. `created`: null before, every public field after.",
    }
)
class FieldValuesField(serializers.JSONField):
    pass


class ChangeEventSerializer(serializers.Serializer):
    """One change of a public record."""

    cursor = serializers.CharField(help_text="Resume after this event with ?after=<cursor>.")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    time = serializers.DateTimeField(help_text="When the change was committed.")
    record = RecordReferenceSerializer()
    provider_id = serializers.IntegerField()
    framework = serializers.CharField(allow_null=True, help_text="Framework code, e.g. HKQF.")
    before = FieldValuesField(allow_null=True)
    after = FieldValuesField()


def event_data(event: ChangeEvent, absolute: Absolute) -> dict[str, Any]:
    """The event as plain data; ``event.framework`` should be selected with it."""
    return {
        "cursor": cursor_encode(event.pk),
        "kind": event.kind,
        "time": event.recorded_at,
        "record": {
            "id": event.credential_id,
            "registration_number": event.registration_number,
            **record_links(event.credential_id, absolute),
        },
        "provider_id": event.provider_id,
        "framework": event.framework.code if event.framework is not None else None,
        "before": event.before,
        "after": event.after,
    }


class ChangeFeedPageSerializer(serializers.Serializer):
    next_cursor = serializers.CharField(
        help_text="Pass as ?after= for the next page; the same cursor when nothing is new."
    )
    results = ChangeEventSerializer(many=True)
