"""POST /api/v1/imports/ (multipart upload) and GET its progress and report, per persona."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from imports.choices import ImportState
from imports.models import ImportJob
from imports.services import import_run
from tests.personas import make_personas

from .conftest import DFE_2024_10 as DFE
from .conftest import HKQR_BROKEN, HKQR_REGISTER, registry_csv

pytestmark = pytest.mark.django_db
URL = "/api/v1/imports/"


@pytest.fixture
def personas():
    return make_personas()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def upload(client: APIClient, *, provider=None, path=HKQR_REGISTER, **extra):
    data = {
        "file": SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv"),
        "format": "hkqr",
        **extra,
    }
    if provider is not None:
        data["provider"] = provider.slug
    return client.post(URL, data, format="multipart")


@pytest.mark.parametrize(
    ("persona", "provider", "status"),
    [
        ("anonymous", "provider_a", {401, 403}),
        ("a_editor", "provider_a", {403}),
        ("reviewer", "provider_a", {403}),
        ("b_admin", "provider_a", {403}),
        ("a_admin", None, {403}),
        # A national register file is the registry's to import.
        ("a_admin", "provider_a", {403}),
        ("registry_admin", None, {202}),
        ("registry_admin", "provider_b", {202}),
    ],
)
def test_who_may_upload(personas, persona, provider, status, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(
            client_for(personas.by_name(persona)),
            provider=getattr(personas, provider) if provider else None,
        )

    assert response.status_code in status, response.content
    if response.status_code == 202:
        job = ImportJob.objects.get(pk=response.json()["id"])
        assert (job.state, job.format, job.filename) == ("queued", "hkqr", HKQR_REGISTER.name)
        assert response["Location"].endswith(f"/api/v1/imports/{job.pk}/")
        # The task is queued once the job row is committed, not before.
        assert len(queued) == 1
    else:
        assert not ImportJob.objects.exists()
        assert not queued


def test_a_provider_admin_uploads_its_own_records_as_a_registry_csv(
    personas, django_capture_on_commit_callbacks
):
    content = registry_csv(
        {"registration_number": "24/000901/L4", "provider": personas.provider_a.slug}
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client_for(personas.a_admin).post(
            URL,
            {
                "file": SimpleUploadedFile("mine.csv", content, content_type="text/csv"),
                "format": "registry-csv",
                "provider": personas.provider_a.slug,
            },
            format="multipart",
        )

    assert response.status_code == 202, response.content
    assert len(queued) == 1


def test_a_national_file_from_a_provider_admin_is_a_clear_403(personas):
    response = upload(client_for(personas.a_admin), provider=personas.provider_a, path=DFE)

    assert response.status_code == 403
    assert "registry administrators only" in response.json()["detail"]
    assert not ImportJob.objects.exists()


def test_a_bad_upload_is_a_400_with_field_messages(personas):
    client = client_for(personas.registry_admin)

    response = upload(client, format="excel")
    assert response.status_code == 400
    assert "format" in response.json()

    response = client.post(URL, {"format": "hkqr"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_progress_and_report_are_readable_by_their_provider_only(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(
            client_for(personas.registry_admin), provider=personas.provider_a, path=HKQR_BROKEN
        )
    job = import_run(job=ImportJob.objects.get(pk=response.json()["id"]))
    assert job.state == ImportState.FAILED
    detail = f"{URL}{job.pk}/"

    body = client_for(personas.a_admin).get(detail).json()
    assert (body["rows_done"], body["rows_total"], body["progress"]) == (11, 11, 1.0)
    assert body["state"] == "failed"
    assert any(p["row"] == 3 and p["column"] == "QF Level" for p in body["report"]["problems"])
    assert "content" not in body

    # Another provider's job is not found, whether its people may import or not.
    assert client_for(personas.b_admin).get(detail).status_code == 404
    assert client_for(personas.a_editor).get(detail).status_code == 404
    assert client_for(personas.a_editor).get(f"{URL}{job.pk + 1000}/").status_code == 404
    assert client_for(personas.a_admin).get(f"{URL}not-a-number/").status_code == 404
    assert client_for(personas.registry_admin).get(detail).status_code == 200
    assert client_for(None).get(detail).status_code in {401, 403}
    assert [j["id"] for j in client_for(personas.a_admin).get(URL).json()["results"]] == [job.pk]
    assert client_for(personas.b_admin).get(URL).json()["results"] == []
