"""Text in the other language carries its own lang attribute, for screen readers and fonts."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import CredentialFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def _get(client, name: str, language: str, **kwargs):
    with translation.override(language):
        url = reverse(name, kwargs=kwargs)
    return client.get(url).content.decode()


def test_a_record_without_a_chinese_title_marks_its_english_one_on_a_chinese_page(client):
    provider = ProviderFactory(name_en="Harbour Institute", name_zh="海港學院")
    credential = CredentialFactory(
        provider=provider, title_en="Certificate in Blockchain", title_zh=""
    )

    html = _get(client, "credentials:detail", "zh-hant", pk=credential.pk)

    assert '<h1 lang="en">Certificate in Blockchain</h1>' in html
    assert 'lang="zh-Hant">海港學院</a>' in html
    assert '<span class="other" lang="en">(Harbour Institute)</span>' in html


def test_the_title_in_the_other_language_is_marked_with_it(client):
    credential = CredentialFactory(title_en="Certificate in Blockchain", title_zh="區塊鏈證書")

    chinese = _get(client, "credentials:detail", "zh-hant", pk=credential.pk)
    english = _get(client, "credentials:detail", "en", pk=credential.pk)

    assert '<h1 lang="zh-Hant">區塊鏈證書</h1>' in chinese
    assert '<p class="other-title" lang="en">Certificate in Blockchain</p>' in chinese
    assert '<h1 lang="en">Certificate in Blockchain</h1>' in english
    assert '<p class="other-title" lang="zh-Hant">區塊鏈證書</p>' in english


def test_chinese_search_results_mark_an_english_only_title_english(client):
    CredentialFactory(title_en="Micro-credential in Digital Marketing", title_zh="數碼營銷微證書")
    CredentialFactory(title_en="Certificate in Digital Marketing", title_zh="")

    with translation.override("zh-hant"):
        url = reverse("credentials:search")
    html = client.get(url).content.decode()

    assert 'lang="zh-Hant">數碼營銷微證書</a>' in html
    assert 'lang="en">Certificate in Digital Marketing</a>' in html
