"""Name normalisation for search and 名寄せ: one comparable form whatever staff type."""

from __future__ import annotations

import random
import string

import pytest

from kasane.core.kana import (
    bigrams,
    is_kana_name,
    normalize,
    query_tokens,
    search_tokens,
    to_katakana,
)


@pytest.mark.parametrize(
    "typed",
    [
        "クサノ カズオ",
        "くさの かずお",
        "ｸｻﾉ ｶｽﾞｵ",
        "ｸｻﾉｶｽﾞｵ",
        "クサノ　カズオ",  # full-width space
        "くさのカズオ",
        " クサノ・カズオ ",
    ],
)
def test_normalize_ignores_script_width_and_spacing(typed: str) -> None:
    assert normalize(typed) == "クサノカズオ"


def test_normalize_folds_latin_width_and_case() -> None:
    assert normalize("ＪＯＨＮ Smith") == normalize("john smith") == "johnsmith"
    assert normalize("１２３") == "123"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("髙木 昭", "高木 昭"),
        ("山﨑", "山崎"),
        ("渡邊", "渡辺"),
        ("齋藤", "斎藤"),
        ("𠮷田", "吉田"),
        ("濵田", "浜田"),
    ],
)
def test_normalize_folds_variant_kanji(old: str, new: str) -> None:
    assert normalize(old) == normalize(new)


def test_normalize_keeps_the_prolonged_sound_mark_and_iteration_marks() -> None:
    assert normalize("ﾕｰｺ") == "ユーコ"
    assert normalize("すゞき") == "スヾキ" == normalize("スヾキ")
    assert normalize("佐々木") == "佐々木"


def test_to_katakana_keeps_spacing() -> None:
    assert to_katakana("くさの　かずお") == "クサノ カズオ"


@pytest.mark.parametrize(
    "name",
    [
        "ｸｻﾉ ｶｽﾞｵ",
        "くさの",
        "クサノ",
        "クサノ・ジョン",
        "クサノ＝ジョン",
        "クサノ゠ジョン",
        "クサノ　カズオ",
        "ユーコ",
        "ヴァン",
        "スヾキ",
    ],
)
def test_kana_names_are_accepted(name: str) -> None:
    assert is_kana_name(name)


@pytest.mark.parametrize(
    "name",
    ["草野", "", "   ", "　", "123", "クサノ1", "kusano", "クサノ和夫", "・", "ー", "・ー・", "＝"],
)
def test_other_text_is_not_a_kana_name(name: str) -> None:
    assert not is_kana_name(name)


def test_bigrams_with_the_last_character_alone() -> None:
    assert bigrams("サトウ") == ["サト", "トウ", "ウ"]
    assert bigrams("林") == ["林"]
    assert bigrams("") == []


def test_search_tokens_cover_name_and_kana_without_repeats() -> None:
    tokens = search_tokens("髙木 翔", "タカギ ショウ").split(" ")
    assert tokens == ["高木", "木翔", "翔", "タカ", "カギ", "ギシ", "ショ", "ョウ", "ウ"]


def test_query_tokens() -> None:
    assert query_tokens("たかぎ") == ["タカ", "カギ"]
    assert query_tokens("髙") == ["高"]
    assert query_tokens("ｻｻｻ") == ["ササ"]
    assert query_tokens("   ") == []
    assert query_tokens("***") == []


def test_every_query_token_is_in_the_index_of_a_name_containing_the_query() -> None:
    tokens = set(search_tokens("草野 和夫", "クサノ カズオ").split())
    for query in ["草野", "野和", "くさの", "ｶｽﾞｵ", "サノカ", "和夫"]:
        assert set(query_tokens(query)) <= tokens, query


ODD = [
    '"',
    "*",
    "'",
    "&",
    ":",
    '"草野" OR *',
    "a' OR '1'='1",
    "佐藤:*",
    "& | ! ( )",
    "NEAR(佐藤 鈴木)",
    "\\\\x00",
    "\x00\x01\x1f",
    "‘’“”",
    "＂＊＇＆：",
    "草 野\t\n",
    "ｸｻﾉ*",
    "İstanbul ß ﬁ",
    "①②③ ½",
    "e\u0301",
    "か\u3099",
    "゛゜",
    "😀🇯🇵",
    "\u200b\u200d\ufeff",
    "<script>alert(1)</script>",
    "%_\\",
    "-- ;",
]
FORBIDDEN = set("\"*'&:|!()<>\\;-%_ \t\n\x00")


def _random_strings(count: int) -> list[str]:
    rng = random.Random(20260401)
    pool = (
        string.printable
        + "　・＝ー々〆ヶゝゞヽヾ゛゜"
        + "くさのかずおクサノカズオｸｻﾉｶｽﾞｵ草野髙木﨑𠮷"
        + "＂＊＇＆：（）！｜"
        + "\u3099\u309a\u0301\u200b\ufeff"
    )
    return ["".join(rng.choice(pool) for _ in range(rng.randint(0, 12))) for _ in range(count)]


@pytest.mark.parametrize("text", ODD + _random_strings(500))
def test_tokens_hold_only_letters_and_digits(text: str) -> None:
    """Tokens go inside full-text match expressions; no operator or quote may reach them."""
    for token in [*search_tokens(text, text).split(), *query_tokens(text)]:
        assert token
        assert not set(token) & FORBIDDEN, (text, token)
        assert all(c.isalnum() for c in token), (text, token)
        assert 1 <= len(token) <= 2


@pytest.mark.parametrize("text", ODD + _random_strings(200))
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)
