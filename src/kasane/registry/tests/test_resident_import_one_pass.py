"""The resident import names every bad row of every kind in one pass (issue 14, Why 8).

A file with a row in romaji kana and another row's future date of birth named only the first;
the second appeared after the first was fixed. Rows with too many or too few columns were
taken (the extra cells dropped, the missing ones read as empty).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from kasane.registry.import_services import ResidentImportError, residents_import
from kasane.registry.models import Person
from kasane.registry.resident_import import parse
from kasane.registry.tests.test_resident_import import GOOD, HEADER, csv_bytes

pytestmark = pytest.mark.clock

LINES = [
    HEADER,
    GOOD[1],  # 2: fine
    "H0001,100002,草野 ミツ,Kusano Mitsu,1946-08-03,女,妻,,",  # 3: kana in romaji
    "H0002,100004,堀田 キヨ,ホッタ キヨ,2999-02-11,女,世帯主,,",  # 4: born in the future
    "H0002,100005,堀田 一,ホッタ ハジメ,1970-01-01,男,子,,,余分",  # 5: one column too many
    "H0002,100006,堀田 二郎,ホッタ ジロウ,1972-01-01,男",  # 6: columns missing
    "H0003,100007,森 一,モリ ハジメ,1980-01-01,男,子,,",  # 7: a new household with no head
    "H0004,100008,林 ゆき,ハヤシ ユキ,1950-01-01,X,世帯主,,",  # 8: sex unknown to Kasane
    "H0004,100009,林 さくら,ハヤシ サクラ,1980-01-01,女,子,,",  # 9: its head is row 8
    "H0005,100010,森 花,モリ ハナ,1940-01-01,女,世帯主,,2999-01-01",  # 10: moved in the future
]


def _by_line(errors: Any) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for error in errors:
        found.setdefault(error.line, []).append(error.message)
    return found


def test_the_parser_names_future_dates_and_column_counts_with_the_other_faults() -> None:
    with translation.override("en"):
        by_line = _by_line(parse(csv_bytes(LINES)).errors)
    assert sorted(by_line) == [3, 4, 5, 6, 8, 10]
    assert any("kana" in m for m in by_line[3])
    assert any("future" in m for m in by_line[4])
    assert any("10 columns" in m and "9" in m for m in by_line[5])
    assert any("6 columns" in m and "9" in m for m in by_line[6])
    assert any("future" in m for m in by_line[10])


@pytest.mark.django_db
def test_the_import_adds_the_registers_faults_in_the_same_pass(coordinator: Any) -> None:
    parsed = parse(csv_bytes(LINES))
    with pytest.raises(ResidentImportError) as refused:
        residents_import(
            actor=coordinator,
            rows=parsed.rows,
            faults=parsed.errors,
            incomplete=parsed.refused_households,
        )
    by_line = _by_line(refused.value.errors)
    # Line 7's household has no head; line 9's head is refused on line 8, not missing.
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 10]
    assert any("H0003" in m for m in by_line[7])
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_the_page_lists_every_bad_row_at_once(login: Any, coordinator: Any) -> None:
    upload = SimpleUploadedFile("jumin.csv", csv_bytes(LINES), content_type="text/csv")
    response = login(coordinator).post(reverse("registry:resident_import"), {"file": upload})
    assert sorted({e.line for e in response.context["errors"]}) == [3, 4, 5, 6, 7, 8, 10]
    assert Person.objects.count() == 0
