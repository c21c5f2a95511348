"""Case numbers: 年度 in 和暦 and a sequence, ``R8-0001``; never twice the same."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone

from kasane.cases import services
from kasane.cases.models import Case, CaseNumberCounter
from kasane.core.dates import fiscal_year, fiscal_year_short

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


@pytest.mark.django_db
def test_numbers_follow_the_fiscal_year(caseworker, household):
    opened = [
        _at(2026, 4, 1, 9),  # 令和8年度 starts
        _at(2026, 12, 28, 17),
        _at(2027, 3, 31, 23, 59),  # still 令和8年度
        _at(2027, 4, 1, 0, 0),  # 令和9年度
    ]
    numbers = [
        services.case_open(actor=caseworker, household=household, opened_at=at).number
        for at in opened
    ]
    assert numbers == ["R8-0001", "R8-0002", "R8-0003", "R9-0001"]
    assert Case.objects.get(number="R9-0001").fiscal_year == 2027


@pytest.mark.django_db
def test_the_fiscal_year_is_the_one_in_japan(caseworker, household):
    # 2027-03-31 16:00 UTC is already 4月1日 in Tokyo: the new 年度.
    at = datetime.datetime(2027, 3, 31, 16, 0, tzinfo=datetime.UTC)
    assert services.case_open(actor=caseworker, household=household, opened_at=at).number == (
        "R9-0001"
    )


@pytest.mark.django_db
def test_todays_case_gets_this_years_prefix(caseworker, household):
    case = services.case_open(actor=caseworker, household=household)
    prefix = fiscal_year_short(fiscal_year(timezone.localdate()))
    assert re.fullmatch(rf"{prefix}-\d{{4}}", case.number)


@pytest.mark.django_db
def test_many_cases_one_after_another_are_all_different(caseworker, household):
    numbers = {services.case_open(actor=caseworker, household=household).number for _ in range(25)}
    assert len(numbers) == 25
    year = fiscal_year(timezone.localdate())
    assert CaseNumberCounter.objects.get(fiscal_year=year).last == 25
