"""CSV exports: formula injection defused, encodings right, nothing lost silently."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse

from kasane.core.exports import GETA, csv_response, neutralise


def _rows(response: HttpResponse, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode(encoding), newline="")))


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        "+81-3-1234",
        "-3",
        "@SUM(A1)",
        "\t=cmd",
        "\r=cmd",
        '  =HYPERLINK("http://x")',
        "\u3000=1",
        "＝1+1",
        "=cmd|' /C calc'!A0",
        "\u2212SUM(1+1)",  # MINUS SIGN: written as the full-width － in CP932
        "\u00a0=1",  # after a no-break space
    ],
)
def test_dangerous_prefixes_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["山田 太郎", "1-2-3 番地", "a=b", "mail@example.jp", ""])
def test_plain_text_is_left_alone(cell):
    assert neutralise(cell) == cell


def test_numbers_stay_numbers_but_number_like_strings_do_not():
    assert neutralise(-3) == "-3"
    assert neutralise(Decimal("-1.50")) == "-1.50"
    assert neutralise(-0.5) == "-0.5"
    assert neutralise("-3") == "'-3"


def test_none_is_empty_and_dates_are_iso_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    assert neutralise(None) == ""
    assert neutralise(datetime.date(2025, 4, 1)) == "2025-04-01"
    # 16:30 UTC on 31 March is 1 April in Tokyo: the day the worker saw on the screen.
    utc = datetime.datetime(2025, 3, 31, 16, 30, tzinfo=ZoneInfo("UTC"))
    assert neutralise(utc) == "2025-04-01 01:30:00"
    assert neutralise(True) == "TRUE"


def test_utf8_has_a_bom_and_round_trips():
    response = csv_response(
        "支援ケース一覧.csv",
        ["番号", "氏名"],
        [["R7-1", "=evil()"], ["R7-2", None]],
        encoding="utf-8-sig",
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert _rows(response, "utf-8-sig") == [["番号", "氏名"], ["R7-1", "'=evil()"], ["R7-2", ""]]
    assert b"\r\n" in response.content


def test_cp932_decodes_and_replaces_what_it_cannot_hold():
    rows = [["髙橋", "﨑山", "絵文字😀", "𠮷野", "〜−"]]
    response = csv_response("一覧.csv", ["a", "b", "c", "d", "e"], rows, encoding="cp932")
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=Windows-31J"
    assert _rows(response, "cp932")[1] == ["髙橋", "﨑山", f"絵文字{GETA}", f"{GETA}野", "～－"]


def test_filename_is_rfc5987_and_names_the_encoding():
    utf8 = csv_response("支援ケース一覧.csv", ["a"], [], encoding="utf-8-sig")
    sjis = csv_response("支援ケース一覧.csv", ["a"], [], encoding="cp932")
    disposition = utf8["Content-Disposition"]
    assert disposition.startswith('attachment; filename="UTF-8.csv"; ')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "支援ケース一覧_UTF-8.csv"
    assert encoded.isascii()
    assert unquote(sjis["Content-Disposition"].split("''", 1)[1]) == "支援ケース一覧_SJIS.csv"


def test_filename_cannot_break_the_header():
    response = csv_response('a"b\r\nX-Evil: 1.csv', ["a"], [], encoding="utf-8-sig")
    assert "\n" not in response["Content-Disposition"]
    assert 'filename="a_b__X-Evil: 1_UTF-8.csv"' in response["Content-Disposition"]
