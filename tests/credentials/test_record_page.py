"""The public record: what changed and when, in readable words, its completeness and links."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from credentials.choices import CredentialStatus, StatusSource
from credentials.display import credit_amount
from credentials.models import CredentialStatusChange
from credentials.services import credential_record_version, credential_snapshot
from tests.factories import CredentialFactory, MembershipFactory, ProviderFactory, hkqf_level

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_record():
    """A record edited as a draft, then registered, then given a new level and languages."""
    credential = CredentialFactory(
        status=CredentialStatus.DRAFT, languages=["en"], fee=Decimal("60000.00"), fee_currency="HKD"
    )
    before = credential_snapshot(credential)
    credential.summary_en = "Drafting note nobody outside should read"
    credential.save()
    credential_record_version(credential=credential, actor=None, before=before)
    credential.status = CredentialStatus.REGISTERED
    credential.save()
    CredentialStatusChange.objects.create(
        credential=credential,
        from_status=CredentialStatus.DRAFT,
        to_status=CredentialStatus.REGISTERED,
        source=StatusSource.REVIEW_DECISION,
    )
    before = credential_snapshot(credential)
    credential.level = hkqf_level("5")
    credential.languages = ["yue", "en"]
    credential.stackable = not credential.stackable
    credential.save()
    credential_record_version(credential=credential, actor=None, before=before)
    return credential


def _record_url(credential, language: str = "en") -> str:
    # A request leaves its language active in the thread, and reverse() follows it.
    with translation.override(language):
        return reverse("credentials:detail", kwargs={"pk": credential.pk})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_history_reads_as_words_not_field_names(client, changed_record):
    html = client.get(_record_url(changed_record)).content
    page = html.decode()
    text = _text(page[page.index("What changed and when") : page.index("Completeness")])

    assert "Level : HKQF level 4 → HKQF level 5" in text
    assert "Languages of instruction : English → Cantonese, English" in text
    assert "Summary" not in text  # edits before registration are not the register's
    assert "level_id" not in text and "['yue'" not in text


def test_history_and_facts_in_chinese(client, changed_record):
    text = _text(client.get(_record_url(changed_record, "zh-hant")).content.decode())

    assert "粵語" in text  # Cantonese
    assert "HKD 60,000" in text


def test_record_states_its_completeness_and_links_its_json_ld(client, changed_record):
    html = client.get(_record_url(changed_record)).content
    page = html.decode()

    assert re.search(r"This record states \d+ elements of the EU standard", page)
    assert re.search(r'<meter min="0" max="100" value="\d+"', page)
    for name in ("api:credential-openbadges", "api:credential-ctdl"):
        with translation.override("en"):
            link = reverse(name, kwargs={"pk": changed_record.pk})
        assert f'<link rel="alternate" type="application/ld+json" href="{link}"' in page
        assert client.get(link).status_code == 200
    assert "HKD 60,000" in _text(page)


def test_credits_and_quality_marks_read_in_the_readers_language(client):
    credential = CredentialFactory(
        level=hkqf_level("4"), credits=Decimal("6.0"), quality_marks=["cef"]
    )

    english = _text(client.get(_record_url(credential)).content.decode())
    assert "6 QF credits" in english and "6 QF credit " not in english
    assert "CEF reimbursable" in english

    chinese = _text(client.get(_record_url(credential, "zh-hant")).content.decode())
    assert "6 資歷學分" in chinese and "QF credit" not in chinese
    assert "可獲持續進修基金發還" in chinese


def test_one_credit_is_singular_and_other_frameworks_say_credits(client):
    provider = ProviderFactory()
    single = CredentialFactory(level=hkqf_level("1"), credits=Decimal("1"), provider=provider)
    assert "1 QF credit " in _text(client.get(_record_url(single)).content.decode())

    assert credit_amount(Decimal("1500"), "RQF") == "1,500 credits"
    assert credit_amount(Decimal("1.5"), "HKQF") == "1.5 QF credits"


def test_the_workspace_history_reads_as_words_too(client, changed_record):
    """The provider's own history of every version (drafts included), labelled alike."""
    admin = MembershipFactory(provider=changed_record.provider, role="admin").user
    client.force_login(admin)

    page = client.get(reverse("workspace:credential", args=[changed_record.pk])).content.decode()
    text = _text(page[page.index("<h2>History</h2>") :])

    assert "Level HKQF level 4 HKQF level 5" in text
    assert "Languages of instruction English Cantonese, English" in text
    assert "Drafting note nobody outside should read" in text
    assert "level_id" not in text and "['yue'" not in text


def test_the_review_page_names_languages_and_writes_money_in_the_readers_words():
    credential = CredentialFactory(
        languages=["yue", "en"], fee=Decimal("15800.00"), fee_currency="HKD"
    )

    html = render_to_string(
        "qa_reviews/partials/credential_record.html", {"credential": credential}
    )

    assert "Cantonese, English" in html and "yue, en" not in html
    assert "HKD 15,800" in html and "15800.00" not in html


def test_the_version_that_entered_the_register_whole_reads_as_one_line(client):
    """An import's first row writes every field from nothing: the history says it entered."""
    credential = CredentialFactory()
    CredentialStatusChange.objects.create(
        credential=credential,
        from_status=CredentialStatus.DRAFT,
        to_status=CredentialStatus.REGISTERED,
        source=StatusSource.IMPORT,
    )
    nothing = dict.fromkeys(credential_snapshot(credential))
    credential_record_version(credential=credential, actor=None, before=nothing)

    text = _text(client.get(_record_url(credential)).content.decode())
    history = text[text.index("What changed and when") : text.index("Completeness")]

    assert "Entered the register" in history
    assert credential.title_en not in history
    assert "列入登記冊" in _text(client.get(_record_url(credential, "zh-hant")).content.decode())
