"""Register adapters against a real loopback HTTP server: timeouts, retries, 429s, breaker."""

import json
import time

import httpx

from status_checks.adapters import get_adapter
from status_checks.adapters.base import ExternalStatus
from status_checks.adapters.breaker import CircuitBreaker
from status_checks.adapters.http import HttpPolicy, retry_after_seconds
from status_checks.adapters.ofqual import parse_qualification
from status_checks.adapters.published_file import parse_register_file
from tests import TEST_DATA_DIR
from tests.clock import Clock

from .register_stub import Behaviour, RegisterStub

NUMBER = "603/2476/0"


def ofqual_adapter(**options):
    return get_adapter("ofqual", **options)


def test_ofqual_record_is_read_with_its_status(register_stub: RegisterStub):
    register_stub.set_record(
        NUMBER, "No longer awarded", certificationEndDate="2025-07-31T00:00:00"
    )

    with ofqual_adapter() as adapter:
        answer = adapter.lookup([NUMBER])[NUMBER]

    assert answer.available and answer.found
    assert answer.record.status == ExternalStatus.NO_LONGER_AWARDED
    assert answer.record.status_text == "No longer awarded"
    assert answer.record.end_date.isoformat() == "2025-07-31"


def test_the_published_sample_records_parse():
    """tests/data/uk/ofqual-api-records-sample.json: PascalCase fields, keyed by number."""
    sample = json.loads((TEST_DATA_DIR / "uk/ofqual-api-records-sample.json").read_text())
    number, payload = next(iter(sample.items()))

    record = parse_qualification(number, payload)

    assert record.status == ExternalStatus.AVAILABLE
    assert record.title == payload["QualificationTitle"]


def test_a_number_not_on_the_register_is_not_found_not_unavailable(register_stub):
    with ofqual_adapter() as adapter:
        answer = adapter.lookup(["999/9999/9"])["999/9999/9"]

    assert answer.available and not answer.found


def test_a_timeout_is_retried_and_the_later_answer_used(register_stub: RegisterStub):
    register_stub.set_record(NUMBER, "Available to learners")
    register_stub.plan(NUMBER, Behaviour(delay=1.0), Behaviour(status=503))

    with ofqual_adapter() as adapter:
        answer = adapter.lookup([NUMBER])[NUMBER]

    assert answer.found and answer.record.status == ExternalStatus.AVAILABLE
    assert register_stub.requests_for(NUMBER) == 3
    assert CircuitBreaker(source="ofqual").state() == "closed"


def test_retries_back_off_exponentially_with_jitter(register_stub: RegisterStub):
    register_stub.set_record(NUMBER, "Available to learners")
    register_stub.plan(NUMBER, Behaviour(status=502), Behaviour(status=504))
    slept: list[float] = []

    with ofqual_adapter(sleep=slept.append) as adapter:
        assert adapter.lookup([NUMBER])[NUMBER].found

    policy = HttpPolicy(backoff_base=1.0, backoff_max=60.0)
    assert len(slept) == 2
    assert 0.01 <= slept[0] <= 0.02 and 0.02 <= slept[1] <= 0.04
    delays = [policy.backoff(n) for n in range(5)]
    assert all(2**n / 2 <= d <= 2**n for n, d in enumerate(delays))
    assert len({policy.backoff(3) for _ in range(10)}) > 1, "jitter spreads retries"


def test_exhausted_retries_give_source_unavailable(register_stub: RegisterStub):
    register_stub.always = Behaviour(status=503)

    with ofqual_adapter() as adapter:
        answer = adapter.lookup([NUMBER])[NUMBER]

    assert not answer.available
    assert "HTTP 503 after 3 attempts" in answer.unavailable_reason
    assert register_stub.requests_for(NUMBER) == 3


def test_429_waits_as_long_as_retry_after_says(register_stub: RegisterStub):
    register_stub.set_record(NUMBER, "Available to learners")
    register_stub.plan(NUMBER, Behaviour(status=429, headers={"Retry-After": "1"}))
    slept: list[float] = []

    with ofqual_adapter(sleep=slept.append) as adapter:
        assert adapter.lookup([NUMBER])[NUMBER].found

    assert slept == [1.0]


def test_a_long_retry_after_opens_the_circuit_for_every_process(register_stub: RegisterStub):
    register_stub.set_record(NUMBER, "Available to learners")
    register_stub.plan(NUMBER, Behaviour(status=429, headers={"Retry-After": "120"}))

    with ofqual_adapter() as adapter:
        answer = adapter.lookup([NUMBER])[NUMBER]

    assert "rate limited for 120s" in answer.unavailable_reason
    assert CircuitBreaker(source="ofqual").state() == "open"
    assert register_stub.requests_for(NUMBER) == 1


def test_retry_after_accepts_an_http_date():
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    response = httpx.Response(429, headers={"Retry-After": later})

    assert 25 <= retry_after_seconds(response) <= 31


def test_circuit_opens_after_repeated_failures_and_stops_calling(register_stub: RegisterStub):
    numbers = [f"600/000{i}/{i}" for i in range(6)]
    register_stub.always = Behaviour(status=503)

    with ofqual_adapter() as adapter:
        answers = adapter.lookup(numbers)

    # Threshold 3: three numbers fail after their retries, the rest are never asked.
    assert len(register_stub.requests) == 3 * 3
    assert [a.unavailable_reason for a in answers.values()][3:] == [
        "circuit open after repeated failures"
    ] * 3
    assert CircuitBreaker(source="ofqual").state() == "open"


def test_half_open_circuit_lets_one_probe_through_and_closes_on_success(register_stub):
    register_stub.set_record(NUMBER, "Available to learners")
    clock = Clock()
    breaker = CircuitBreaker(source="ofqual", reset_timeout=1, clock=clock)
    breaker.open_for(1)
    assert not breaker.allow()

    clock.advance(1.1)
    assert breaker.state() == "half_open"
    other_process = CircuitBreaker(source="ofqual", reset_timeout=1, clock=clock)
    assert breaker.allow() and not other_process.allow(), "one probe at a time"

    breaker.redis.delete(breaker._probe)
    with ofqual_adapter(breaker=breaker) as adapter:
        assert adapter.lookup([NUMBER])[NUMBER].found
    assert breaker.state() == "closed"


def test_a_failed_probe_reopens_the_circuit():
    clock = Clock()
    breaker = CircuitBreaker(source="ofqual", reset_timeout=1, failure_threshold=100, clock=clock)
    breaker.open_for(1)
    clock.advance(1.1)

    assert breaker.allow()
    breaker.record_failure()

    assert breaker.state() == "open"


def test_published_file_answers_every_reference_from_one_download(register_stub):
    register_stub.csv_text = (
        "Registration Number,Title,Status,Valid To\n"
        "24/000123/L4,Certificate A,Current,2027-08-31\n"
        "24/000124/L4,Certificate B,Archived,2024-08-31\n"
    )

    with get_adapter("hkqr") as adapter:
        answers = adapter.lookup(["24/000123/L4", "24000124L4", "24/999999/L4"])
    with get_adapter("hkqr") as adapter:
        adapter.lookup(["24/000123/L4"])

    assert answers["24/000123/L4"].record.status == ExternalStatus.AVAILABLE
    assert answers["24000124L4"].record.status == ExternalStatus.ARCHIVED
    assert answers["24000124L4"].record.end_date.isoformat() == "2024-08-31"
    assert answers["24/999999/L4"].available and not answers["24/999999/L4"].found
    assert len(register_stub.requests) == 1, "the file is cached between chunks"


def test_published_file_without_the_expected_columns_is_unavailable(register_stub):
    register_stub.csv_text = "Number,State\n24/000123/L4,Current\n"

    with get_adapter("hkqr") as adapter:
        answer = adapter.lookup(["24/000123/L4"])["24/000123/L4"]

    assert "no column Registration Number, Status" in answer.unavailable_reason


def test_published_file_reads_the_ofqual_export_format():
    """tests/data/uk/ofqual-full-export-sample.csv, with month-first dates."""
    text = (TEST_DATA_DIR / "uk/ofqual-full-export-sample.csv").read_text()

    table = parse_register_file(
        text,
        reference_column="Qualification Number",
        status_column="Qualification Status",
        end_date_column="Certification End Date",
    )

    record = table["50040595"]
    assert record.status == ExternalStatus.NO_LONGER_AWARDED
    assert record.end_date.isoformat() == "2012-03-31"


def test_unconfigured_register_has_no_adapter(settings):
    settings.STATUS_CHECK_REGISTERS = {"ofqual": {**settings.STATUS_CHECK_REGISTERS["ofqual"]}}
    settings.STATUS_CHECK_REGISTERS["ofqual"]["BASE_URL"] = ""

    assert get_adapter("ofqual") is None
    assert get_adapter("nowhere") is None


def test_rate_limit_is_shared_and_holds_requests_to_the_budget(register_stub, settings):
    settings.STATUS_CHECK_HTTP = {**settings.STATUS_CHECK_HTTP, "RATE_LIMIT_PER_SECOND": 2}
    numbers = [f"601/000{i}/{i}" for i in range(5)]
    slept: list[float] = []

    with ofqual_adapter(sleep=lambda s: (slept.append(s), time.sleep(s))) as adapter:
        adapter.lookup(numbers)

    stamps = [t for t, _ in register_stub.requests]
    assert len(stamps) == 5
    assert slept, "the budget of 2 per second made the client wait"
    assert stamps[-1] - stamps[0] >= 1.0
