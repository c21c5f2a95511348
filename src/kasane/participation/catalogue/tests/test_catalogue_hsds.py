"""HSDS 3.0 import and export: round trips, per-row errors in bad files, all or nothing,
re-import by id."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from kasane.accounts.models import Role, Staff
from kasane.conftest import AreaFactory, StaffFactory
from kasane.participation.catalogue import hsds, selectors, services
from kasane.participation.catalogue.hsds import export as hsds_export
from kasane.participation.catalogue.tests.catalogue_factories import make_place
from kasane.participation.models import Opportunity, Resource, Schedule
from kasane.registry.models import AreaKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker() -> Staff:
    return StaffFactory.create(username="sanka", role=Role.PARTICIPATION_WORKER)


def export() -> list[dict[str, Any]]:
    return [hsds.service_record(o) for o in selectors.catalogue_for_export()]


def test_export_is_hsds_shaped(worker: Staff) -> None:
    area = AreaFactory.create(code="K101", name="本町一丁目")
    place = make_place(worker, area=area)
    (record,) = export()
    assert record["id"] == str(place.public_id)
    assert record["status"] == "active"
    assert record["organization"]["name"] == "NPO法人 ひだまりの会"
    (schedule,) = record["schedules"]
    assert (schedule["freq"], schedule["byday"], schedule["opens_at"]) == (
        "MONTHLY",
        "2TU,4TU",
        "10:00",
    )
    location = record["service_at_locations"][0]["location"]
    assert location["addresses"][0]["address_1"] == "かさね市本町一丁目2-3"
    assert record["cost_options"][0] == record["cost_options"][0] | {
        "amount": 100,
        "currency": "JPY",
    }
    terms = {
        (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]) for a in record["attributes"]
    }
    assert {
        ("kasane:kind", "ibasho"),
        ("kasane:area", "K101"),
        ("kasane:accessibility", "no_speaking"),
    } <= terms
    for key in record:
        assert key in hsds.FIELDS["service"]


def test_json_round_trip_recreates_the_catalogue(worker: Staff) -> None:
    AreaFactory.create(code="K101", name="本町一丁目")
    make_place(worker)
    make_place(
        worker, name="農園ボランティア", kinds=("volunteer", "intermediate_work"), vacancies=0
    )
    before = export()
    data = hsds.to_json(before)
    Schedule.objects.all().delete()
    Opportunity.objects.all().delete()
    Resource.objects.all().delete()
    result = services.catalogue_import(actor=worker, records=hsds.records_from_json(data))
    assert (result.created, result.updated) == (2, 0)
    assert export() == before


def test_csv_package_round_trip(worker: Staff, tmp_path: Path) -> None:
    make_place(worker)
    before = export()
    call_command("catalogue_export", str(tmp_path / "out.zip"), "--format", "csv")
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert {"services.csv", "schedules.csv", "organizations.csv"} <= set(archive.namelist())
    Opportunity.objects.all().delete()
    call_command("catalogue_import", str(tmp_path / "out.zip"))
    assert export() == before
    # A directory of CSV files works too, and importing again is idempotent.
    call_command("catalogue_export", str(tmp_path / "dir"), "--format", "csv")
    call_command("catalogue_import", str(tmp_path / "dir"))
    assert Opportunity.objects.count() == 1
    assert export() == before


def test_reimport_by_id_updates_instead_of_duplicating(worker: Staff) -> None:
    make_place(worker)
    records = export()
    records[0]["name"] = "居場所カフェ「ひだまり」本町"
    records[0]["schedules"][0]["byday"] = "1TU,3TU"
    result = services.catalogue_import(actor=worker, records=records)
    assert (result.created, result.updated) == (0, 1)
    place = Opportunity.objects.get()
    assert place.name == "居場所カフェ「ひだまり」本町"
    assert [s.text_ja for s in place.schedules.all()] == ["毎月第1・第3火曜 10:00〜12:00"]
    assert Schedule.objects.count() == 1
    services.catalogue_import(actor=worker, records=records)
    assert (Opportunity.objects.count(), Schedule.objects.count(), Resource.objects.count()) == (
        1,
        1,
        1,
    )


def test_bad_rows_are_all_reported_and_nothing_is_imported(worker: Staff) -> None:
    make_place(worker)
    good = export()[0]
    new_good = copy.deepcopy(good)
    new_good["id"] = "3f1b4a0e-8c2d-4f5e-9a6b-7c8d9e0f1a2b"
    new_good["name"] = "新しい居場所"
    bad_schedule = copy.deepcopy(good)
    bad_schedule["id"] = "4f1b4a0e-8c2d-4f5e-9a6b-7c8d9e0f1a2b"
    bad_schedule["schedules"][0]["byday"] = "2TUE"
    bad_schedule["schedules"][0]["closes_at"] = "09:00"
    unknown = copy.deepcopy(good)
    unknown["id"] = "5f1b4a0e-8c2d-4f5e-9a6b-7c8d9e0f1a2b"
    unknown["opening_hours"] = "火曜"
    with pytest.raises(services.CatalogueImportError) as caught:
        services.catalogue_import(actor=worker, records=[new_good, bad_schedule, unknown])
    faults = caught.value.messages
    assert any("2" in f and "4f1b4a0e" in f and "byday" in f and "2TUE" in f for f in faults), (
        faults
    )
    assert any("4f1b4a0e" in f and "closes_at" in f for f in faults), faults
    assert any("3" in f and "5f1b4a0e" in f and "opening_hours" in f for f in faults), faults
    assert not any("3f1b4a0e" in f for f in faults)
    # The sound record was not imported either: one transaction, all or nothing.
    assert Opportunity.objects.count() == 1


def test_csv_faults_name_file_and_row(worker: Staff) -> None:
    make_place(worker)
    package = hsds.to_csv_zip(export())
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    schedules = files["schedules.csv"].decode("utf-8-sig").replace("2TU,4TU", "2XX")
    files["schedules.csv"] = schedules.encode()
    files["services.csv"] = (
        files["services.csv"].decode("utf-8-sig").replace("assured_date", "checked").encode()
    )
    records, faults = hsds.records_from_tables(files)
    assert any("services.csv" in f and "checked" in f for f in faults), faults
    _, parse_faults = hsds.parse_services(records, {})
    assert any("schedules.csv" in f and "2" in f and "byday" in f for f in parse_faults), (
        parse_faults
    )


def test_unreadable_files_and_command_errors(tmp_path: Path) -> None:
    with pytest.raises(hsds.ImportFileError):
        hsds.read_file("x.json", b"{not json")
    with pytest.raises(hsds.ImportFileError):
        hsds.read_file("x.zip", b"not a zip")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"id": "nope", "name": ""}]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("catalogue_import", str(path))


def test_import_needs_an_editor() -> None:
    caseworker = StaffFactory.create(role=Role.CASEWORKER)
    with pytest.raises(PermissionDenied):
        services.catalogue_import(actor=caseworker, records=[])


def test_area_codes_must_exist(worker: Staff) -> None:
    AreaFactory.create(code="K1", name="北部圏域", kind=AreaKind.CITY)
    make_place(worker)
    record = export()[0]
    record["attributes"].append(
        hsds_export.attribute(Opportunity.objects.get().public_id, hsds.TAX_AREA, "ZZZ", "?")
    )
    with pytest.raises(services.CatalogueImportError, match="ZZZ"):
        services.catalogue_import(actor=worker, records=[record])
