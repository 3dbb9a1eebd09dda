"""Parsing what a learner typed into text-search groups."""

from credentials.search.query import number_query_key, parse_query


def test_english_words_are_anded():
    assert parse_query("accounting  nurses").tsquery_texts() == [
        [[("english", "accounting & nurses")]]
    ]


def test_chinese_fragment_becomes_a_bigram_phrase_after_folding():
    groups = parse_query("计算金融").tsquery_texts()
    assert groups == [[[("simple", "(計算 <-> 算金 <-> 金融)")]]]


def test_one_chinese_character_is_a_prefix_match():
    assert parse_query("金").tsquery_texts() == [[[("simple", "(金:*)")]]]


def test_mixed_query_has_both_parts():
    assert parse_query("AI 人工智能").tsquery_texts() == [
        [[("english", "ai"), ("simple", "(人工 <-> 工智 <-> 智能)")]]
    ]


def test_synonyms_expand_both_ways():
    hnc = parse_query("HNC").tsquery_texts()
    assert [("english", "higher <-> national <-> certificate")] in hnc[0]
    long_form = parse_query("higher national certificate").tsquery_texts()
    assert [("english", "hnc")] in long_form[0]
    micro = parse_query("微证书").tsquery_texts()
    assert [("english", "micro <-> credential")] in micro[0]


def test_ofqual_synonym_file_is_used():
    groups = parse_query("BTEC").tsquery_texts()
    assert [("english", "other <-> general <-> qualification")] in groups[0]


def test_registration_keys_ignore_separators_and_case():
    assert number_query_key("603/2476/0") == "60324760"
    assert number_query_key(" 24/000123/l4 ") == "24000123L4"
    assert number_query_key("accounting") is None
    assert number_query_key("12") is None


def test_control_characters_are_dropped():
    assert parse_query("data\x00 science\x07").text == "data science"


def test_operators_typed_by_a_user_cannot_reach_tsquery():
    texts = parse_query("a & b | !c <-> (d) 'e':*").tsquery_texts()
    assert texts == [[[("english", "a & b & c & d & e")]]]


def test_a_level_is_a_qualification_name_not_the_word_level():
    """Every spelling of "A level" is the document's canonical word, never plain "level"."""
    for spelling in ("A level", "A-levels", "a levels", "GCE A Level", "alevel"):
        assert parse_query(spelling).tsquery_texts() == [[[("english", "alevel")]]], spelling
    assert parse_query("AS-level").tsquery_texts() == [[[("english", "aslevel")]]]
    assert parse_query("A level maths").tsquery_texts() == [
        [[("english", "maths")]],
        [[("english", "alevel")]],
    ]


def test_slash_joined_names_mean_either():
    groups = parse_query("HNC/HND").tsquery_texts()

    assert len(groups) == 1
    assert [("english", "hnc")] in groups[0] and [("english", "hnd")] in groups[0]
    assert [("english", "higher <-> national <-> diploma")] in groups[0]


def test_hong_kong_names_expand_to_both_languages():
    groups = parse_query("高级文凭").tsquery_texts()
    assert [("english", "higher <-> diploma")] in groups[0]
    groups = parse_query("CEF").tsquery_texts()
    assert [("simple", "(持續 <-> 續進 <-> 進修 <-> 修基 <-> 基金)")] in groups[0]
