"""和暦, 年度 and 満年齢 as Japanese public administration writes and counts them."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template

from kasane.core.dates import (
    age_on,
    era_of,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_short,
    wareki,
)

d = datetime.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (d(2024, 5, 1), "令和6年5月1日"),
        (d(2019, 5, 1), "令和元年5月1日"),
        (d(2019, 4, 30), "平成31年4月30日"),
        (d(2020, 1, 1), "令和2年1月1日"),
        (d(1989, 1, 7), "昭和64年1月7日"),
        (d(1989, 1, 8), "平成元年1月8日"),
        (d(1990, 1, 1), "平成2年1月1日"),
        (d(1926, 12, 24), "大正15年12月24日"),
        (d(1926, 12, 25), "昭和元年12月25日"),
        (d(1912, 7, 29), "明治45年7月29日"),
        (d(1912, 7, 30), "大正元年7月30日"),
        (d(1873, 1, 1), "明治6年1月1日"),
        (d(1946, 8, 3), "昭和21年8月3日"),
    ],
)
def test_wareki(day: datetime.date, expected: str) -> None:
    assert wareki(day) == expected


def test_before_the_gregorian_calendar_no_era_is_shown() -> None:
    assert era_of(d(1872, 12, 31)) is None
    assert wareki(d(1872, 12, 31)) == "1872年12月31日"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (d(2025, 3, 31), 2024),
        (d(2025, 4, 1), 2025),
        (d(2024, 4, 1), 2024),
        (d(2024, 12, 31), 2024),
        (d(2025, 1, 1), 2024),
    ],
)
def test_fiscal_year_runs_april_to_march(day: datetime.date, expected: int) -> None:
    assert fiscal_year(day) == expected


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2024) == (d(2024, 4, 1), d(2025, 3, 31))
    # A 年度 ending in a leap year's March is still 31 March.
    assert fiscal_year_bounds(2023) == (d(2023, 4, 1), d(2024, 3, 31))


def test_every_day_falls_in_the_fiscal_year_whose_bounds_hold_it() -> None:
    day = d(2023, 1, 1)
    while day < d(2026, 1, 1):
        first, last = fiscal_year_bounds(fiscal_year(day))
        assert first <= day <= last
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("year", "label", "short"),
    [
        (2024, "令和6年度", "R6"),
        (2019, "令和元年度", "R1"),
        (2020, "令和2年度", "R2"),
        (2018, "平成30年度", "H30"),
        (1989, "平成元年度", "H1"),
        (1988, "昭和63年度", "S63"),
        (1926, "昭和元年度", "S1"),
        (1925, "大正14年度", "T14"),
    ],
)
def test_fiscal_year_label_and_short_form(year: int, label: str, short: str) -> None:
    assert fiscal_year_label(year) == label
    assert fiscal_year_short(year) == short


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (d(1944, 6, 1), d(2026, 5, 31), 81),  # birthday tomorrow
        (d(1944, 6, 1), d(2026, 6, 1), 82),  # birthday today
        (d(1944, 6, 1), d(2026, 6, 2), 82),
        (d(2000, 2, 29), d(2025, 2, 28), 24),  # no 29 February this year: not yet
        (d(2000, 2, 29), d(2025, 3, 1), 25),
        (d(2000, 2, 29), d(2024, 2, 29), 24),
        (d(2000, 2, 29), d(2024, 2, 28), 23),
        (d(2026, 4, 1), d(2026, 4, 1), 0),
        (d(2026, 4, 2), d(2026, 4, 1), 0),  # not born yet: never negative
    ],
)
def test_age_on(birth: datetime.date, on: datetime.date, age: int) -> None:
    assert age_on(birth, on) == age


def test_template_filters_show_wareki_beside_iso_dates() -> None:
    html = Template("{{ day|wareki_date }} {{ year|fiscal_year }}").render(
        Context({"day": d(2019, 5, 1), "year": 2019})
    )
    assert html == (
        '<time datetime="2019-05-01">令和元年5月1日<span class="iso">（2019-05-01）</span></time>'
        " 令和元年度"
    )


def test_wareki_filter_shows_local_time_for_datetimes() -> None:
    moment = datetime.datetime(2019, 4, 30, 15, 30, tzinfo=datetime.UTC)  # 00:30 JST 5/1
    html = Template("{{ moment|wareki_date }}").render(Context({"moment": moment}))
    assert "令和元年5月1日 00:30" in html
    assert "（2019-05-01）" in html


def test_wareki_filter_for_no_date() -> None:
    assert Template("{{ day|wareki_date }}").render(Context({"day": None})) == "—"
