"""Importing households from the 住民記録 (resident register), issue #7 item 6: what a
municipal coordinator would notice — the file is taken whole or not at all, every fault is
named with its line, and importing the same file again changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from kasane.accounts.models import Role, Staff
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import AgencyFactory, StaffFactory, head_of, make_household
from kasane.registry import selectors
from kasane.registry.import_services import (
    AreaMatcher,
    ResidentImportError,
    may_import_residents,
    residents_import,
)
from kasane.registry.models import Area, AreaKind, Household, Membership, Person, Relationship
from kasane.registry.resident_import import ImportFileError, parse, parse_date

HEADER = "世帯番号,宛名番号,氏名,カナ氏名,生年月日,性別,続柄,住所,異動日"
GOOD = [
    HEADER,
    "H0001,100001,草野 和夫,クサノ カズオ,昭和19年6月1日,男,世帯主,かさね市緑町三丁目2-7,"
    "2020-04-01",
    "H0001,100002,草野 ミツ,クサノ ミツ,S21.8.3,女,妻,かさね市緑町三丁目2-7,2020-04-01",
    "H0001,100003,草野 誠,ｸｻﾉ ﾏｺﾄ,1975/08/03,1,子,かさね市緑町三丁目2-7,2020-04-01",
    "H0002,100004,堀田 キヨ,ほった きよ,19450211,2,世帯主,かさね市本町1丁目5-1,R2.4.1",
]


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def blocks(db: object) -> dict[str, Area]:
    city = Area.objects.create(code="C", name="かさね市", kind=AreaKind.CITY)
    sphere = Area.objects.create(code="S1", name="北圏域", kind=AreaKind.SPHERE, parent=city)
    school = Area.objects.create(
        code="J1", name="第一中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=sphere
    )
    return {
        name: Area.objects.create(code=f"B{i}", name=name, kind=AreaKind.BLOCK, parent=school)
        for i, name in enumerate(["緑町三丁目", "緑町十三丁目", "本町一丁目"])
    }


def run(actor: Staff, data: bytes, encoding: str | None = None, **kw: object):
    parsed = parse(data, encoding)  # type: ignore[arg-type]
    assert parsed.errors == []
    return residents_import(actor=actor, rows=parsed.rows, **kw)  # type: ignore[arg-type]


def snapshot() -> list[tuple[object, ...]]:
    persons = Person.objects.order_by("resident_number").values_list(
        "resident_number",
        "name",
        "kana",
        "birth_date",
        "sex",
        "area_id",
        "search_tokens",
        "updated_at",
    )
    memberships = Membership.objects.order_by("id").values_list(
        "person_id", "household_id", "relationship", "started_on", "ended_on", "updated_at"
    )
    households = Household.objects.order_by("id").values_list(
        "register_number", "address", "area_id", "updated_at"
    )
    return [*persons, *memberships, *households]


# --- reading the file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和50年4月1日", datetime.date(1975, 4, 1)),
        ("昭和５０年０４月０１日", datetime.date(1975, 4, 1)),
        ("S50.4.1", datetime.date(1975, 4, 1)),
        ("s50/04/01", datetime.date(1975, 4, 1)),
        ("平成元年1月8日", datetime.date(1989, 1, 8)),
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("H31.4.30", datetime.date(2019, 4, 30)),
        ("大正15年12月24日", datetime.date(1926, 12, 24)),
        ("1975-04-01", datetime.date(1975, 4, 1)),
        ("1975/4/1", datetime.date(1975, 4, 1)),
        ("19750401", datetime.date(1975, 4, 1)),
        ("1975年4月1日", datetime.date(1975, 4, 1)),
    ],
)
def test_dates_in_iso_and_wareki(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["昭和64年1月8日", "平成32年1月1日", "令和0年5月1日", "S50.2.30", "1975-13-01", "昨日", ""],
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_a_good_file_in_utf8_with_and_without_bom_and_in_cp932() -> None:
    for data, encoding in [
        (csv_bytes(GOOD), "utf-8"),
        (b"\xef\xbb\xbf" + csv_bytes(GOOD), "utf-8"),
        (csv_bytes(GOOD, "cp932"), "cp932"),
    ]:
        parsed = parse(data)
        assert parsed.encoding == encoding
        assert parsed.errors == []
        assert [r.line for r in parsed.rows] == [2, 3, 4, 5]
        son = parsed.rows[2]
        assert (son.name, son.kana, son.sex, son.relationship) == (
            "草野 誠",
            "ｸｻﾉ ﾏｺﾄ",
            "male",
            Relationship.CHILD,
        )
        assert parsed.rows[1].birth_date == datetime.date(1946, 8, 3)
        assert parsed.rows[3].moved_on == datetime.date(2020, 4, 1)


def test_the_encoding_can_be_chosen_and_a_wrong_choice_is_named() -> None:
    assert parse(csv_bytes(GOOD, "cp932"), "cp932").rows[0].name == "草野 和夫"
    with pytest.raises(ImportFileError, match="UTF-8"):
        parse(csv_bytes(GOOD, "cp932"), "utf-8")


def test_columns_in_another_order_with_extras_and_jumin_hyo_code() -> None:
    lines = [
        "備考,住民票コード,氏名,フリガナ,世帯主との続柄,生年月日,世帯番号",
        "メモ,12345678901,鈴木 一郎,スズキ イチロウ,世帯主,1950-01-01,9",
    ]
    row = parse(csv_bytes(lines)).rows[0]
    assert (row.resident_number, row.household_number, row.sex) == ("12345678901", "9", "unknown")


@translation.override("en")  # the reasons as written; the page shows them in Japanese
def test_missing_columns_and_my_number_refuse_the_file() -> None:
    with pytest.raises(ImportFileError, match="世帯番号"):
        parse(csv_bytes(["宛名番号,氏名,カナ氏名,生年月日,続柄", "1,a,ア,1950-01-01,世帯主"]))
    with pytest.raises(ImportFileError, match="My Number"):
        parse(csv_bytes([HEADER + ",個人番号", GOOD[1] + ",123456789012"]))


@translation.override("en")  # the reasons as written; the page shows them in Japanese
def test_every_bad_row_is_listed_with_its_line_and_reason() -> None:
    lines = [
        HEADER,
        GOOD[1],
        "H0001,100002,草野 ミツ,くさの みつ,昭和64年2月1日,女,妻,,",  # 3: no such 昭和 date
        "H0001,,草野 誠,クサノ マコト,1975-08-03,男,子,,",  # 4: no resident number
        "H0001,100005,草野 次郎,Kusano Jiro,1980-01-01,男,長男,,",  # 5: kana in romaji
        "H0001,100006,草野 三郎,クサノ サブロウ,1982-01-01,X,子,,",  # 6: sex
        "H0001,100007,草野 四郎,クサノ シロウ,1984-01-01,男,はとこの友人,,",  # 7: relationship
        "H0001,100001,草野 和夫,クサノ カズオ,1944-06-01,男,子,,",  # 8: number again
        "H0001,100008,草野 花,クサノ ハナ,1990-01-01,女,世帯主,,",  # 9: second head
    ]
    parsed = parse(csv_bytes(lines))
    by_line: dict[int, list[str]] = {}
    for error in parsed.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert "昭和" in by_line[3][0]
    assert any("empty" in m for m in by_line[4])
    assert any("kana" in m for m in by_line[5])
    assert any("X" in m for m in by_line[6])
    assert any("はとこの友人" in m for m in by_line[7])
    assert any("line 2" in m for m in by_line[8])
    assert any("line 2" in m for m in by_line[9])


def test_a_quoted_line_break_keeps_line_numbers_right() -> None:
    lines = [
        HEADER,
        GOOD[1],
        'H0001,100002,"草野\nミツ",クサノ ミツ,1946-08-03,女,妻,,',
        "H0001,x y,a,ア,1950-01-01,女,妻,,",
    ]
    parsed = parse(csv_bytes(lines))
    # The name broken over two lines (3–4) is refused; the next record starts on line 5.
    assert sorted({e.line for e in parsed.errors}) == [3, 5]


@translation.override("en")  # the reasons as written; the page shows them in Japanese
def test_formula_looking_control_and_overlong_values_are_refused() -> None:
    lines = [
        HEADER,
        '=HYPERLINK("http://x"),100001,=1+2,クサノ,1950-01-01,男,世帯主,,',
        "H2,100002,@SUM(A1),クサノ,1950-01-01,男,世帯主,,",
        "H3,100003,草野\x07,クサノ,1950-01-01,男,世帯主,,",
        f"H4,100004,{'長' * 101},クサノ,1950-01-01,男,世帯主,{'町' * 201},",
        f"H5,{'9' * 21},草野,クサノ,1950-01-01,男,世帯主,,",
    ]
    parsed = parse(csv_bytes(lines))
    messages = {
        e.line: " ".join(m.message for m in parsed.errors if m.line == e.line)
        for e in parsed.errors
    }
    assert parsed.rows == []
    assert "formula" in messages[2]
    assert "formula" in messages[3]
    assert "control characters" in messages[4]
    assert "100" in messages[5] and "200" in messages[5]
    assert "20" in messages[6]


def test_garbage_and_empty_files_are_refused_whole() -> None:
    with pytest.raises(ImportFileError):
        parse(b"")
    with pytest.raises(ImportFileError):
        parse(csv_bytes([HEADER]))
    with pytest.raises(ImportFileError):
        parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def test_addresses_find_their_town_block(blocks: dict[str, Area]) -> None:
    match = AreaMatcher(list(blocks.values()))
    assert match("かさね市緑町三丁目2-7") == blocks["緑町三丁目"]
    assert match("かさね市 緑町３丁目２－７") == blocks["緑町三丁目"]
    assert match("かさね市緑町13丁目1") == blocks["緑町十三丁目"]
    assert match("かさね市本町一丁目5-1 コーポ本町101") == blocks["本町一丁目"]
    assert match("よその市桜町1-1") is None


# --- importing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_file_creates_households_persons_and_audit(coordinator: Staff, blocks) -> None:
    result = run(coordinator, csv_bytes(GOOD), digest="abc")
    assert (result.households_created, result.persons_created) == (2, 4)
    kusano = Household.objects.get(register_number="H0001")
    assert kusano.registered_by_agency == coordinator.agency
    assert kusano.address == "かさね市緑町三丁目2-7" and kusano.area == blocks["緑町三丁目"]
    son = Person.objects.get(resident_number="100003")
    assert son.kana == "クサノ マコト"  # half-width kana stored as the registry stores it
    assert son.area == blocks["緑町三丁目"]
    membership = son.memberships.get()
    assert (membership.household, membership.relationship) == (kusano, Relationship.CHILD)
    assert membership.started_on == datetime.date(2020, 4, 1)
    hotta = Person.objects.get(resident_number="100004")
    assert hotta.kana == "ホッタ キヨ" and hotta.sex == "female"
    # Found by the same kana search as every other person, through the privacy selectors.
    found = selectors.search_persons(coordinator, "くさの").persons
    assert {p.resident_number for p in found} == {"100001", "100002", "100003"}
    events = AuditEvent.objects.filter(detail__source="resident_import")
    assert events.filter(object_type="person", action="create").count() == 4
    assert events.filter(object_type="household", action="create").count() == 2
    summary = AuditEvent.objects.get(object_type="resident_import")
    assert summary.detail["persons_created"] == 4 and summary.detail["rows"] == 4
    assert "草野" not in str(summary.detail)


@pytest.mark.django_db
def test_a_cp932_file_with_wareki_imports_the_same(coordinator: Staff, blocks) -> None:
    run(coordinator, csv_bytes(GOOD, "cp932"))
    assert Person.objects.get(resident_number="100002").birth_date == datetime.date(1946, 8, 3)
    assert Person.objects.get(resident_number="100001").name == "草野 和夫"


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(coordinator: Staff, blocks) -> None:
    run(coordinator, csv_bytes(GOOD))
    before = snapshot()
    events = AuditEvent.objects.count()
    result = run(coordinator, csv_bytes(GOOD, "cp932"))
    assert (result.persons_created, result.persons_updated, result.persons_moved) == (0, 0, 0)
    assert (result.households_created, result.households_updated) == (0, 0)
    assert result.unchanged == 4
    assert snapshot() == before  # row counts, values and every updated_at
    # Only the file's own event: no person was touched, so no person event.
    assert AuditEvent.objects.count() == events + 1


@pytest.mark.django_db
def test_a_changed_row_updates_the_person_and_a_new_household_number_moves_them(
    coordinator: Staff, blocks
) -> None:
    run(coordinator, csv_bytes(GOOD))
    changed = [
        HEADER,
        # The wife's name changed (a correction in the register).
        "H0001,100002,草野 光子,クサノ ミツコ,S21.8.3,女,妻,かさね市緑町三丁目2-7,2020-04-01",
        # The son set up his own household at another address (世帯分離) on 2024-05-01.
        "H0003,100003,草野 誠,クサノ マコト,1975-08-03,男,世帯主,かさね市緑町13丁目8-1,"
        "令和6年5月1日",
    ]
    result = run(coordinator, csv_bytes(changed))
    assert (result.persons_updated, result.persons_moved, result.households_created) == (1, 1, 1)
    wife = Person.objects.get(resident_number="100002")
    assert (wife.name, wife.kana) == ("草野 光子", "クサノ ミツコ")
    assert "ミツ" in wife.search_tokens and "光子" in wife.search_tokens
    found = selectors.search_persons(coordinator, "みつこ").persons
    assert [p.resident_number for p in found] == ["100002"]
    son = Person.objects.get(resident_number="100003")
    old, new = son.memberships.order_by("started_on")
    assert old.household.register_number == "H0001" and old.ended_on == datetime.date(2024, 5, 1)
    assert new.household.register_number == "H0003" and new.ended_on is None
    assert new.relationship == Relationship.HEAD
    assert son.area == blocks["緑町十三丁目"]
    update = AuditEvent.objects.filter(  # newest first
        object_type="person", object_id=str(son.public_id), action=AuditAction.UPDATE
    ).first()
    assert update is not None and "household" in update.detail["fields"]
    # Staff's own entries (a phone number) survive an import that does not carry them.
    head = Person.objects.get(resident_number="100001")
    Person.objects.filter(pk=head.pk).update(phone="077-123-4567")
    run(coordinator, csv_bytes([HEADER, GOOD[1]]))
    assert Person.objects.get(pk=head.pk).phone == "077-123-4567"


@pytest.mark.django_db
def test_a_bad_row_anywhere_writes_nothing(coordinator: Staff, blocks) -> None:
    run(coordinator, csv_bytes(GOOD))
    before, events = snapshot(), AuditEvent.objects.count()
    lines = [
        HEADER,
        "H0001,100002,草野 光子,クサノ ミツコ,S21.8.3,女,妻,かさね市緑町三丁目2-7,2020-04-01",
        "H0009,100009,新井 一,アライ ハジメ,1960-01-01,男,子,かさね市本町一丁目1,2020-04-01",
    ]
    parsed = parse(csv_bytes(lines))
    assert parsed.errors == []
    with pytest.raises(ResidentImportError) as refused:
        residents_import(actor=coordinator, rows=parsed.rows)
    # A new household must come with its head; the good row before it is not written either.
    assert [e.line for e in refused.value.errors] == [3]
    assert snapshot() == before
    # Nothing written but the record that the file was compared with the records.
    [attempt] = AuditEvent.objects.order_by("-sequence")[: AuditEvent.objects.count() - events]
    assert attempt.object_type == "resident_import_refused"
    assert attempt.detail == {"rows": 2, "faults": 1}


@pytest.mark.django_db
def test_future_dates_are_refused(coordinator: Staff, blocks) -> None:
    # Faults of the row, found with the others when the file is read (issue 14).
    lines = [HEADER, "H1,1,草野 和夫,クサノ カズオ,1944-06-01,男,世帯主,,2999-01-01"]
    assert [e.line for e in parse(csv_bytes(lines)).errors] == [2]
    with pytest.raises(ResidentImportError) as refused:
        residents_import(actor=coordinator, rows=[], faults=parse(csv_bytes(lines)).errors)
    assert refused.value.errors[0].line == 2
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_counts_and_writes_nothing(coordinator: Staff, blocks) -> None:
    result = run(coordinator, csv_bytes(GOOD), dry_run=True)
    assert result.persons_created == 4 and result.dry_run
    assert Person.objects.count() == 0
    # The check itself is recorded: it read the file against Kasane's persons.
    [check] = AuditEvent.objects.all()
    assert (check.object_type, check.actor_id) == ("resident_import_check", coordinator.pk)
    assert check.detail["rows"] == 4 and check.detail["persons_created"] == 4


@pytest.mark.django_db
def test_only_a_municipal_coordinator_may_import(
    coordinator: Staff, caseworker: Staff, admin_user: Staff, analyst: Staff
) -> None:
    npo_coordinator = StaffFactory.create(
        role=Role.COORDINATOR, agency=AgencyFactory.create(agency_type="npo")
    )
    assert may_import_residents(coordinator)
    for other in (caseworker, admin_user, analyst, npo_coordinator):
        assert not may_import_residents(other)
        with pytest.raises(PermissionDenied):
            run(other, csv_bytes(GOOD))
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_a_person_another_agency_registered_is_not_overwritten(coordinator: Staff, agency) -> None:
    household = make_household(agency)
    person = head_of(household)
    Person.objects.filter(pk=person.pk).update(resident_number="100001")
    with pytest.raises(ResidentImportError) as refused:
        run(coordinator, csv_bytes(GOOD))
    assert refused.value.errors[0].line == 2
    assert Person.objects.get(pk=person.pk).name == "草野 和夫"
    assert Household.objects.count() == 1


# --- the command ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_and_lists_faults(coordinator: Staff, blocks, tmp_path) -> None:
    good = tmp_path / "jumin.csv"
    good.write_bytes(csv_bytes(GOOD, "cp932"))
    out = io.StringIO()
    call_command("import_residents", str(good), "--user", "coordinator", "--dry-run", stdout=out)
    assert "nothing written" in out.getvalue() and Person.objects.count() == 0
    call_command(
        "import_residents", str(good), "--user", "coordinator", "--encoding", "cp932", stdout=out
    )
    assert Person.objects.count() == 4
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER, "H1,1,a,ア,昭和99年1月1日,男,世帯主,,"]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 fault"):
        call_command("import_residents", str(bad), "--user", "coordinator", stderr=err)
    assert "bad.csv:2:" in err.getvalue()
    with pytest.raises(CommandError, match="No staff member"):
        call_command("import_residents", str(good), "--user", "nobody")
    StaffFactory.create(username="houkatsu", role=Role.CASEWORKER)
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_residents", str(good), "--user", "houkatsu")


# --- the page ---------------------------------------------------------------------------------


def upload(data: bytes, name: str = "jumin.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.django_db
def test_the_page_checks_then_imports_the_same_file(login, coordinator: Staff, blocks) -> None:
    client = login(coordinator)
    url = reverse("registry:resident_import")
    assert client.get(url).status_code == 200
    data = csv_bytes(GOOD, "cp932")
    checked = client.post(url, {"file": upload(data)})
    assert checked.status_code == 200
    preview = checked.context["preview"]
    assert preview.persons_created == 4 and Person.objects.count() == 0
    digest = checked.context["confirm_form"].initial["digest"]
    # Confirming with another file does not import it: it is checked instead.
    other = client.post(
        url, {"file": upload(csv_bytes(GOOD[:2])), "digest": digest, "confirm": "1"}
    )
    assert other.context["preview"].persons_created == 1 and Person.objects.count() == 0
    done = client.post(url, {"file": upload(data), "digest": digest, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("registry:household_list")
    assert Person.objects.count() == 4
    listed = client.get(reverse("registry:household_list"))
    assert "草野 和夫" in listed.content.decode()


@pytest.mark.django_db
def test_the_page_lists_bad_rows_by_line(login, coordinator: Staff, blocks) -> None:
    lines = [HEADER, GOOD[1], "H0001,100002,草野 ミツ,mitsu,1946-08-03,女,妻,,"]
    response = login(coordinator).post(
        reverse("registry:resident_import"), {"file": upload(csv_bytes(lines))}
    )
    assert [e.line for e in response.context["errors"]] == [3]
    assert 'data-testid="import-errors"' in response.content.decode()
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_the_page_refuses_a_huge_or_wrong_file(login, coordinator: Staff, settings) -> None:
    settings.KASANE_UPLOAD_MAX_BYTES = 4096
    client = login(coordinator)
    url = reverse("registry:resident_import")
    huge = csv_bytes([HEADER] + [GOOD[1]] * 100)
    assert len(huge) > 4096
    response = client.post(url, {"file": upload(huge)})
    assert response.context["form"].has_error("file", "too_large")
    response = client.post(url, {"file": upload(b"PK\x03\x04" + b"\x00" * 100, "jumin.csv")})
    assert response.context["form"].has_error("file", "wrong_content")
    response = client.post(url, {"file": upload(csv_bytes(GOOD), "jumin.xlsx")})
    assert response.context["form"].has_error("file", "wrong_type")
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_the_page_is_refused_to_everyone_else(
    login, caseworker: Staff, admin_user: Staff, analyst: Staff, auditor: Staff
) -> None:
    url = reverse("registry:resident_import")
    for staff in (caseworker, admin_user, analyst, auditor):
        assert login(staff).get(url).status_code == 403
        assert login(staff).post(url, {"file": upload(csv_bytes(GOOD))}).status_code == 403
    assert Person.objects.count() == 0
