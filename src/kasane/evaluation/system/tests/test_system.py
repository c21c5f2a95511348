"""The self-assessment of the support system (issue #6 item 5): the standard checklist,
scoring a 年度, PDCA records, the pages per role, and their query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kasane.accounts.models import AgencyType, Role, Staff
from kasane.audit.models import AuditEvent
from kasane.conftest import AgencyFactory, StaffFactory, clock_fiscal_year, make_household
from kasane.evaluation.computations import REGISTRY
from kasane.evaluation.models import (
    ChecklistAnswer,
    ChecklistItem,
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    IndicatorSource,
    ManualValue,
    PdcaReview,
    Project,
    SelfAssessment,
    SystemFunction,
)
from kasane.evaluation.system import services
from kasane.evaluation.system.checklist import STANDARD_CHECKLIST, SURVEY_SOMEONE_TO_ASK
from kasane.evaluation.system.selectors import history
from kasane.evaluation.system.services import Answer
from kasane.intake.models import Consultation

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # dated "today"

YEAR = clock_fiscal_year()  # the 年度 the module's clock runs in


@pytest.fixture
def checklist(db: Any) -> list[ChecklistItem]:
    services.checklist_seed()
    return list(ChecklistItem.objects.all())


@pytest.fixture
def elsewhere_coordinator(db: Any) -> Staff:
    """A coordinator whose agency is not the municipality (a contracted NPO, say)."""
    agency = AgencyFactory.create(name="NPO法人 つなぐ", agency_type=AgencyType.NPO)
    return StaffFactory.create(username="npo_coord", agency=agency, role=Role.COORDINATOR)


@pytest.fixture
def volunteer(db: Any) -> Staff:
    agency = AgencyFactory.create(
        name="民生委員児童委員協議会", agency_type=AgencyType.COMMISSIONED_VOLUNTEERS
    )
    return StaffFactory.create(username="minsei", agency=agency, role=Role.VOLUNTEER)


def all_scored(items: list[ChecklistItem], score: int = 2, **overrides: int) -> dict[str, Answer]:
    return {i.code: Answer(overrides.get(i.code, score), f"{i.code}の根拠") for i in items}


def survey_indicator() -> Indicator:
    return Indicator.objects.create(
        code=SURVEY_SOMEONE_TO_ASK,
        name="困ったときに相談できる人がいる住民の割合",
        kind=IndicatorKind.KGI,
        level=IndicatorLevel.OUTCOME,
        unit="%",
        project=Project.COMMUNITY,
        source=IndicatorSource.MANUAL,
    )


# --- the standard checklist ----------------------------------------------------------------


def test_checklist_has_five_to_seven_questions_per_function(checklist: list[ChecklistItem]):
    for function in SystemFunction:
        n = sum(1 for i in checklist if i.function == function)
        assert 5 <= n <= 7, function
    assert len(checklist) == len(STANDARD_CHECKLIST)
    # Within a function the questions keep the order they are written in.
    first = [i for i in checklist if i.function == SystemFunction.COLLABORATION]
    assert [i.code for i in first] == [
        s.code for s in STANDARD_CHECKLIST if s.function == SystemFunction.COLLABORATION
    ]


def test_checklist_links_evidence_by_code_and_skips_codes_not_there(
    checklist: list[ChecklistItem],
):
    breadth = ChecklistItem.objects.get(code="co_breadth")
    assert [i.code for i in breadth.evidence.all()] == ["collaboration_breadth"]
    for spec in STANDARD_CHECKLIST:
        linked = set(
            ChecklistItem.objects.get(code=spec.code).evidence.values_list("code", flat=True)
        )
        assert linked == {c for c in spec.evidence if c in REGISTRY}, spec.code
    # The survey indicator does not exist yet: nothing linked, nothing failed.
    asked = ChecklistItem.objects.get(code="ms_residents_consult")
    assert not asked.evidence.exists()
    # Once it exists, seeding again links it.
    survey_indicator()
    result = services.checklist_seed()
    assert result.created == 0
    assert result.linked == 1
    assert list(asked.evidence.values_list("code", flat=True)) == [SURVEY_SOMEONE_TO_ASK]


def test_checklist_seed_is_idempotent_and_keeps_the_municipalitys_edits(
    checklist: list[ChecklistItem],
):
    item = ChecklistItem.objects.get(code="ms_places")
    item.text = "居場所が全中学校区にある（市独自の表現）"
    item.order = 99
    item.save()
    ChecklistItem.objects.filter(code="cn_other_sectors").update(is_active=False)
    extra = Indicator.objects.get(code="consultations_received")
    item.evidence.add(extra)
    assert services.checklist_seed() == services.SeedResult(0, 0)
    item.refresh_from_db()
    assert (item.text, item.order) == ("居場所が全中学校区にある（市独自の表現）", 99)
    assert extra in item.evidence.all()
    assert not ChecklistItem.objects.get(code="cn_other_sectors").is_active
    assert ChecklistItem.objects.count() == len(STANDARD_CHECKLIST)


# --- scoring a 年度 ---------------------------------------------------------------------------


def test_score_a_year_then_rescore_keeps_the_first_scorer(
    checklist: list[ChecklistItem], coordinator: Staff
):
    first = services.self_assessment_score(
        actor=coordinator, fiscal_year=YEAR, answers=all_scored(checklist), note="初回"
    )
    assert first.assessed_by == coordinator
    assert first.assessed_on == timezone.localdate()
    assert ChecklistAnswer.objects.filter(assessment=first).count() == len(checklist)

    colleague = StaffFactory.create(
        username="coord2", agency=coordinator.agency, role=Role.COORDINATOR
    )
    again = services.self_assessment_score(
        actor=colleague,
        fiscal_year=YEAR,
        answers=all_scored(checklist, co_breadth=3, ms_places=0),
        note="見直し",
    )
    assert again.pk == first.pk
    assert SelfAssessment.objects.count() == 1
    assert again.assessed_by == coordinator  # who first scored it stays
    assert again.updated_by == colleague
    assert again.updated_at >= first.updated_at
    assert again.note == "見直し"
    scores = dict(
        ChecklistAnswer.objects.filter(assessment=again).values_list("item__code", "score")
    )
    assert scores["co_breadth"] == 3
    assert scores["ms_places"] == 0
    assert ChecklistAnswer.objects.count() == len(checklist)
    last = AuditEvent.objects.order_by("-sequence").first()
    assert last is not None
    assert (last.action, last.object_type, last.object_id) == (
        "update",
        "self_assessment",
        str(YEAR),
    )
    assert last.detail["changed"] == {"co_breadth": [2, 3], "ms_places": [2, 0]}


@pytest.mark.parametrize("bad", [4, -1, 10, True, "2", None])
def test_a_score_out_of_range_is_refused(checklist, coordinator, bad):
    answers = all_scored(checklist)
    answers["co_breadth"] = Answer(bad)
    with pytest.raises(ValidationError) as raised:
        services.self_assessment_score(actor=coordinator, fiscal_year=YEAR, answers=answers)
    assert "score_co_breadth" in raised.value.message_dict
    assert not SelfAssessment.objects.exists()


def test_unknown_and_missing_questions_are_refused(checklist, coordinator):
    answers = all_scored(checklist)
    answers["no_such_question"] = Answer(1)
    with pytest.raises(ValidationError) as raised:
        services.self_assessment_score(actor=coordinator, fiscal_year=YEAR, answers=answers)
    assert any("no_such_question" in m for m in raised.value.message_dict["__all__"])

    answers = all_scored(checklist)
    del answers["ms_watch"]
    with pytest.raises(ValidationError) as raised:
        services.self_assessment_score(actor=coordinator, fiscal_year=YEAR, answers=answers)
    assert "score_ms_watch" in raised.value.message_dict
    assert not SelfAssessment.objects.exists()


def test_a_retired_question_is_no_longer_scored(checklist, coordinator):
    ChecklistItem.objects.filter(code="cn_other_sectors").update(is_active=False)
    answers = all_scored(checklist)
    with pytest.raises(ValidationError):
        services.self_assessment_score(actor=coordinator, fiscal_year=YEAR, answers=answers)
    del answers["cn_other_sectors"]
    services.self_assessment_score(actor=coordinator, fiscal_year=YEAR, answers=answers)
    assert ChecklistAnswer.objects.count() == len(checklist) - 1


@pytest.mark.parametrize("year", [2017, 1900, YEAR + 1, 20240])
def test_a_year_outside_sensible_bounds_is_refused(checklist, coordinator, year):
    with pytest.raises(ValidationError) as raised:
        services.self_assessment_score(
            actor=coordinator, fiscal_year=year, answers=all_scored(checklist)
        )
    assert "fiscal_year" in raised.value.message_dict


def test_a_long_comment_is_refused(checklist, coordinator):
    answers = all_scored(checklist)
    answers["ms_watch"] = Answer(1, "あ" * 501)
    with pytest.raises(ValidationError) as raised:
        services.self_assessment_score(actor=coordinator, fiscal_year=YEAR, answers=answers)
    assert "comment_ms_watch" in raised.value.message_dict


def test_only_the_municipalitys_coordinators_score(
    checklist, analyst, elsewhere_coordinator, caseworker
):
    for actor in (analyst, elsewhere_coordinator, caseworker):
        with pytest.raises(PermissionDenied):
            services.self_assessment_score(
                actor=actor, fiscal_year=YEAR, answers=all_scored(checklist)
            )
    assert not SelfAssessment.objects.exists()


# --- PDCA -----------------------------------------------------------------------------------


def review(actor: Staff, **overrides: Any) -> PdcaReview:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "fiscal_year": YEAR - 1,
        "held_on": today,
        "meeting_name": "重層的支援体制推進会議",
        "participants": "福祉政策課、社協、地域包括支援センター",
        "findings": "地域づくりの項目が低い。",
        "changes": "協議体に多機関協働の担当が出席する。",
        "follow_up_on": today + datetime.timedelta(days=90),
    }
    values.update(overrides)
    return services.pdca_review_record(actor=actor, **values)


def test_record_a_pdca_review(coordinator):
    saved = review(coordinator)
    assert saved.recorded_by == coordinator
    assert PdcaReview.objects.get().meeting_name == "重層的支援体制推進会議"
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None and event.object_id == str(saved.public_id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": datetime.timedelta(days=1)}, "held_on"),  # days from today
        ({"held_on": datetime.date(2001, 1, 1)}, "held_on"),
        ({"follow_up_on": datetime.timedelta(days=-1)}, "follow_up_on"),
        ({"fiscal_year": 2010}, "fiscal_year"),
        ({"findings": "   "}, "findings"),
        ({"changes": ""}, "changes"),
        ({"meeting_name": ""}, "meeting_name"),
    ],
)
def test_a_bad_pdca_review_is_refused(coordinator, overrides, field):
    # "Today" when the test runs, not when it was collected (maybe before midnight).
    overrides = {
        k: timezone.localdate() + v if isinstance(v, datetime.timedelta) else v
        for k, v in overrides.items()
    }
    with pytest.raises(ValidationError) as raised:
        review(coordinator, **overrides)
    assert field in raised.value.message_dict
    assert not PdcaReview.objects.exists()


def test_check_again_on_the_day_of_the_meeting_is_allowed(coordinator):
    assert review(coordinator, follow_up_on=timezone.localdate()).follow_up_on


def test_only_the_municipalitys_coordinators_record_reviews(analyst, elsewhere_coordinator):
    for actor in (analyst, elsewhere_coordinator):
        with pytest.raises(PermissionDenied):
            review(actor)


# --- pages ----------------------------------------------------------------------------------


def form_data(items: list[ChecklistItem], score: int = 2, **overrides: str) -> dict[str, str]:
    data = {"note": "年度末の点検"}
    for i in items:
        data[f"score_{i.code}"] = str(score)
        data[f"comment_{i.code}"] = ""
    data.update(overrides)
    return data


def test_coordinator_scores_through_the_form_and_sees_the_averages(checklist, coordinator, login):
    client = login(coordinator)
    page = client.get(reverse("evaluation:self_assessment"))
    assert page.status_code == 200
    assert reverse("evaluation:self_assessment_edit", args=[YEAR]) in page.content.decode()
    edit = reverse("evaluation:self_assessment_edit", args=[YEAR])
    assert client.get(edit).status_code == 200
    data = form_data(checklist, 3, score_ms_places="0", comment_ms_places="南部圏域に居場所がない")
    response = client.post(edit, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:self_assessment_year", args=[YEAR])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "南部圏域に居場所がない" in html
    mutual = next(b for b in page.context["page"].blocks if b.function == "mutual_support")
    n = len(mutual.rows)
    assert mutual.average == (Decimal(3 * (n - 1)) / n).quantize(Decimal("0.1"))
    collaboration = next(b for b in page.context["page"].blocks if b.function == "collaboration")
    assert collaboration.average == Decimal("3.0")
    assert [r.fiscal_year for r in page.context["history"]] == [YEAR]
    assert page.context["chart"] is not None


def test_bad_form_input_is_shown_not_a_500(checklist, coordinator, login):
    client = login(coordinator)
    edit = reverse("evaluation:self_assessment_edit", args=[YEAR])
    response = client.post(edit, form_data(checklist, score_co_breadth="9"))
    assert response.status_code == 200
    assert response.context["form"].errors["score_co_breadth"]
    response = client.post(edit, form_data(checklist, score_co_breadth=""))
    assert response.status_code == 200
    assert not SelfAssessment.objects.exists()
    assert client.get(reverse("evaluation:self_assessment_year", args=[2001])).status_code == 404
    assert (
        client.get(reverse("evaluation:self_assessment_edit", args=[YEAR + 1])).status_code == 404
    )


def test_evidence_values_this_year_and_the_year_before(
    checklist, coordinator, analyst, caseworker, login
):
    survey = survey_indicator()
    services.checklist_seed()
    for year, value in ((YEAR, "62.5"), (YEAR - 1, "58")):
        ManualValue.objects.create(
            indicator=survey,
            fiscal_year=year,
            value=Decimal(value),
            entered_by=coordinator,
            entered_at=timezone.now(),
        )
    household = make_household(caseworker.agency)
    for _ in range(3):
        Consultation.objects.create(
            received_at=timezone.now() - datetime.timedelta(minutes=5),
            agency=caseworker.agency,
            staff=caseworker,
            requester="self",
            channel="phone",
            household=household,
            domains=["elderly"],
            summary="テスト",
            outcome="handled",
        )

    def evidence(client: Client, item: str, code: str) -> Any:
        page = client.get(reverse("evaluation:self_assessment")).context["page"]
        row = next(r for b in page.blocks for r in b.rows if r.item.code == item)
        return next(e for e in row.evidence if e.indicator.code == code)

    mine = evidence(login(coordinator), "ms_residents_consult", SURVEY_SOMEONE_TO_ASK)
    assert (mine.this_year.text, mine.previous_year.text) == ("62.5", "58")
    count = evidence(login(coordinator), "co_any_consultation", "consultations_by_domain")
    assert (count.this_year.text, count.previous_year.text) == ("3", "0")
    # Analysts: a count from 1 to 4 is not shown; a zero and a share are.
    # An analyst sees the count of 3 perturbed (core.cellkey): 0 or 5, never 1–4.
    perturbed = evidence(login(analyst), "co_any_consultation", "consultations_by_domain")
    assert perturbed.this_year.text in ("0", "5") and perturbed.previous_year.text == "0"
    share = evidence(login(analyst), "ms_residents_consult", SURVEY_SOMEONE_TO_ASK)
    assert share.this_year.text == "62.5"
    # A share computed from counts goes with them: 0 % of 3 consultations would give the 3
    # back beside the dashboard's other figures (the dashboard's one rule).
    outreach = evidence(login(coordinator), "cn_outreach", "outreach_share")
    assert outreach.this_year.text == "0"
    assert evidence(login(analyst), "cn_outreach", "outreach_share").this_year.text == "—"


def test_pages_per_role(
    checklist, coordinator, elsewhere_coordinator, analyst, caseworker, volunteer, login
):
    saved = review(coordinator)
    read = [
        reverse("evaluation:self_assessment"),
        reverse("evaluation:self_assessment_year", args=[YEAR - 1]),
        reverse("evaluation:pdca_list"),
        reverse("evaluation:pdca_detail", args=[saved.public_id]),
    ]
    write = [
        reverse("evaluation:self_assessment_edit", args=[YEAR]),
        reverse("evaluation:pdca_create"),
    ]
    for url in read + write:
        assert login(coordinator).get(url).status_code == 200, url
    for reader in (analyst, elsewhere_coordinator):
        client = login(reader)
        for url in read:
            response = client.get(url)
            assert response.status_code == 200, (reader, url)
            assert b"score-button" not in response.content
            assert b"pdca-new" not in response.content
        for url in write:
            assert client.get(url).status_code == 404, (reader, url)
            assert client.post(url, {}).status_code == 404, (reader, url)
    for outsider in (caseworker, volunteer):
        client = login(outsider)
        for url in read + write:
            assert client.get(url).status_code == 404, (outsider, url)
    anonymous = Client()
    for url in read + write:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    missing = reverse("evaluation:pdca_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert login(coordinator).get(missing).status_code == 404


def test_record_a_review_through_the_form(coordinator, login):
    client = login(coordinator)
    today = timezone.localdate()
    data = {
        "fiscal_year": str(YEAR - 1),
        "held_on": today.isoformat(),
        "meeting_name": "重層的支援体制推進会議",
        "participants": "福祉政策課",
        "findings": "参加の場が不足",
        "changes": "資源開拓の担当を置く",
        "follow_up_on": (today - datetime.timedelta(days=3)).isoformat(),
    }
    response = client.post(reverse("evaluation:pdca_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["follow_up_on"]
    data["follow_up_on"] = ""
    response = client.post(reverse("evaluation:pdca_create"), data)
    created = PdcaReview.objects.get()
    assert response["Location"] == reverse("evaluation:pdca_detail", args=[created.public_id])
    page = login(coordinator).get(response["Location"]).content.decode()
    assert "参加の場が不足" in page
    assert "資源開拓の担当を置く" in page


# --- query counts ------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _score_years(items: list[ChecklistItem], actor: Staff, years: range) -> None:
    for year in years:
        services.self_assessment_score(actor=actor, fiscal_year=year, answers=all_scored(items))
        review(actor, fiscal_year=year)


@pytest.mark.parametrize(
    "url",
    [
        reverse("evaluation:self_assessment"),
        reverse("evaluation:pdca_list"),
    ],
)
def test_pages_do_not_grow_with_years_and_reviews(
    checklist, coordinator, login, url, django_assert_max_num_queries
):
    client = login(coordinator)
    _score_years(checklist, coordinator, range(YEAR, YEAR + 1))
    few = _queries(client, url)
    earlier = range(max(services.FIRST_FISCAL_YEAR, YEAR - 6), YEAR)
    _score_years(checklist, coordinator, earlier)
    for _ in range(12):
        review(coordinator, fiscal_year=YEAR)
    many = _queries(client, url)
    assert many == few
    assert SelfAssessment.objects.count() == len(earlier) + 1 > 2


def test_history_lists_every_scored_year_oldest_first(checklist, coordinator, login):
    _score_years(checklist, coordinator, range(YEAR - 2, YEAR + 1))
    services.self_assessment_score(
        actor=coordinator,
        fiscal_year=YEAR,
        answers=all_scored(checklist, 3),
    )
    page = login(coordinator).get(reverse("evaluation:self_assessment"))
    rows = page.context["history"]
    assert [r.fiscal_year for r in rows] == [YEAR - 2, YEAR - 1, YEAR]
    assert rows[0].averages == [Decimal("2.0")] * 3
    assert rows[-1].averages == [Decimal("3.0")] * 3
    assert b"<svg" in page.content


def test_assessment_page_without_a_checklist_says_so(coordinator, login):
    page = login(coordinator).get(reverse("evaluation:self_assessment"))
    assert page.status_code == 200
    assert b"no-checklist" in page.content


# --- the demo --------------------------------------------------------------------------------


def test_demo_evaluation_scores_two_years_records_two_reviews_and_links_the_survey(db: Any):
    from kasane.demo.city import build_demo_city
    from kasane.demo.evaluation import build_demo_evaluation

    build_demo_city(households=10)
    today = timezone.localdate()
    build_demo_evaluation(seed=1, today=today)
    assert list(SelfAssessment.objects.values_list("fiscal_year", flat=True)) == [YEAR, YEAR - 1]
    assert PdcaReview.objects.count() == 2
    assert ChecklistAnswer.objects.count() == 2 * ChecklistItem.objects.count()
    asked = ChecklistItem.objects.get(code="ms_residents_consult")
    assert list(asked.evidence.values_list("code", flat=True)) == [SURVEY_SOMEONE_TO_ASK]
    assert ManualValue.objects.filter(indicator__code=SURVEY_SOMEONE_TO_ASK).count() == 2
    assert Indicator.objects.get(code="coordination_cases").targets.get().value == 60
    previous = SelfAssessment.objects.get(fiscal_year=YEAR - 1)
    assert previous.assessed_on < timezone.localdate()
    # The current 年度 improved where its review said it would.
    averages = {r.fiscal_year: [a or Decimal(0) for a in r.averages] for r in history()}
    assert averages[YEAR] > averages[YEAR - 1]
    assert all(n >= b for n, b in zip(averages[YEAR], averages[YEAR - 1], strict=True))
    # Loading it twice changes nothing.
    build_demo_evaluation(seed=1, today=today)
    assert PdcaReview.objects.count() == 2
    assert SelfAssessment.objects.count() == 2
