"""Normalising names for search and 名寄せ (matching the same person across records).

Staff type カナ in full or half width, in hiragana or katakana, with or without spaces, and
write old and new forms of the same kanji (髙/高, 﨑/崎). One normaliser turns all of these
into the same string; the search index stores the bigrams of that string, so a query of
two characters (most surnames) is served by the index on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import unicodedata

HIRAGANA_START = 0x3041
HIRAGANA_END = 0x3096
KATAKANA_OFFSET = 0x60

# 異体字 commonly found in resident records, folded to the form most people type.
VARIANT_KANJI = str.maketrans(
    {
        "髙": "高",
        "﨑": "崎",
        "嵜": "崎",
        "邊": "辺",
        "邉": "辺",
        "齋": "斎",
        "齊": "斎",
        "濵": "浜",
        "濱": "浜",
        "德": "徳",
        "澤": "沢",
        "櫻": "桜",
        "廣": "広",
        "國": "国",
        "眞": "真",
        "惠": "恵",
        "瀨": "瀬",
        "圓": "円",
        "團": "団",
        "龍": "竜",
        "槇": "槙",
        "冨": "富",
        "𠮷": "吉",
    }
)

# Characters allowed in a カナ氏名 besides kana letters: separators a person may type.
KANA_NAME_SEPARATORS = frozenset(" ・=＝゠")
# Marks that belong to a kana name but are not letters: 長音 and the iteration marks.
KANA_NAME_MARKS = frozenset("ーヽヾ")


def to_katakana(value: str) -> str:
    """NFKC (half width → full width) and hiragana → katakana; spacing is kept."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(
        chr(ord(c) + KATAKANA_OFFSET)
        if HIRAGANA_START <= ord(c) <= HIRAGANA_END or c in "ゝゞ"
        else c
        for c in text
    )


def normalize(value: str) -> str:
    """The comparable form of a name or カナ: katakana, full width, lower case, old kanji
    folded, and only letters and digits kept (spaces, dots and punctuation dropped)."""
    text = to_katakana(value).casefold().translate(VARIANT_KANJI)
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def is_kana_name(value: str) -> bool:
    """True when the value is a name written in kana (hiragana or katakana, any width)."""
    text = to_katakana(value).strip()
    if not text:
        return False
    has_letter = False
    for c in text:
        if c in KANA_NAME_SEPARATORS or c in KANA_NAME_MARKS:
            continue
        if unicodedata.name(c, "").startswith("KATAKANA LETTER"):
            has_letter = True
            continue
        return False
    # A name has at least one letter: "ー" or "・" alone is not a name.
    return has_letter


def bigrams(normalized: str) -> list[str]:
    """Overlapping pairs, plus the last character alone so one-character queries find it."""
    if not normalized:
        return []
    pairs = [normalized[i : i + 2] for i in range(len(normalized) - 1)]
    pairs.append(normalized[-1])
    return pairs


def search_tokens(*values: str) -> str:
    """The space-separated tokens stored in the search index for a person."""
    seen: dict[str, None] = {}
    for value in values:
        for token in bigrams(normalize(value)):
            seen.setdefault(token, None)
    return " ".join(seen)


def query_tokens(query: str) -> list[str]:
    """Tokens a query must all match: its bigrams, or the single character it is."""
    normalized = normalize(query)
    if len(normalized) == 1:
        return [normalized]
    return list(dict.fromkeys(normalized[i : i + 2] for i in range(len(normalized) - 1)))
