"""The rest of the world: the plan, break-glass, outreach, participation, community,
master data and evaluation records."""

from __future__ import annotations

import datetime

from kasane.accounts.models import AgencyType, Staff
from kasane.testing.matrix.personas import (
    ASSESSMENT_STRENGTHS,
    GOAL_TEXT,
    TARGET_KANA,
    TARGET_NAME,
    World,
    _agency,
)


def _plans(w: World, today: datetime.date) -> None:
    """Assessment, plan (approved at the 重層的支援会議), a review, and a new draft."""
    from kasane.plans import services as plans
    from kasane.plans.models import AgreementMethod, GoalResult, LifeArea

    o = w.objects
    caseworker = w.staff["caseworker"]
    coordinator = w.staff["coordinator"]
    case = o["case"]
    integrated_item = o["integrated_item"]
    lead = o["lead"]
    son = o["son"]
    assessment = plans.assessment_create(
        actor=caseworker,
        case=case,
        assessed_on=today,
        areas=[plans.AreaInput(area=LifeArea.HEALTH, situation="通院が途絶えている", severity=2)],
        person=son,
        strengths=ASSESSMENT_STRENGTHS,
    )
    plan = plans.plan_create(actor=caseworker, case=case)
    goal = plans.goal_add(actor=caseworker, plan=plan, term="long", text=GOAL_TEXT)
    plans.action_add(
        actor=caseworker,
        goal=goal,
        what="月1回の訪問",
        agency=lead,
        due_on=today + datetime.timedelta(days=30),
    )
    plan = plans.plan_update(
        actor=caseworker,
        plan=plan,
        agreed_on=today,
        agreement_method=AgreementMethod.SIGNED,
        review_due_on=today + datetime.timedelta(days=90),
    )
    plan = plans.plan_approve(actor=coordinator, plan=plan, item=integrated_item)
    review = plans.review_record(
        actor=caseworker,
        case=case,
        held_on=today,
        goal_results={goal.pk: GoalResult.PARTLY},
        person_view="少し外に出られるようになった",
        next_review_on=today + datetime.timedelta(days=90),
    )
    draft = plans.plan_create(actor=caseworker, case=case)
    o.update(assessment=assessment, plan=plan, goal=goal, review=review, draft=draft)


def _break_glass(w: World, now: datetime.datetime) -> None:
    """Break-glass by the 子ども家庭センター, long expired (so it gives no basis today)."""
    from kasane.privacy import grants
    from kasane.privacy import services as privacy
    from kasane.privacy.models import BreakGlass

    s, o = w.staff, w.objects
    case = o["case"]
    glass = privacy.break_glass_start(
        actor=s["team_nobasis"],
        case=case,
        reason="虐待の疑いがあり、緊急に安否を確認する必要がある",
    )
    BreakGlass.objects.filter(pk=glass.pk).update(
        started_at=now - datetime.timedelta(days=10), expires_at=now - datetime.timedelta(days=9)
    )
    grants.refresh_case(case)  # moved back in time beside the service
    o["break_glass"] = glass
    # Running now, by a colleague of team_nobasis and glass_colleague: personal, it gives
    # them nothing (issue 14).
    o["break_glass_running"] = privacy.break_glass_start(
        actor=o["glass_user"],
        case=case,
        reason="本人と連絡が取れず、室内で倒れている可能性がある",
    )


def _outreach(w: World, today: datetime.date) -> None:
    """Outreach: a 民生委員's report, a target opened from it, one attempt."""
    from kasane.outreach import services as outreach

    s, o = w.staff, w.objects
    block = o["block"]
    report = outreach.concern_report_create(
        actor=s["volunteer"], area=block, who="高齢の男性（一人暮らし）", signs=["newspapers"]
    )
    target = outreach.target_open(
        actor=s["outreach_worker"],
        label="この住所の息子（40代）",
        area=block,
        address="かさね市本町一丁目5-6",
        name=TARGET_NAME,
        kana=TARGET_KANA,
        report=report,
    )
    attempt = outreach.attempt_record(
        actor=s["outreach_worker"],
        target=target,
        attempted_on=today,
        method="visit",
        result="absent",
    )
    o.update(report=report, target=target, attempt=attempt)


def _participation(w: World) -> None:
    """Participation: a place, the head's match with it, its follow-ups; an unmet need."""
    from kasane.participation.catalogue import services as catalogue
    from kasane.participation.matching import services as matching
    from kasane.participation.models import MatchStage

    s, o = w.staff, w.objects
    caseworker = s["caseworker"]
    block = o["block"]
    head = o["head"]
    opportunity = catalogue.opportunity_create(
        actor=s["participation_worker"],
        resource=catalogue.ResourceInput(name="NPO法人 ひだまりの会", phone="0120-000-111"),
        data=catalogue.OpportunityInput(
            name="居場所カフェ「ひだまり」",
            kinds=["ibasho"],
            area=block,
            location_name="本町集会所",
            welcomes=["anyone"],
            capacity=10,
            vacancies=3,
        ),
    )
    proposed = matching.match_propose(actor=caseworker, person=head, opportunity=opportunity)
    match = proposed.match
    matching.match_move(actor=caseworker, match=match, stage=MatchStage.VISIT)
    matching.match_move(actor=caseworker, match=match, stage=MatchStage.STARTED)
    follow_up = match.follow_ups.order_by("due_on").first()
    unmet = matching.unmet_need_record(
        actor=caseworker, kind="ibasho", age_band="middle", description="夜に開いている居場所がない"
    )
    other_opportunity = catalogue.opportunity_create(
        actor=s["participation_worker"],
        resource=catalogue.ResourceInput(name="本町図書館"),
        data=catalogue.OpportunityInput(
            name="図書館ボランティア", kinds=["volunteer"], area=block, welcomes=["anyone"]
        ),
    )
    o.update(opportunity=opportunity, match=match, follow_up=follow_up, unmet_need=unmet)
    o["other_opportunity"] = other_opportunity


def _community(w: World) -> None:
    """Community: a place and a 地域課題."""
    from kasane.community import services as community
    from kasane.community.models import Frequency, OrganizerType, PlaceKind
    from kasane.core.dates import current_fiscal_year

    o = w.objects
    caseworker = w.staff["caseworker"]
    coordinator = w.staff["coordinator"]
    block = o["block"]
    district = o["district"]
    needs = o["needs"]
    place = community.place_create(
        actor=caseworker,
        name="本町ふれあいサロン",
        kind=PlaceKind.SALON,
        area=block,
        organizer="本町自治会",
        organizer_type=OrganizerType.RESIDENTS,
        frequency=Frequency.MONTHLY,
    )
    issue = community.issue_create(
        actor=coordinator,
        area=district,
        fiscal_year=current_fiscal_year(),
        title="ひきこもりの長期化",
        description="中学校区で8050世帯の相談が続いている",
        need_types=needs,
    )
    o.update(place=place, issue=issue)


def _master_data(w: World) -> None:
    """Master data an administrator keeps: a watch agreement (見守り協定)."""
    from django.contrib.contenttypes.models import ContentType

    from kasane.outreach.models import WatchAgreement, WatchBusinessKind

    o = w.objects
    shop = _agency("かさね新聞販売店", AgencyType.WATCH_BUSINESS, [])
    o["watch_agreement"] = WatchAgreement.objects.create(
        agency=shop, kind=WatchBusinessKind.NEWSPAPER, agreed_on=datetime.date(2024, 4, 1)
    )
    o["staff_type"] = ContentType.objects.get_for_model(Staff)
    # An alert for the auditor to review (kasane.audit.alerts raises them).
    from django.utils import timezone

    from kasane.audit.models import AlertKind, AuditAlert

    now = timezone.now()
    o["audit_alert"] = AuditAlert.objects.create(
        kind=AlertKind.REFUSED,
        actor_username="mx_volunteer",
        raised_at=now,
        window_start=now - datetime.timedelta(hours=1),
        count=30,
        threshold=30,
    )


def _evaluation(w: World, today: datetime.date) -> None:
    """Evaluation: a PDCA review of this 年度 (indicators are seeded after migrate)."""
    from kasane.core.dates import current_fiscal_year as this_year
    from kasane.evaluation.models import Indicator
    from kasane.evaluation.system.services import pdca_review_record

    o = w.objects
    coordinator = w.staff["coordinator"]
    o["pdca"] = pdca_review_record(
        actor=coordinator,
        fiscal_year=this_year(),
        held_on=today,
        meeting_name="重層的支援体制 推進会議",
        findings="8050世帯の相談が続いている",
        changes="アウトリーチの体制を強める",
    )
    o["indicator"] = Indicator.objects.order_by("code").first()
