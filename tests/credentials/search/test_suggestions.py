"""Did you mean: the vocabulary built from current entries, and corrections drawn from it."""

import datetime

import pytest
from django.core.management import call_command

from credentials.models import SearchTerm
from credentials.search.suggestions import spelling_suggestion
from credentials.search.vocabulary import search_vocabulary_refresh
from credentials.tasks import search_vocabulary_refresh_task
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/credentials/"


@pytest.fixture
def vocabulary(register):
    assert search_vocabulary_refresh()
    return register


def test_vocabulary_holds_current_entries_words_and_chinese_pairs(vocabulary):
    words = dict(SearchTerm.objects.values_list("word", "frequency"))

    assert words["nursing"] == 1
    assert words["finance"] >= 2  # fintech, accounting: each entry counted once
    assert words["微證"] == 1 and words["金融"] >= 2
    assert "lapsed" not in words  # its validity ended
    assert "draft" not in words  # never public
    assert "ai" not in words and "in" not in words  # too short to correct from


def test_refresh_follows_the_register(vocabulary):
    vocabulary.nursing.title_en = "Foundation Degree in Midwifery Practice"
    vocabulary.nursing.save()
    CredentialFactory(title_en="Certificate in Nursing Studies", provider=vocabulary.polyu)

    search_vocabulary_refresh()

    words = dict(SearchTerm.objects.values_list("word", "frequency"))
    assert words["midwifery"] == 1 and words["nursing"] == 1


def test_refresh_counts_validity_on_the_given_day(vocabulary):
    search_vocabulary_refresh(today=datetime.date(2022, 1, 1))

    assert SearchTerm.objects.filter(word="lapsed").exists()


def test_task_and_command_refresh(register, capsys):
    search_vocabulary_refresh_task.apply()
    assert SearchTerm.objects.filter(word="nursing").exists()

    call_command("refresh_search_vocabulary")
    assert "words" in capsys.readouterr().out


def test_misspelt_english_word_is_corrected(vocabulary):
    assert spelling_suggestion("nursng") == "nursing"
    assert spelling_suggestion("Nursng associate") == "nursing associate"
    assert spelling_suggestion("nursing") is None
    assert spelling_suggestion("xqzvbw") is None
    # A qualification name the register happens not to hold is not a misspelling.
    assert spelling_suggestion("CertHE") is None and spelling_suggestion("DipHE") is None


def test_one_chinese_character_slip_is_corrected(vocabulary):
    assert spelling_suggestion("微證晝") == "微證書"
    assert spelling_suggestion("计算金融") is None  # Simplified is folded, not misspelt
    assert spelling_suggestion("金融") is None


def test_api_suggests_only_when_results_are_few(client, vocabulary):
    body = client.get(URL, {"q": "nursng"}).json()
    assert body["count"] == 0
    assert body["suggestion"] == "nursing"

    assert client.get(URL, {"q": "nursing"}).json()["suggestion"] is None
    assert client.get(URL, {"q": "zzzzqqq"}).json()["suggestion"] is None


def test_a_suggestion_that_finds_nothing_more_is_not_offered(client, vocabulary):
    # "nursing" exists, but not online: correcting the word would find nothing either.
    body = client.get(URL, {"q": "nursng", "mode": "online"}).json()

    assert body["count"] == 0 and body["suggestion"] is None


def test_suggestion_in_chinese_api(client, vocabulary):
    body = client.get(URL, {"q": "微證晝"}).json()

    assert body["count"] == 0 and body["suggestion"] == "微證書"


def test_results_page_says_did_you_mean_in_both_languages(client, vocabulary):
    english = client.get("/search/", {"q": "nursng", "level": "RQF-5"}).content.decode()
    assert "Did you mean" in english
    assert 'href="?q=nursing&amp;level=RQF-5"' in english

    chinese = client.get("/zh-hant/search/", {"q": "nursng"}).content.decode()
    assert "你是否要找" in chinese and ">nursing</a>" in chinese
