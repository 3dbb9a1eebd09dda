"""Uploading a register file from the workspace and following its import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

HKQR_CSV = (
    b"Registration Number,Title (English),Title (Chinese),Operator,QF Level,QF Credit,"
    b"Area of Study,Mode,Valid From,Valid To\n"
)

REGISTRY_CSV = b"registration_number,title_en,provider\n"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("a_editor", 403),
        ("reviewer", 403),
        ("a_admin", 200),
        ("registry_admin", 200),
    ],
)
def test_import_page_is_for_provider_admins_and_staff(client, persona, status):
    personas = make_personas()
    user = personas.by_name(persona)
    if user:
        client.force_login(user)

    assert client.get(reverse("workspace:imports")).status_code == status


def test_upload_queues_the_job_on_commit_and_shows_its_progress(
    client, django_capture_on_commit_callbacks
):
    personas = make_personas()
    client.force_login(personas.a_admin)
    upload = SimpleUploadedFile("register.csv", REGISTRY_CSV, content_type="text/csv")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("workspace:imports"),
            {"format": "registry-csv", "file": upload, "provider": personas.provider_a.pk},
        )

    job = ImportJob.objects.get()
    assert response.url == reverse("workspace:import", kwargs={"pk": job.pk})
    assert (job.provider, job.requested_by, len(callbacks)) == (
        personas.provider_a,
        personas.a_admin,
        1,
    )
    page = client.get(response.url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "register.csv" in page


def test_another_providers_import_is_not_offered_or_found(client):
    personas = make_personas()
    job = ImportJob.objects.create(
        format="hkqr", filename="b.csv", content=HKQR_CSV, provider=personas.provider_b
    )
    client.force_login(personas.a_admin)

    response = client.post(
        reverse("workspace:imports"),
        {
            "format": "hkqr",
            "file": SimpleUploadedFile("x.csv", HKQR_CSV),
            "provider": personas.provider_b.pk,
        },
    )

    assert response.status_code == 200
    assert "provider" in response.context["form"].errors
    assert client.get(reverse("workspace:import", kwargs={"pk": job.pk})).status_code == 404
    assert ImportJob.objects.count() == 1


def test_a_national_register_file_is_refused_to_a_provider_admin_with_a_reason(client):
    personas = make_personas()
    client.force_login(personas.a_admin)

    response = client.post(
        reverse("workspace:imports"),
        {
            "format": "hkqr",
            "file": SimpleUploadedFile("register.csv", HKQR_CSV),
            "provider": personas.provider_a.pk,
        },
    )

    assert response.status_code == 200
    assert "registry administrators only" in " ".join(response.context["form"].non_field_errors())
    assert not ImportJob.objects.exists()
