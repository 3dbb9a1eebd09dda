"""CJK folding and bigrams: Python (queries) and PostgreSQL (documents) must agree."""

import pytest
from django.db import connection

from credentials.search import cjk


def test_simplified_folds_to_traditional():
    assert cjk.fold("微证书 计算金融") == "微證書 計算金融"


def test_traditional_text_is_left_alone():
    assert cjk.fold("香港大學微證書課程") == "香港大學微證書課程"


def test_folding_twice_changes_nothing():
    for source in cjk.fold_map():
        assert cjk.fold(cjk.fold(source)) == cjk.fold(source)


def test_runs_are_split_from_latin_text():
    assert cjk.cjk_runs("AI人工智能 and 微证书, 課程") == ["人工智能", "微證書", "課程"]
    assert cjk.strip_cjk("AI人工智能 course").split() == ["AI", "course"]


def test_bigrams_overlap():
    assert cjk.bigrams("微證書課程") == ["微證", "證書", "書課", "課程"]
    assert cjk.bigrams("金") == ["金"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "微证书",
        "香港大學微證書課程：计算金融及金融科技",
        "AI 人工智能",
        "English only",
        "台灣 裡 里",
    ],
)
def test_database_fold_and_terms_match_python(text):
    """The SQL functions installed by the migration fold and split exactly as Python does."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_search_fold(%s), credentials_search_cjk_terms(%s)", [text, text]
        )
        folded, terms = cursor.fetchone()
    assert folded == cjk.fold(text)
    expected = []
    for run in cjk.cjk_runs(text):
        expected.extend(cjk.bigrams(run) if len(run) > 1 else [])
        expected.append(run[-1])
    assert terms.split() == expected
