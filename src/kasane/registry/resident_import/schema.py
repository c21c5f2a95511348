"""What a 住民記録 file may hold: its columns and their words, and what parsing gives back."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

from kasane.registry.models import Relationship, Sex

Encoding = Literal["utf-8", "cp932"]
ENCODINGS: tuple[Encoding, ...] = ("utf-8", "cp932")
# Column → the headings a register export may give it (after NFKC and removing spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "household_number": ("世帯番号", "世帯コード"),
    "address_number": ("宛名番号", "宛名コード", "個人コード"),
    "resident_code": ("住民票コード",),
    "name": ("氏名", "漢字氏名", "氏名(漢字)"),
    "kana": ("カナ氏名", "氏名カナ", "フリガナ", "ふりがな", "氏名(カナ)"),
    "birth_date": ("生年月日",),
    "sex": ("性別",),
    "relationship": ("続柄", "世帯主との続柄"),
    "address": ("住所",),
    "moved_on": ("異動日", "異動年月日"),
}
REQUIRED = ("household_number", "name", "kana", "birth_date", "relationship")
FORBIDDEN_HEADINGS = ("個人番号", "マイナンバー")
MAX_LENGTH = {
    "household_number": 20,
    "resident_number": 20,
    "name": 100,
    "kana": 100,
    "address": 200,
}
# 続柄 as the register writes it → Relationship. Anything else is refused, not guessed.
RELATIONSHIPS: dict[str, str] = {
    **dict.fromkeys(("世帯主", "本人"), Relationship.HEAD),
    **dict.fromkeys(("妻", "夫", "配偶者", "妻(未届)", "夫(未届)"), Relationship.SPOUSE),
    **dict.fromkeys(
        (
            "子",
            "長男",
            "長女",
            "二男",
            "次男",
            "二女",
            "次女",
            "三男",
            "三女",
            "四男",
            "四女",
            "養子",
            "養女",
            "養男",
        ),
        Relationship.CHILD,
    ),
    **dict.fromkeys(("子の妻", "子の夫", "嫁", "婿"), Relationship.CHILD_IN_LAW),
    **dict.fromkeys(("父", "母", "養父", "養母"), Relationship.PARENT),
    **dict.fromkeys(("祖父", "祖母"), Relationship.GRANDPARENT),
    **dict.fromkeys(("孫",), Relationship.GRANDCHILD),
    **dict.fromkeys(("兄", "弟", "姉", "妹"), Relationship.SIBLING),
    **dict.fromkeys(
        (
            "妻の父",
            "妻の母",
            "夫の父",
            "夫の母",
            "叔父",
            "伯父",
            "叔母",
            "伯母",
            "甥",
            "姪",
            "孫の妻",
            "孫の夫",
            "曾孫",
            "ひ孫",
            "兄の妻",
            "弟の妻",
            "姉の夫",
            "妹の夫",
            "いとこ",
        ),
        Relationship.OTHER_RELATIVE,
    ),
    **dict.fromkeys(("同居人", "縁故者", "使用人"), Relationship.COHABITANT),
}
# 性別 as words, or as the JIS X 0303 code (1 male, 2 female, 0 unknown, 9 not applicable).
SEXES: dict[str, str] = {
    **dict.fromkeys(("男", "男性", "1", "m", "male"), Sex.MALE),
    **dict.fromkeys(("女", "女性", "2", "f", "female"), Sex.FEMALE),
    **dict.fromkeys(("", "0", "9", "不明"), Sex.UNKNOWN),
}
# A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection);
# no name, kana, number or address in a resident register starts so.
_FORMULA_STARTS = tuple("=+-@\t\r")


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, heading, columns)."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class ResidentRow:
    line: int
    household_number: str
    resident_number: str
    name: str
    kana: str
    birth_date: datetime.date
    sex: str
    relationship: str
    address: str
    moved_on: datetime.date | None


@dataclass
class ParseResult:
    encoding: Encoding
    rows: list[ResidentRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Households with a refused row: whether they have a head cannot be told.
    refused_households: set[str] = field(default_factory=set)
