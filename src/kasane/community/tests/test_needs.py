"""地域課題 aggregates: households per need and area in a 年度, perturbed by the cell-key
method for everyone but coordinators, read with one aggregate query, audited, and seen only
by those who may."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kasane.audit.models import AuditEvent
from kasane.community.selectors import need_table
from kasane.community.tests.conftest import published_day, published_year
from kasane.core.cellkey import N, perturb
from kasane.core.dates import current_fiscal_year, fiscal_year_bounds
from kasane.registry.models import AreaKind

URL = reverse("community:issues")


def by_name(table, need_name: str) -> dict[str, int | None]:
    row = next(r for r in table.rows if r.need.name == need_name)
    return {
        (a.name if a else "?"): c.shown for a, c in zip(table.areas, row.cells, strict=True)
    } | {"total": row.total.shown}


@pytest.fixture
def consult(consult):
    """The consultations of these tests are dated in the published period (before this
    month's cut-off, ``kasane.core.publication``), so that the pages count them for everyone:
    on 1 April that is the previous 年度, hence ``published_year()`` below."""

    def _consult(*args, **kwargs):
        kwargs.setdefault("at", published_day())
        return consult(*args, **kwargs)

    return _consult


@pytest.fixture
def known(city, consult):
    """By 中学校区 (北, 桜, 南):
         ひきこもり  4  7  0 → 11
         社会的孤立  6  8  5 → 19
    Coordinators see these counts; anyone else each perturbed by its cell key."""
    spec = {
        "北町": ["hikikomori"] * 4 + ["isolation"] * 6,
        "桜台": ["hikikomori"] * 7 + ["isolation"] * 8,
        "南町": ["isolation"] * 5,
    }
    for block, needs in spec.items():
        for need in needs:
            consult(city[block], [need])


TRUTH = {
    "ひきこもり": {"北中学校区": 4, "桜中学校区": 7, "南中学校区": 0, "total": 11},
    "社会的孤立": {"北中学校区": 6, "桜中学校区": 8, "南中学校区": 5, "total": 19},
}


def test_hand_built_dataset_gives_the_known_answer(known, caseworker, coordinator) -> None:
    exact = need_table(actor=coordinator, level=AreaKind.SCHOOL_DISTRICT, year=published_year())
    assert [a.name if a else None for a in exact.areas] == [
        "北中学校区",
        "桜中学校区",
        "南中学校区",
    ]
    for need, truth in TRUTH.items():
        assert by_name(exact, need) == truth
    assert [c.shown for c in exact.column_totals] == [10, 15, 5]
    # Anyone else: each count perturbed by its cell key, within the table's reach.
    table = need_table(actor=caseworker, level=AreaKind.SCHOOL_DISTRICT, year=published_year())
    for need, truth in TRUTH.items():
        for name, shown in by_name(table, need).items():
            assert shown in {perturb(truth[name], k) for k in range(N)}, (need, name)
            assert shown == 0 or shown >= 5


def test_the_page_shows_five_and_never_four(known, caseworker, coordinator, login) -> None:
    year = published_year()
    html = login(caseworker).get(URL, {"level": "school_district", "fy": year}).content.decode()
    assert ">5<" in html  # 社会的孤立 in 南: 5 stays 5
    assert ">4<" not in html  # ひきこもり in 北: 0 or 5
    assert 'data-testid="perturbation-note"' in html
    theirs = login(coordinator).get(URL, {"level": "school_district", "fy": year}).content.decode()
    assert ">4<" in theirs and 'data-testid="perturbation-note"' not in theirs


def test_by_sphere_the_counts_roll_up(known, caseworker) -> None:
    table = need_table(actor=caseworker, level=AreaKind.SPHERE, year=published_year())
    # 北部 holds 北 and 桜: 11 and 14; 南部: 0 and 5. Nothing under five, nothing hidden.
    # (perturbed for a caseworker: within the table's reach of the true counts)
    for need, truth in {
        "ひきこもり": {"北部圏域": 11, "南部圏域": 0, "total": 11},
        "社会的孤立": {"北部圏域": 14, "南部圏域": 5, "total": 19},
    }.items():
        for name, shown in by_name(table, need).items():
            assert shown in {perturb(truth[name], k) for k in range(N)}, (need, name)


def test_a_household_counts_once_per_need_however_often_it_consulted(
    city, consult, caseworker
) -> None:
    first = consult(city["北町"], ["isolation"])
    for _ in range(5):
        consult(city["北町"], ["isolation"], household=first.household)
    for _ in range(4):
        consult(city["北町"], ["isolation"])
    table = need_table(actor=caseworker, level=AreaKind.SPHERE, year=published_year())
    assert by_name(table, "社会的孤立")["北部圏域"] == 5


def test_only_the_fiscal_year_counts(city, consult, caseworker) -> None:
    year = published_year()
    first, _ = fiscal_year_bounds(year)
    tz = timezone.get_current_timezone()
    last_year = datetime.datetime.combine(first, datetime.time(0, 0), tzinfo=tz)
    for _ in range(5):
        consult(city["北町"], ["isolation"], at=last_year - datetime.timedelta(minutes=1))
    assert need_table(actor=caseworker, level=AreaKind.SPHERE, year=year).rows == []
    previous = need_table(actor=caseworker, level=AreaKind.SPHERE, year=year - 1)
    assert by_name(previous, "社会的孤立")["北部圏域"] == 5


def test_households_without_a_recorded_area_have_their_own_column(
    city, consult, caseworker
) -> None:
    for _ in range(5):
        consult(None, ["isolation"])
    table = need_table(actor=caseworker, level=AreaKind.SPHERE, year=published_year())
    assert table.areas[-1] is None
    assert by_name(table, "社会的孤立")["?"] == 5


def test_one_aggregate_query_and_no_person_is_read(known, caseworker) -> None:
    with CaptureQueriesContext(connection) as ctx:
        need_table(actor=caseworker, level=AreaKind.SCHOOL_DISTRICT, year=published_year())
    sql = [q["sql"] for q in ctx.captured_queries]
    counting = [s for s in sql if "intake_consultationneed" in s]
    assert len(counting) == 1 and "COUNT(DISTINCT" in counting[0].upper()
    assert not any("registry_person" in s for s in sql)
    # The household table is joined for its area, never selected row by row.
    assert not any(s.startswith('SELECT "registry_household"') for s in sql)


def test_each_view_is_audited_without_personal_data(known, caseworker, analyst, login) -> None:
    login(analyst).get(URL, {"level": "school_district", "fy": published_year()})
    event = AuditEvent.objects.get(object_type="community_aggregate")
    assert event.action == "view" and event.legal_basis == "none"
    assert event.actor_username == analyst.username
    assert event.object_id == f"school_district:{published_year()}"
    login(caseworker).get(URL)
    assert AuditEvent.objects.filter(object_type="community_aggregate").count() == 2


def test_analyst_sees_the_aggregates_but_no_issue_records(known, analyst, login) -> None:
    response = login(analyst).get(URL, {"fy": published_year()})
    assert response.status_code == 200
    assert response.context["table"].rows
    assert response.context["page"] is None
    assert 'data-testid="issue-list"' not in response.content.decode()


@pytest.mark.parametrize("persona", ["volunteer", "auditor", "admin_user"])
def test_others_do_not_see_the_aggregates(known, persona, request, login) -> None:
    staff = request.getfixturevalue(persona)
    assert login(staff).get(URL).status_code == 404
    assert not AuditEvent.objects.filter(object_type="community_aggregate").exists()


def test_bad_parameters_fall_back_to_this_year_by_sphere(known, caseworker, login) -> None:
    response = login(caseworker).get(URL, {"fy": "1900", "level": "block"})
    assert response.status_code == 200
    assert response.context["table"].fiscal_year == current_fiscal_year()
    assert response.context["table"].level == AreaKind.SPHERE
