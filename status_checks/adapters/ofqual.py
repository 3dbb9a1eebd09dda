"""Client for a register API shaped like Ofqual's: GET api/Qualifications/{number}."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings

from credentials.numbers import registration_key

from .base import (
    RegisterAdapter,
    RegisterAnswer,
    RegisterRecord,
    SourceUnavailable,
    clean_text,
    normalise_status,
    parse_register_date,
)
from .http import HttpPolicy, ResilientClient


def _field(payload: Mapping[str, Any], *names: str) -> Any:
    """Read a field whatever its casing: the public API is camelCase, exports are PascalCase."""
    folded = {k.casefold(): v for k, v in payload.items()}
    for name in names:
        value = folded.get(name.casefold())
        if value not in (None, ""):
            return value
    return None


def parse_qualification(reference: str, payload: Mapping[str, Any]) -> RegisterRecord:
    """Turn one qualification record into a RegisterRecord."""
    status_text = clean_text(_field(payload, "status", "qualificationStatus"))
    return RegisterRecord(
        reference=reference,
        status_text=status_text,
        status=normalise_status(status_text),
        end_date=parse_register_date(_field(payload, "certificationEndDate", "operationalEndDate")),
        title=clean_text(_field(payload, "title", "qualificationTitle"), limit=500),
    )


class OfqualRegisterAdapter(RegisterAdapter):
    """One GET per qualification number against the configured base URL."""

    def __init__(self, *, source: str, config: Mapping[str, Any], **client_options: Any):
        super().__init__(source=source, config=config)
        self.base_url = str(config["BASE_URL"]).rstrip("/") + "/"
        headers = {}
        if config.get("API_KEY"):
            headers["Ocp-Apim-Subscription-Key"] = str(config["API_KEY"])
        self.client = ResilientClient(
            source=source,
            policy=HttpPolicy.from_settings(settings.STATUS_CHECK_HTTP, config),
            headers=headers,
            **client_options,
        )

    def close(self) -> None:
        self.client.close()

    def lookup(self, references: Sequence[str]) -> dict[str, RegisterAnswer]:
        answers: dict[str, RegisterAnswer] = {}
        for reference in references:
            answers[reference] = self._lookup_one(reference)
        return answers

    def _lookup_one(self, reference: str) -> RegisterAnswer:
        # The API accepts numbers without obliques, which keeps them out of the URL path.
        url = f"{self.base_url}api/Qualifications/{registration_key(reference)}"
        try:
            response = self.client.get(url)
        except SourceUnavailable as exc:
            return RegisterAnswer(unavailable_reason=exc.reason)
        if response.status_code == 404:
            return RegisterAnswer()
        if response.status_code != 200:
            return RegisterAnswer(unavailable_reason=f"HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            return RegisterAnswer(unavailable_reason="the reply was not JSON")
        if not isinstance(payload, dict):
            return RegisterAnswer(unavailable_reason="the reply was not a qualification record")
        return RegisterAnswer(record=parse_qualification(reference, payload))
