"""The coordinator imports households from the 住民記録 in the browser: a file with a fault is
refused with its line and reason, the good file is checked first (nothing written), then
imported on confirmation; the households appear in the list."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kasane.registry.models import Household, Person
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "世帯番号,宛名番号,氏名,カナ氏名,生年月日,性別,続柄,住所,異動日"
ROWS = [
    "R0001,900001,湖畔 一郎,コハン イチロウ,昭和22年5月3日,男,世帯主,かさね市本町一丁目3-4,"
    "2019-04-01",
    "R0001,900002,湖畔 ハナ,コハン ハナ,S24.2.11,女,妻,かさね市本町一丁目3-4,2019-04-01",
    "R0002,900003,湖畔 健,コハン ケン,1975-10-10,男,世帯主,かさね市本町一丁目5-1,令和2年4月1日",
]


def _file(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp932"))
    return path


def test_coordinator_imports_the_resident_register(page, live_server, demo_city, tmp_path):
    base = live_server.url
    sign_in(page, base, "coordinator")
    page.goto(f"{base}/registry/households/")
    page.get_by_test_id("resident-import-link").click()

    bad = _file(tmp_path, "bad.csv", [ROWS[0], ROWS[1].replace("S24.2.11", "S24.2.30"), ROWS[2]])
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_test_id("check-form").locator("button[type=submit]").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(errors.locator("td.num").first).to_have_text("3")
    shoot(page, "19-resident-import-errors")
    assert not Household.objects.filter(register_number__startswith="R").exists()

    good = _file(tmp_path, "good.csv", ROWS)
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_test_id("check-form").locator("button[type=submit]").click()
    preview = page.get_by_test_id("import-preview")
    expect(preview).to_be_visible()
    expect(preview.locator("table.counts td").first).to_have_text("2")
    shoot(page, "20-resident-import-preview")
    assert not Person.objects.filter(resident_number__startswith="9000").exists()

    page.get_by_test_id("confirm-form").locator("input[type=file]").set_input_files(str(good))
    page.get_by_test_id("confirm-form").locator("button[type=submit]").click()
    expect(page.get_by_text("湖畔 一郎").first).to_be_visible()
    shoot(page, "21-resident-import-done")
    assert Person.objects.filter(resident_number__startswith="9000").count() == 3
    assert set(
        Household.objects.filter(register_number__startswith="R").values_list(
            "register_number", flat=True
        )
    ) == {"R0001", "R0002"}
