"""The 町丁目 of an address in the register file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from kasane.registry.models import Area

_KANJI_NUMERALS = "〇一二三四五六七八九"


def _kanji_number(number: int) -> str:
    if number < 10:
        return _KANJI_NUMERALS[number]
    tens, ones = divmod(number, 10)
    return (
        ("" if tens == 1 else _KANJI_NUMERALS[tens])
        + "十"
        + (_KANJI_NUMERALS[ones] if ones else "")
    )


def _address_key(text: str) -> str:
    """NFKC, no spaces, 丁目 numbers in kanji: 緑町3丁目 and 緑町 三丁目 compare equal."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"(\d{1,2})丁目", lambda m: _kanji_number(int(m.group(1))) + "丁目", value)


class AreaMatcher:
    """The 町丁目 an address lies in: the longest block name the address contains after the
    city's name (so 緑町一丁目 is not taken for 緑町十一丁目's prefix, nor the reverse)."""

    def __init__(self, blocks: Sequence[Area]) -> None:
        self.blocks = sorted(
            ((_address_key(a.name), a) for a in blocks), key=lambda pair: -len(pair[0])
        )

    def __call__(self, address: str) -> Area | None:
        key = _address_key(address)
        for name, area in self.blocks:
            at = key.find(name)
            # The block name must be followed by the 番地 (a digit or a dash), or end it.
            if at >= 0 and (len(key) == at + len(name) or not key[at + len(name)].isalpha()):
                return area
        return None
