"""/metrics: behind its token, and every metric the README lists moves when it should."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from config.celery_app import app
from imports.choices import ImportFormat, ImportState
from imports.models import ImportJob
from status_checks.choices import SweepScope, SweepState
from status_checks.models import StatusSweep
from tests.factories import CredentialFactory

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.django_db
def test_metrics_are_not_served_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x", "Bearer ünïcode"],
)
def test_metrics_need_the_bearer_token(client, metrics_token, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"registry_" not in response.content


@pytest.mark.django_db
def test_metrics_with_the_token(client, metrics_token):
    samples = scrape(client)
    names = {name for name, _labels in samples}
    assert "registry_celery_broker_up" in names
    # The default registry's process collector: this is the one-process (dev) mode.
    assert "process_cpu_seconds_total" in names


@pytest.mark.django_db
def test_requests_are_timed_by_route_name_not_path(client, metrics_token):
    key = {"route": "credentials:detail", "method": "GET", "status": "4xx"}
    before = scrape(client)
    client.get("/credentials/999999991/")
    client.get("/zh-hant/credentials/999999992/")
    client.get("/no/such/page/")
    after = scrape(client)

    name = "registry_http_request_duration_seconds_count"
    assert value(after, name, **key) - value(before, name, **key) == 2
    unmatched = {"route": "unmatched", "method": "GET", "status": "4xx"}
    assert value(after, name, **unmatched) - value(before, name, **unmatched) == 1
    assert not any("999999991" in str(labels) for _name, labels in after)


@pytest.mark.django_db
def test_a_search_records_its_latency_by_query_class(client, metrics_token):
    CredentialFactory(title_zh="香港大學微證書課程", title_en="Micro-credential in finance")
    name = "registry_search_duration_seconds_count"
    asked = {
        "text_cjk": "/search/?q=微证书",
        "text": "/search/?q=finance",
        "registration_number": "/search/?q=603/2476/0",
        "browse": "/search/",
    }
    before = scrape(client)
    for url in asked.values():
        assert client.get(url).status_code == 200
    assert client.get("/search/?q=finance&mode=online").status_code == 200
    after = scrape(client)

    for query_class in asked:
        labels = {"query_class": query_class, "filtered": "false"}
        assert value(after, name, **labels) - value(before, name, **labels) == 1, query_class
    labels = {"query_class": "text", "filtered": "true"}
    assert value(after, name, **labels) - value(before, name, **labels) == 1


@pytest.mark.django_db
def test_running_sweeps_and_imports_show_their_progress(client, metrics_token):
    sweep = StatusSweep.objects.create(
        scope=SweepScope.REGISTER, state=SweepState.RUNNING, total=40, checked=15
    )
    StatusSweep.objects.create(
        scope=SweepScope.REGISTER, state=SweepState.FINISHED, total=9, checked=9
    )
    job = ImportJob.objects.create(
        format=ImportFormat.HKQR,
        content=b"x",
        state=ImportState.RUNNING,
        rows_total=1200,
        rows_done=300,
    )
    samples = scrape(client)

    labels = {"sweep": str(sweep.pk), "scope": "register"}
    assert value(samples, "registry_status_sweep_checked", **labels) == 15
    assert value(samples, "registry_status_sweep_total", **labels) == 40
    labels = {"import_job": str(job.pk), "format": "hkqr"}
    assert value(samples, "registry_import_rows_done", **labels) == 300
    assert value(samples, "registry_import_rows_total", **labels) == 1200
    assert len([n for n, _ in samples if n == "registry_status_sweep_checked"]) == 1


@pytest.mark.django_db
def test_queue_depth_is_read_from_the_broker_for_every_routed_queue(
    client, metrics_token, settings
):
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with app.connection_for_write() as connection:
        redis_client = connection.default_channel.client
        redis_client.delete(queue, "imports", "sweeps")
        try:
            for _ in range(3):
                app.send_task("registry.test.never_run", queue=queue)
            # Only after publishing: Celery builds its router once, at the first publish, and
            # these routes must not stay in it for later tests.
            settings.CELERY_TASK_ROUTES = {
                "imports.tasks.import_run_task": {"queue": "imports"},
                "status_checks.tasks.status_*": {"queue": "sweeps"},
            }
            samples = scrape(client)
        finally:
            redis_client.delete(queue)

    assert value(samples, "registry_celery_broker_up") == 1
    assert value(samples, "registry_celery_queue_length", queue=queue) == 3
    assert value(samples, "registry_celery_queue_length", queue="imports") == 0
    assert ("registry_celery_queue_length", frozenset({("queue", "sweeps")})) in samples


@pytest.mark.django_db
def test_an_unreachable_broker_is_reported_not_raised(client, metrics_token, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    samples = scrape(client)
    assert value(samples, "registry_celery_broker_up") == 0
