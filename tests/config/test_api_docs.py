"""The API docs work offline: every asset they reference is ours and is served."""

import re

import pytest

_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[\w.-]+""", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_reference_only_local_static_assets_which_are_served(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()

    references = _REFERENCE.findall(html)
    assert any(ref.endswith(".js") for ref in references)
    assert not _ABSOLUTE_URL.findall(html), "no URL on another host"
    for reference in references:
        assert reference.startswith("/static/drf_spectacular_sidecar/"), reference
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert len(body) > 100, reference


@pytest.mark.django_db
def test_swagger_ui_is_told_not_to_call_the_online_validator(client):
    html = client.get("/api/docs/").content.decode()
    assert '"validatorUrl": null' in html
