"""The staffing estimate (issue #6 item 6, seed 004 支援策①): the load counted on a
hand-built city whose answer is known, the arithmetic, the assumptions and who may change
them, the page per role, and its query count."""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.cases.services import clock_at
from kasane.conftest import AgencyFactory, StaffFactory, head_of, make_household
from kasane.core.cellkey import N, perturb
from kasane.core.dates import current_fiscal_year, fiscal_year_bounds
from kasane.evaluation.models import (
    StaffingSettings,
    StaffRole,
    WorkloadAssumption,
    WorkloadKind,
)
from kasane.evaluation.staffing import defaults
from kasane.evaluation.staffing import estimate as staffing
from kasane.evaluation.staffing.services import (
    AssumptionInput,
    staffing_assumptions_set,
    staffing_defaults_seed,
)
from kasane.intake.models import Consultation
from kasane.outreach.models import CloseReason, OutreachTarget, Stage
from kasane.participation.catalogue.tests.catalogue_factories import make_place
from kasane.participation.models import Match, MatchStage

pytestmark = pytest.mark.django_db

YEAR = current_fiscal_year()
# Distinct kana for every household, so the registry never takes two for one person.
_kana = (f"スタッフ {chr(0x30A2 + i % 40)}{chr(0x30A2 + i // 40 % 40)}" for i in count())


@pytest.fixture
def houkatsu(db: Any) -> Agency:
    return AgencyFactory.create(
        name="北部地域包括支援センター", agency_type=AgencyType.COMMUNITY_GENERAL_SUPPORT
    )


@pytest.fixture
def worker(houkatsu: Agency) -> Staff:
    return StaffFactory.create(username="hokubu", agency=houkatsu, role=Role.CASEWORKER)


@pytest.fixture
def elsewhere_coordinator(db: Any) -> Staff:
    agency = AgencyFactory.create(name="NPO法人 つなぐ", agency_type=AgencyType.NPO)
    return StaffFactory.create(username="npo_coord", agency=agency, role=Role.COORDINATOR)


@pytest.fixture
def volunteer(db: Any) -> Staff:
    agency = AgencyFactory.create(
        name="民生委員児童委員協議会", agency_type=AgencyType.COMMISSIONED_VOLUNTEERS
    )
    return StaffFactory.create(username="minsei", agency=agency, role=Role.VOLUNTEER)


def ago(**delta: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def open_case(actor: Staff, when: datetime.datetime) -> Case:
    household = make_household(actor.agency, kana=next(_kana))  # type: ignore[arg-type]
    return case_services.case_open(actor=actor, household=household, opened_at=when)


def coordinated(actor: Staff, coordinator: Staff, triage: str, when: datetime.datetime) -> Case:
    case = open_case(actor, when)
    with clock_at(when):
        case = case_services.case_send_to_coordination(actor=actor, case=case, reason="複合課題")
        if triage:
            case = case_services.case_triage(
                actor=coordinator, case=case, triage=triage, advice="包括で継続支援"
            )
    return case


@pytest.fixture
def city(worker: Staff, coordinator: Staff) -> dict[str, Any]:
    """Open now: 5 cases not in coordination, and in coordination 2 A, 1 B, 3 C and 1 not
    yet triaged (12 open cases); a closed A case; 3 open outreach targets and a closed one;
    2 active matches and an ended one; 9 consultations in the last three months and 2
    before them."""
    when = ago(days=20)
    for _ in range(5):
        open_case(worker, when)
    for triage in ["A", "A", "B", "C", "C", "C", ""]:
        coordinated(worker, coordinator, triage, when)
    closed = coordinated(worker, coordinator, "A", when)
    with clock_at(ago(days=2)):
        case_services.case_close(actor=worker, case=closed, reason="目標達成")
    agency = worker.agency
    assert agency is not None
    for i in range(4):
        OutreachTarget.objects.create(
            agency=agency,
            label=f"北町の息子さん{i}",
            stage=Stage.CONTACTED,
            opened_at=ago(days=40),
            closed_at=ago(days=1) if i == 3 else None,
            close_reason=CloseReason.CONNECTED if i == 3 else "",
        )
    sanka = StaffFactory.create(username="sanka", agency=agency, role=Role.PARTICIPATION_WORKER)
    place = make_place(sanka)
    person = head_of(make_household(agency, kana=next(_kana)))
    for stage in (MatchStage.PROPOSED, MatchStage.SETTLED, MatchStage.ENDED):
        Match.objects.create(
            person=person,
            opportunity=place,
            agency=agency,
            worker=sanka,
            stage=stage,
            stage_since=timezone.localdate() - datetime.timedelta(days=3),
            end_reason="moved_on" if stage == MatchStage.ENDED else "",
        )
    household = make_household(agency, kana=next(_kana))
    for days in [1, 5, 10, 20, 30, 40, 50, 60, 80, 100, 130]:
        Consultation.objects.create(
            received_at=ago(days=days),
            agency=agency,
            staff=worker,
            requester="self",
            channel="phone",
            household=household,
            summary="テスト",
            outcome="handled",
        )
    return {"worker": worker, "sanka": sanka}


# --- the load and the arithmetic ------------------------------------------------------------


def test_the_load_is_counted_from_the_records(city: dict[str, Any]) -> None:
    load = staffing.load_at(timezone.now())
    assert load.counts == {
        "case": 12,
        "triage_a": 2,
        "triage_b": 1,
        "triage_c": 3,
        "triage_pending": 1,
        "outreach": 3,
        "match": 2,
    }
    assert load.consultations == 9
    assert load.quantity(WorkloadKind.CONSULTATION) == 3


def test_the_estimate_with_the_defaults(city: dict[str, Any], coordinator: Staff) -> None:
    result = staffing.estimate(fiscal_year=YEAR)
    # Coordinators: 2×8 + 1×5 + 3×1.5 + 1×4 = 29.5 h; ÷ 120 = 0.246 → 0.2
    assert result.coordinator_hours == Decimal("29.5")
    assert result.coordinators_needed == Decimal("0.2")
    # Workers: 12×3 + 3×4 + 2×2 + 3×1.5 = 56.5 h; ÷ 120 = 0.471 → 0.5
    assert result.worker_hours == Decimal("56.5")
    assert result.workers_needed == Decimal("0.5")
    assert result.defaults_in_use


def test_the_estimate_follows_the_municipalitys_assumptions(
    city: dict[str, Any], coordinator: Staff
) -> None:
    staffing_assumptions_set(
        actor=coordinator,
        hours_per_fte_month="100",
        assumptions={
            WorkloadKind.TRIAGE_A: AssumptionInput("10", StaffRole.COORDINATOR, "会議2回"),
            WorkloadKind.CASE: AssumptionInput("4.5", StaffRole.WORKER, "市の実測"),
            # The municipality's coordinators also take every new consultation.
            WorkloadKind.CONSULTATION: AssumptionInput("2", StaffRole.COORDINATOR, ""),
        },
    )
    result = staffing.estimate(fiscal_year=YEAR)
    # Coordinators: 2×10 + 1×5 + 3×1.5 + 1×4 + 3×2 = 39.5 h; ÷ 100 = 0.395 → 0.4
    assert result.coordinator_hours == Decimal("39.5")
    assert result.coordinators_needed == Decimal("0.4")
    # Workers: 12×4.5 + 3×4 + 2×2 = 70 h; ÷ 100 = 0.7
    assert result.worker_hours == Decimal("70.0")
    assert result.workers_needed == Decimal("0.7")
    assert result.hours_per_fte == Decimal("100")


def test_the_staff_kasane_knows_by_agency_kind(
    city: dict[str, Any], coordinator: Staff, elsewhere_coordinator: Staff
) -> None:
    school = AgencyFactory.create(name="かさね第一中学校", agency_type=AgencyType.SCHOOL)
    StaffFactory.create(username="teacher", agency=school, role=Role.CASEWORKER)
    StaffFactory.create(
        username="gone", agency=city["worker"].agency, role=Role.CASEWORKER, is_active=False
    )
    result = staffing.estimate(fiscal_year=YEAR)
    by_kind = {k.agency_type: k for k in result.known}
    # The municipality's and the NPO's coordinators; the worker and the participation
    # worker of the 包括; the teacher shown but not counted; the inactive one left out.
    assert result.coordinators_known == 2
    assert result.workers_known == 2
    assert by_kind[AgencyType.SCHOOL].workers == 1
    assert not by_kind[AgencyType.SCHOOL].counted_as_workers
    assert by_kind[AgencyType.COMMUNITY_GENERAL_SUPPORT].workers == 2
    assert result.worker_gap == Decimal("0.5") - 2


def test_a_past_year_is_counted_at_its_end(worker: Staff, coordinator: Staff) -> None:
    two_ago, last = fiscal_year_bounds(YEAR - 2)
    opened = timezone.make_aware(datetime.datetime.combine(two_ago, datetime.time(10)))
    case = coordinated(worker, coordinator, "B", opened)
    closing = opened + datetime.timedelta(days=400)  # in the 年度 after
    with clock_at(closing):
        case_services.case_close(actor=worker, case=case, reason="転居")
    at_end_two_ago = staffing.load_at(staffing.as_of_for(YEAR - 2))
    assert (at_end_two_ago.counts["case"], at_end_two_ago.counts["triage_b"]) == (1, 1)
    at_end_last = staffing.load_at(staffing.as_of_for(YEAR - 1))
    assert (at_end_last.counts["case"], at_end_last.counts["triage_b"]) == (0, 0)
    assert staffing.as_of_for(YEAR - 1) == timezone.make_aware(
        datetime.datetime.combine(fiscal_year_bounds(YEAR)[0], datetime.time.min)
    )
    assert last < fiscal_year_bounds(YEAR - 1)[0]


def test_an_empty_city_needs_nobody_and_says_so(coordinator: Staff, login: Any) -> None:
    result = staffing.estimate(fiscal_year=YEAR - 3)
    assert all(line.quantity == 0 for line in result.lines)
    assert (result.coordinators_needed, result.workers_needed) == (Decimal("0.0"), Decimal("0.0"))
    page = login(coordinator).get(reverse("evaluation:staffing"), {"fy": YEAR - 3})
    assert page.status_code == 200
    html = page.content.decode()
    assert "0.0 h ÷ 120 h = 0.0" in html


def test_months_before_keeps_the_day_or_takes_the_last_of_a_short_month() -> None:
    tz = timezone.get_current_timezone()
    at = datetime.datetime(2025, 5, 31, 9, 0, tzinfo=tz)
    assert staffing.months_before(at, 3).date() == datetime.date(2025, 2, 28)
    at = datetime.datetime(2025, 1, 15, 9, 0, tzinfo=tz)
    assert staffing.months_before(at, 3).date() == datetime.date(2024, 10, 15)


# --- the assumptions -------------------------------------------------------------------------


def test_defaults_are_seeded_once_with_their_basis_and_edits_kept(coordinator: Staff) -> None:
    assert staffing_defaults_seed() == len(WorkloadKind) + 1
    assert all(a.note for a in WorkloadAssumption.objects.all())
    WorkloadAssumption.objects.filter(kind=WorkloadKind.CASE).update(hours_per_month=5)
    assert staffing_defaults_seed() == 0
    assert WorkloadAssumption.objects.get(kind=WorkloadKind.CASE).hours_per_month == 5
    assert StaffingSettings.objects.count() == 1
    assert not staffing.assumptions().defaults_in_use


@pytest.mark.parametrize(
    ("fte", "hours", "field"),
    [
        ("120", "0", "hours_case"),
        ("120", "-1", "hours_case"),
        ("120", "160.01", "hours_case"),
        ("120", "abc", "hours_case"),
        ("120", "NaN", "hours_case"),
        ("120", "1.234", "hours_case"),
        ("19.99", "3", "hours_per_fte_month"),
        ("201", "3", "hours_per_fte_month"),
        ("", "3", "hours_per_fte_month"),
    ],
)
def test_bad_assumptions_are_refused(coordinator: Staff, fte: str, hours: str, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        staffing_assumptions_set(
            actor=coordinator,
            hours_per_fte_month=fte,
            assumptions={WorkloadKind.CASE: AssumptionInput(hours, StaffRole.WORKER)},
        )
    assert field in raised.value.message_dict
    assert not WorkloadAssumption.objects.exists()
    assert not StaffingSettings.objects.exists()


def test_unknown_kind_role_and_long_basis_are_refused(coordinator: Staff) -> None:
    cases: list[tuple[dict[str, AssumptionInput], str]] = [
        ({"lunch": AssumptionInput("3", StaffRole.WORKER)}, "__all__"),
        ({WorkloadKind.CASE: AssumptionInput("3", "manager")}, "done_by_case"),
        ({WorkloadKind.CASE: AssumptionInput("3", StaffRole.WORKER, "あ" * 301)}, "note_case"),
    ]
    for given, field in cases:
        with pytest.raises(ValidationError) as raised:
            staffing_assumptions_set(
                actor=coordinator, hours_per_fte_month="120", assumptions=given
            )
        assert field in raised.value.message_dict


def test_only_the_municipalitys_coordinators_change_assumptions(
    analyst: Staff, elsewhere_coordinator: Staff, worker: Staff
) -> None:
    for actor in (analyst, elsewhere_coordinator, worker):
        with pytest.raises(PermissionDenied):
            staffing_assumptions_set(actor=actor, hours_per_fte_month="100", assumptions={})
    assert not StaffingSettings.objects.exists()


# --- pages -----------------------------------------------------------------------------------


def form_post(**overrides: str) -> dict[str, str]:
    data = {"hours_per_fte_month": "120"}
    for kind, default in defaults.DEFAULTS.items():
        data[f"hours_{kind}"] = f"{default.hours}"
        data[f"done_by_{kind}"] = default.done_by
        data[f"note_{kind}"] = default.note
    data.update(overrides)
    return data


def test_coordinator_changes_the_assumptions_through_the_form(
    city: dict[str, Any], coordinator: Staff, login: Any
) -> None:
    client = login(coordinator)
    page = client.get(reverse("evaluation:staffing"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("evaluation:staffing_assumptions") in html
    assert "29.5 h ÷ 120 h = 0.2" in html
    assert "56.5 h ÷ 120 h = 0.5" in html
    edit = reverse("evaluation:staffing_assumptions")
    form = client.get(edit)
    assert form.status_code == 200
    assert defaults.DEFAULTS[WorkloadKind.CASE].note in form.content.decode()
    response = client.post(edit, form_post(hours_per_fte_month="100"))
    assert response.status_code == 302
    html = client.get(reverse("evaluation:staffing")).content.decode()
    assert "29.5 h ÷ 100 h = 0.3" in html  # 0.295 rounds half up
    assert "56.5 h ÷ 100 h = 0.6" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("hours_case", "0"), ("hours_case", "abc"), ("hours_per_fte_month", "500")],
)
def test_bad_form_input_is_shown_not_a_500(
    coordinator: Staff, login: Any, field: str, value: str
) -> None:
    response = login(coordinator).post(
        reverse("evaluation:staffing_assumptions"), form_post(**{field: value})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not WorkloadAssumption.objects.exists()


def published_values(true_count: int) -> set[int]:
    return {perturb(true_count, key) for key in range(N)}


def test_analysts_read_perturbed_counts(
    city: dict[str, Any], analyst: Staff, coordinator: Staff, login: Any
) -> None:
    """Each count perturbed by its cell key (core.cellkey): within the table's reach of
    the true count, never 1–4; hours and staff follow from the published counts. The
    coordinator sees the true counts."""
    page = login(analyst).get(reverse("evaluation:staffing"))
    assert page.status_code == 200
    assert reverse("evaluation:staffing_assumptions").encode() not in page.content
    estimate = page.context["estimate"]
    truth = {"triage_a": 2, "triage_b": 1, "triage_c": 3, "triage_pending": 1}
    truth |= {"case": 12, "outreach": 3, "match": 2}
    for kind, n in truth.items():
        shown = estimate.load.counts[kind]
        assert shown in published_values(n), kind
        assert shown == 0 or shown >= 5
    assert estimate.load.consultations in published_values(9)
    assert not any(line.hidden for line in estimate.lines)
    assert estimate.coordinator_hours == sum(
        (
            line.hours_each * line.quantity
            for line in estimate.lines
            if line.done_by == "coordinator"
        ),
        Decimal(0),
    ).quantize(Decimal("0.1"))
    again = login(analyst).get(reverse("evaluation:staffing")).context["estimate"]
    assert again.load.counts == estimate.load.counts  # the same on repeat
    theirs = login(coordinator).get(reverse("evaluation:staffing")).context["estimate"]
    assert {kind: theirs.load.counts[kind] for kind in truth} == truth
    assert (theirs.coordinators_needed, theirs.workers_needed) == (
        Decimal("0.2"),
        Decimal("0.5"),
    )


def test_pages_per_role(
    coordinator: Staff,
    elsewhere_coordinator: Staff,
    analyst: Staff,
    worker: Staff,
    volunteer: Staff,
    login: Any,
) -> None:
    page = reverse("evaluation:staffing")
    edit = reverse("evaluation:staffing_assumptions")
    assert login(coordinator).get(edit).status_code == 200
    for reader in (analyst, elsewhere_coordinator):
        client = login(reader)
        assert client.get(page).status_code == 200
        assert client.get(edit).status_code == 404
        assert client.post(edit, form_post()).status_code == 404
    for outsider in (worker, volunteer):
        client = login(outsider)
        assert client.get(page).status_code == 404
        assert client.get(edit).status_code == 404
    for url in (page, edit):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not StaffingSettings.objects.exists()
    # A 年度 that is not offered falls back to the current one, never an error.
    response = login(coordinator).get(page, {"fy": "abc"})
    assert response.context["fiscal_year"] == YEAR
    assert login(coordinator).get(page, {"fy": "1999"}).context["fiscal_year"] == YEAR


def test_the_page_does_not_grow_with_the_records(
    city: dict[str, Any], coordinator: Staff, login: Any, worker: Staff
) -> None:
    client = login(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("evaluation:staffing")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(10):
        coordinated(worker, coordinator, "A", ago(days=5))
    for i in range(10):
        AgencyFactory.create(name=f"追加の機関{i}", agency_type=AgencyType.NPO)
        StaffFactory.create(username=f"extra{i}", role=Role.CASEWORKER)
    assert queries() == few
