"""Schemathesis over the whole OpenAPI schema, as a registry administrator, writes included.

Every operation that ``/api/schema/`` describes gets generated requests, schema-valid and
not, sent in-process to the Django WSGI app against the test PostgreSQL (inside this test's
transaction, so nothing outlives it). Whatever the input, the API never answers with a
server error. ``FUZZ_EXAMPLES`` sets the examples per operation and generation mode
(default below, about a minute); ``FUZZ_EXAMPLES=200`` is a deeper run. Runs are
derandomised, so a failure repeats on the next run.

The operations are looped over here rather than through ``schema.parametrize()``, whose
pytest integration does not yet run on pytest 9.2.
"""

import datetime
import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from config.wsgi import application
from credentials.choices import CredentialStatus
from providers.api.views import ProviderViewSet
from providers.models import ApiToken
from providers.tokens import api_token_create, api_token_revoke
from qa_reviews.choices import DecisionOutcome
from qa_reviews.models import Condition, Decision
from tests.factories import (
    CredentialFactory,
    ReviewFactory,
    ReviewStandardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: the first failing request is reported as it was sent, and a run stays
    # bounded when something fails.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def connection_kept_across_requests():
    """Keep the test's connection (and its transaction) open between in-process requests.

    The WSGI handler closes the database connection when a request ends; Django's test
    client disconnects that handler in the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call(case, user) -> int:
    # A fresh token for every call, revoked afterwards together with any the fuzzer made
    # through POST /tokens/: DELETE /tokens/{id}/ stays fuzzed (it may revoke the very
    # token it was sent with) without locking later calls out, and the live-token cap is
    # never reached. Excluding that operation would leave token revocation unfuzzed.
    _token, key = api_token_create(user=user, name="schemathesis")
    try:
        response = case.call_and_validate(
            headers={"Authorization": f"Token {key}"}, checks=[not_a_server_error]
        )
    finally:
        for live in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
            api_token_revoke(user=user, token=live)
    return response.status_code


def _existing_objects(user) -> dict[str, int]:
    """One object per kind of path id, so writes reach real rows, not only 404s."""
    token, _key = api_token_create(user=user, name="revoked by the fuzzer")
    registered = CredentialFactory()
    draft = CredentialFactory(status=CredentialStatus.DRAFT, registration_number="P/000001")
    review = ReviewFactory(credential=CredentialFactory(status=CredentialStatus.UNDER_REVIEW))
    ReviewStandardFactory(standard_set=review.standard_set)
    decided = ReviewFactory()
    decision = Decision.objects.create(
        review=decided,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        rationale="Meets the standards, with one condition.",
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2030, 12, 31),
        decided_by=decided.opened_by,
    )
    condition = Condition.objects.create(
        decision=decision, text="Publish the appeals policy.", due_date=datetime.date(2027, 6, 30)
    )
    return {
        "/api/v1/credentials/": registered.pk,
        "/api/v1/workspace/credentials/": draft.pk,
        "/api/v1/reviews/": review.pk,
        "/api/v1/review-conditions/": condition.pk,
        "/api/v1/review-standard-sets/": review.standard_set_id,
        "/api/v1/providers/": registered.provider_id,
        "/api/v1/levels/": registered.level_id,
        "/api/v1/tokens/": token.pk,
    }


def _strategies(operation, existing: dict[str, int]) -> list:
    """Valid and invalid requests; for an operation on one object, also on a real one."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    for prefix, pk in existing.items():
        if operation.path.startswith(prefix + "{id}/"):
            strategies.append(
                operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": pk})
            )
    return strategies


def _fuzz(operations, user, existing: dict[str, int]) -> tuple[list[str], Counter]:
    """Run every operation's examples; return the failures and (method, status) counts."""
    failures = []
    answers: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        try:
            _fuzz_one(operation, user, existing, answers)
        except (Exception, FailureGroup) as error:
            failures.append(f"{operation.label}: {error}")
    return failures, answers


def _fuzz_one(operation, user, existing: dict[str, int], answers: Counter) -> None:
    method = operation.method.upper()

    @FUZZ_SETTINGS
    @given(case=st.one_of(*_strategies(operation, existing)))
    def fuzz(case):
        answers[method, _call(case, user)] += 1

    fuzz()


def _operations(label: str = "") -> list:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    return [operation for operation in operations if not label or operation.label == label]


def test_no_generated_request_reaches_a_server_error(connection_kept_across_requests):
    user = UserFactory(username="fuzz-staff", is_staff=True)
    operations = _operations()
    assert len(operations) > 40, "the schema lost operations"

    failures, answers = _fuzz(operations, user, _existing_objects(user))

    assert not failures, "\n\n".join(failures)
    # The token was accepted and writes reached real rows: not a run of 401s and 404s.
    succeeded = {method for (method, status), _count in answers.items() if status < 300}
    assert {"GET", "POST", "PATCH", "DELETE"} <= succeeded, answers


def test_the_fuzz_run_reports_a_server_error(connection_kept_across_requests, monkeypatch):
    """The run above would notice a 500: a broken list view fails it."""

    def broken(*args, **kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(ProviderViewSet, "list", broken)
    user = UserFactory(username="fuzz-staff", is_staff=True)

    failures, _answers = _fuzz(_operations("GET /api/v1/providers/"), user, {})

    assert len(failures) == 1
    assert "Server error" in failures[0]
