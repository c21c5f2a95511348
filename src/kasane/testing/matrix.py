"""The authorization matrix's machinery: a small world, its personas, every route made
concrete, and a probe that says what each persona got.

The world is one household of 8050 shape (鷲尾 和夫 and his son), its case led by a 地域包括
with a team, referrals, a 支援会議 with a pledged and an unpledged attendee, a 重層的支援会議,
consent, an assessment, an approved plan and its review, a consultation, an outreach
target from a 民生委員's report, a match with its follow-ups, a community issue and place —
all made through the services, so that every page has a real record to show or to refuse.

Routes come from the URL resolver (recursively through includes) and API operations from
the OpenAPI schema, so a new route is probed the day it is added. A route whose path
parameters the world cannot fill makes the test fail and asks for a filler in
``FILLERS`` — it is never skipped.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import fnmatch
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.registry.models import Area, AreaKind, Membership

# The name and kana of every person in the world: no page or error of an unauthorised
# persona may show any of them.
HEAD_NAME = "鷲尾 和夫"
HEAD_KANA = "ワシオ カズオ"
SON_NAME = "鷲尾 誠"
SON_KANA = "ワシオ マコト"
TARGET_NAME = "大川 誠一"
TARGET_KANA = "オオカワ セイイチ"
OUTSIDER_HEAD_NAME = "別府 花子"
OUTSIDER_HEAD_KANA = "ベップ ハナコ"
NOTE_TEXT = "自宅を訪問し、本人と面談した。"
ASSESSMENT_STRENGTHS = "絵を描くのが得意"
GOAL_TEXT = "安心して暮らしたい"
CONSULTATION_SUMMARY = "母が息子のひきこもりを心配している。"

# Personas, in the order of the table's columns.
ANON = "anon"
PERSONAS: tuple[str, ...] = (
    ANON,
    "caseworker",  # the lead agency's caseworker (地域包括): the case is its own
    "coordinator",  # municipal 多機関協働; the case was sent to coordination
    "outreach_worker",
    "participation_worker",
    "volunteer",  # a 民生委員 who filed the concern report
    "analyst",
    "auditor",
    "admin",
    "team_basis",  # 障害 agency on the team, named by the head's consent
    "team_nobasis",  # 子ども家庭センター on the team, without consent or pledge
    "outsider",  # くらし相談窓口: nothing to do with the household
    "pledged",  # 社協: attended the 支援会議 that took up the case, pledge recorded
    "unpledged",  # 保健センター: attended the same 支援会議, no pledge
)


@dataclass
class World:
    """The records every route is filled from, and the staff of each persona."""

    staff: dict[str, Staff] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _agency(name: str, agency_type: str, domains: list[str] | None = None) -> Agency:
    return Agency.objects.create(
        name=name,
        agency_type=agency_type,
        domains=domains if domains is not None else ["elderly"],
        confidentiality_basis="statutory",
    )


def _staff(username: str, agency: Agency | None, role: str, **extra: Any) -> Staff:
    staff = Staff(
        username=username, display_name=f"{username}さん", agency=agency, role=role, **extra
    )
    staff.set_unusable_password()
    staff.save()
    return staff


def build_world() -> World:
    """Make the world through the services, as staff would."""
    from kasane.api.services import api_token_create
    from kasane.cases import services as cases
    from kasane.cases.models import NoteKind, NoteVisibility
    from kasane.community import services as community
    from kasane.community.models import Frequency, OrganizerType, PlaceKind
    from kasane.community.selectors import current_fiscal_year
    from kasane.intake import services as intake
    from kasane.intake.models import NeedType
    from kasane.meetings import services as meetings
    from kasane.meetings.models import MeetingKind
    from kasane.outreach import services as outreach
    from kasane.participation.catalogue import services as catalogue
    from kasane.participation.matching import services as matching
    from kasane.participation.models import MatchStage
    from kasane.plans import services as plans
    from kasane.plans.models import AgreementMethod, GoalResult, LifeArea
    from kasane.privacy import grants
    from kasane.privacy import services as privacy
    from kasane.privacy.models import BreakGlass, ConsentMethod, ConsentPurpose
    from kasane.registry import services as registry

    w = World()
    o = w.objects
    now = timezone.now()
    today = timezone.localdate()

    city = Area.objects.create(code="MX", name="かさね市", kind=AreaKind.CITY)
    sphere = Area.objects.create(code="MX1", name="中央圏域", kind=AreaKind.SPHERE, parent=city)
    district = Area.objects.create(
        code="MX11", name="中央中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=sphere
    )
    block = Area.objects.create(
        code="MX1101", name="本町一丁目", kind=AreaKind.BLOCK, parent=district
    )
    o.update(city=city, sphere=sphere, district=district, block=block)

    lead = _agency("中央地域包括支援センター", AgencyType.COMMUNITY_GENERAL_SUPPORT)
    municipality = _agency("かさね市 福祉総合相談課", AgencyType.MUNICIPALITY, [])
    disability = _agency("かさね市障害者相談支援センター", AgencyType.DISABILITY_SUPPORT)
    child = _agency("かさね市子ども家庭センター", AgencyType.CHILD_FAMILY_CENTER)
    outside = _agency("かさね市くらし相談窓口", AgencyType.SELF_RELIANCE_SUPPORT)
    council = _agency("かさね市社会福祉協議会", AgencyType.SOCIAL_WELFARE_COUNCIL)
    health = _agency("かさね市保健センター", AgencyType.HEALTH_CENTER)
    npo = _agency("NPO法人 よりそいネット", AgencyType.NPO)
    hub = _agency("NPO法人 つながるば", AgencyType.NPO)
    volunteers = _agency("かさね市民生委員児童委員協議会", AgencyType.COMMISSIONED_VOLUNTEERS)
    planning = _agency("かさね市 企画政策課", AgencyType.MUNICIPALITY, [])
    o.update(lead=lead, municipality=municipality, disability=disability, child=child)
    o.update(outside=outside, council=council, health=health, npo=npo, hub=hub)

    s = w.staff
    s["caseworker"] = _staff("mx_houkatsu", lead, Role.CASEWORKER)
    s["coordinator"] = _staff("mx_coordinator", municipality, Role.COORDINATOR)
    s["outreach_worker"] = _staff("mx_outreach", npo, Role.OUTREACH_WORKER)
    s["participation_worker"] = _staff("mx_participation", hub, Role.PARTICIPATION_WORKER)
    s["volunteer"] = _staff("mx_minsei", volunteers, Role.VOLUNTEER)
    s["analyst"] = _staff("mx_analyst", planning, Role.ANALYST)
    s["auditor"] = _staff("mx_auditor", planning, Role.AUDITOR)
    s["admin"] = _staff("mx_admin", None, Role.ADMIN, is_staff=True, is_superuser=True)
    s["team_basis"] = _staff("mx_shogai", disability, Role.CASEWORKER)
    s["team_nobasis"] = _staff("mx_kodomo", child, Role.CASEWORKER)
    s["outsider"] = _staff("mx_konkyu", outside, Role.CASEWORKER)
    s["pledged"] = _staff("mx_shakyo", council, Role.CASEWORKER)
    s["unpledged"] = _staff("mx_hoken", health, Role.CASEWORKER)
    caseworker, coordinator = s["caseworker"], s["coordinator"]

    # The household, its case and the consultation that opened it.
    household = registry.household_create(
        actor=caseworker,
        head=registry.PersonInput(
            name=HEAD_NAME, kana=HEAD_KANA, birth_date=datetime.date(1943, 6, 1), area=block
        ),
        address="かさね市本町一丁目3-4",
        area=block,
        started_on=datetime.date(2020, 4, 1),
    )
    head = household.memberships.get().person
    son = registry.member_add(
        actor=caseworker,
        household=household,
        person=registry.PersonInput(
            name=SON_NAME, kana=SON_KANA, birth_date=datetime.date(1972, 2, 3), area=block
        ),
        relationship="child",
        started_on=datetime.date(2020, 4, 1),
    )
    son_membership = Membership.objects.get(household=household, person=son)
    relation = registry.relation_create(
        actor=caseworker, from_person=head, to_person=son, kind="parent"
    )
    outsider_household = registry.household_create(
        actor=s["outsider"],
        head=registry.PersonInput(
            name=OUTSIDER_HEAD_NAME, kana=OUTSIDER_HEAD_KANA, birth_date=datetime.date(1980, 1, 1)
        ),
        address="かさね市南町2-2",
        started_on=datetime.date(2021, 4, 1),
    )
    # The case is opened first, so that the consultation joins it: the agencies on the team
    # reach the consultation through the case, and only those with a basis may read it.
    received_at = now - datetime.timedelta(days=20)
    case = cases.case_open(actor=caseworker, household=household, opened_at=received_at)
    needs = list(NeedType.objects.filter(code__in=["8050", "hikikomori"]))
    consultation = intake.consultation_record(
        actor=caseworker,
        received_at=received_at,
        requester="family",
        channel="phone",
        household=household,
        persons=[head, son],
        needs=needs,
        main_need=next(n for n in needs if n.code == "8050"),
        domains=["elderly", "youth"],
        summary=CONSULTATION_SUMMARY,
        outcome="handled",
    )
    assert consultation.case == case
    o.update(household=household, head=head, son=son, membership=son_membership)
    o.update(relation=relation, outsider_household=outsider_household)
    o.update(consultation=consultation, case=case)

    # The team: the 障害 agency (with consent) and the 子ども家庭センター (without).
    referral = cases.referral_create(
        actor=caseworker, case=case, to_agency=disability, reason="障害福祉サービス", request="同行"
    )
    cases.referral_accept(actor=s["team_basis"], referral=referral)
    referral_child = cases.referral_create(
        actor=caseworker, case=case, to_agency=child, reason="孫の登校", request="情報共有"
    )
    cases.referral_accept(actor=s["team_nobasis"], referral=referral_child)
    handover = cases.handover_request(actor=caseworker, case=case, to_agency=disability)
    note = cases.case_note_create(
        actor=caseworker,
        case=case,
        written_on=today,
        kind=NoteKind.VISIT,
        text=NOTE_TEXT,
        visibility=NoteVisibility.TEAM,
    )
    consent = privacy.consent_record(
        actor=caseworker,
        person=head,
        data=privacy.ConsentInput(
            purposes=[ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.INTEGRATED_MEETING],
            method=ConsentMethod.WRITTEN,
            obtained_on=today,
            agencies=[lead, disability, municipality],
        ),
    )
    o.update(referral=referral, referral_child=referral_child, handover=handover)
    o.update(note=note, consent=consent)

    # Coordination: sent, triaged, 支援決定.
    cases.case_send_to_coordination(actor=caseworker, case=case, reason="8050")
    cases.case_triage(actor=coordinator, case=case, triage="A")
    case = cases.case_accept(actor=coordinator, case=case)
    o["case"] = case

    # A 支援会議 held yesterday: 社協 pledged, 保健センター did not.
    held = (now - datetime.timedelta(days=1)).replace(microsecond=0)
    support = meetings.meeting_create(
        actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=held, place="市役所 会議室A"
    )
    pledged_attendee = meetings.attendee_add(
        actor=coordinator, meeting=support, agency=council, staff=s["pledged"]
    )
    unpledged_attendee = meetings.attendee_add(
        actor=coordinator, meeting=support, agency=health, staff=s["unpledged"]
    )
    chair = support.attendees.get(agency=municipality)
    for attendee in (chair, pledged_attendee):
        meetings.pledge_record(actor=coordinator, attendee=attendee, at=held)
    support_item = meetings.agenda_add(actor=coordinator, meeting=support, case=case)
    meetings.minutes_record(
        actor=coordinator, item=support_item, minutes=f"{HEAD_NAME}さん世帯の見守り体制を確認した。"
    )
    integrated = meetings.meeting_create(
        actor=coordinator, kind=MeetingKind.INTEGRATED_MEETING, held_at=held, online=True
    )
    integrated_item = meetings.agenda_add(actor=coordinator, meeting=integrated, case=case)
    o.update(support_meeting=support, integrated_meeting=integrated)
    o.update(pledged_attendee=pledged_attendee, unpledged_attendee=unpledged_attendee)
    o.update(support_item=support_item, integrated_item=integrated_item)

    # Assessment, plan (approved at the 重層的支援会議), a review, and a new draft.
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

    # Break-glass by the 子ども家庭センター, long expired (so it gives no basis today).
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

    # Outreach: a 民生委員's report, a target opened from it, one attempt.
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

    # Participation: a place, the head's match with it, its follow-ups; an unmet need.
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

    # Community: a place and a 地域課題.
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

    # Master data an administrator keeps: a watch agreement (見守り協定).
    from django.contrib.contenttypes.models import ContentType

    from kasane.outreach.models import WatchAgreement, WatchBusinessKind

    shop = _agency("かさね新聞販売店", AgencyType.WATCH_BUSINESS, [])
    o["watch_agreement"] = WatchAgreement.objects.create(
        agency=shop, kind=WatchBusinessKind.NEWSPAPER, agreed_on=datetime.date(2024, 4, 1)
    )
    o["staff_type"] = ContentType.objects.get_for_model(Staff)

    # Evaluation: a PDCA review of this 年度 (indicators are seeded after migrate).
    from kasane.evaluation.models import Indicator
    from kasane.evaluation.system.services import current_fiscal_year as this_year
    from kasane.evaluation.system.services import pdca_review_record

    o["pdca"] = pdca_review_record(
        actor=coordinator,
        fiscal_year=this_year(),
        held_on=today,
        meeting_name="重層的支援体制 推進会議",
        findings="8050世帯の相談が続いている",
        changes="アウトリーチの体制を強める",
    )
    o["indicator"] = Indicator.objects.order_by("code").first()
    o["needs"] = needs

    for persona, member in s.items():
        _record, w.tokens[persona] = api_token_create(staff=member, name="matrix")
    return w


# --- routes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern of the site: its key (namespace:name, or the pattern when unnamed),
    its path template with ``<param>`` slots, and the parameters to fill."""

    key: str
    template: str
    params: tuple[str, ...]


_SLOT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<parameter>\w+)>[^)]*\)")


def _template(pattern: RoutePattern | RegexPattern | Any) -> str:
    raw = str(pattern)
    if isinstance(pattern, RegexPattern):
        raw = raw.removeprefix("^").removesuffix("$").replace("\\", "")
        raw = _NAMED_GROUP.sub(lambda m: f"<{m['parameter']}>", raw)
    return _SLOT.sub(lambda m: f"<{m['parameter']}>", raw)


def site_routes(*, skip_namespaces: frozenset[str] = frozenset()) -> list[Route]:
    """Every URL pattern of the site, through every include."""
    routes: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}{entry.namespace}:"
                if entry.namespace in skip_namespaces:
                    continue
                walk(entry, prefix + _template(entry.pattern), inner)
            else:
                assert isinstance(entry, URLPattern)
                template = prefix + _template(entry.pattern)
                key = f"{namespace}{entry.name or '<' + template + '>'}"
                params = tuple(m["parameter"] for m in _SLOT.finditer(template))
                routes.append(Route(key=key, template=template, params=params))

    walk(get_resolver(), "/", "")
    # A path listed twice (the API names each method of a path) resolves to its first entry;
    # the others exist only for reverse().
    seen: set[str] = set()
    unique = []
    for route in routes:
        if route.template not in seen:
            seen.add(route.template)
            unique.append(route)
    return unique


def fill(template: str, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(values[match["parameter"]])

    return _SLOT.sub(value, template)


def resolves_to(path: str, route: Route) -> bool:
    """The concrete path reaches the pattern it was made from (not another one)."""
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return False
    namespace = ":".join(match.namespaces)
    key = f"{namespace}:{match.url_name}" if namespace else (match.url_name or "")
    return key == route.key or (match.url_name is None and route.key.endswith(">"))


def match_rule(key: str, patterns: list[str]) -> str | None:
    """The first pattern (fnmatch, so ``cases:*``) that names the key."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(key, pattern):
            return pattern
    return None


# --- outcomes -------------------------------------------------------------------------

OK = "ok"  # 2xx, or a redirect that is not to the sign-in page
LOGIN = "login"  # a redirect to a sign-in page (site or admin)


def outcome_of(response: HttpResponse) -> str:
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        return LOGIN if "/login/" in location else OK
    if 200 <= status < 300:
        return OK
    return str(status)


# Who may read whose name. Each family of names is checked by its surname in kanji and in
# kana (so "鷲尾和夫", "ワシオ　カズオ" and a list's "鷲尾" are all caught); every persona not
# named beside a family must never receive it, in any response: page, list, search,
# export, printout, JSON or error.
NAME_FAMILIES: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "case household (鷲尾)": (
        ("鷲尾", "ワシオ", "わしお"),
        frozenset({"caseworker", "coordinator", "team_basis", "pledged"}),
    ),
    "outreach target (大川)": (
        ("大川", "オオカワ", "おおかわ"),
        frozenset({"outreach_worker", "coordinator"}),
    ),
    "outsider's household (別府)": (("別府", "ベップ", "べっぷ"), frozenset({"outsider"})),
    # The case's content: a note, the assessment, the plan, the consultation's summary. An
    # agency on the team without a basis knows the case exists and who leads it, nothing more.
    "case content": (
        (NOTE_TEXT, ASSESSMENT_STRENGTHS, GOAL_TEXT, CONSULTATION_SUMMARY),
        frozenset({"caseworker", "coordinator", "team_basis"}),
    ),
}


def response_text(response: HttpResponse | Any) -> str:
    """What a reader gets from the response: HTML, CSV (UTF-8 or CP932), JSON with its
    escapes undone, the text cells of an .xlsx workbook."""
    body = (
        b"".join(response.streaming_content)  # type: ignore[union-attr]
        if getattr(response, "streaming", False)
        else response.content
    )
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = body.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = body.decode("utf-8", "replace")
    if "json" in response.headers.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def leaked_names(persona: str, text: str) -> list[str]:
    """The name families in ``text`` that ``persona`` may not read."""
    return [
        family
        for family, (tokens, readers) in NAME_FAMILIES.items()
        if persona not in readers and any(token in text for token in tokens)
    ]


class _Undo(Exception):
    """Raised to roll a probe's savepoint back."""


def probe(client: Client, method: str, path: str, **extra: Any) -> HttpResponse:
    """One request, whose writes are rolled back: the next request finds the same world, and
    the client keeps its cookies (a probe of the sign-out page does not sign it out)."""
    cookies = copy.deepcopy(client.cookies)
    response: HttpResponse | None = None
    try:
        with transaction.atomic():
            response = getattr(client, method.lower())(path, **extra)
            raise _Undo
    except _Undo:
        pass
    finally:
        client.cookies = cookies
    assert response is not None
    return response


def api_client(token: str | None) -> Client:
    """A client that signs in with a bearer token only: no session, no CSRF cookie. A view
    that fails answers 500, a cell of the matrix like any other."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(enforce_csrf_checks=True, headers=headers, raise_request_exception=False)


def session_client(staff: Staff | None) -> Client:
    client = Client(raise_request_exception=False)
    if staff is not None:
        client.force_login(staff)
    return client


@dataclass(frozen=True)
class Operation:
    """One operation of the OpenAPI schema."""

    method: str
    template: str
    params: tuple[str, ...]
    spec: dict[str, Any] = field(compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


def iter_operations(schema: dict[str, Any]) -> Iterator[Operation]:
    """Every operation of the OpenAPI schema."""
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                continue
            params = tuple(
                p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"
            )
            yield Operation(method.upper(), path, params, operation)


def fill_api(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), template)


MISSING = uuid.UUID(int=0x4B41_5341_4E45)  # a well-formed id of no record


# --- fillers: a concrete value for every path parameter -------------------------------

Filler = Callable[[World], Any]


def _pid(name: str) -> Filler:
    return lambda w: w.objects[name].public_id


def _pk(name: str) -> Filler:
    return lambda w: w.objects[name].pk


# Path parameters of the site's pages, by route (fnmatch patterns, first match wins). A
# route with a parameter no row fills fails the matrix test: add its row here.
SITE_FILLERS: list[tuple[str, dict[str, Filler]]] = [
    (
        "registry:membership_end",
        {"public_id": _pid("household"), "membership_id": _pid("membership")},
    ),
    ("registry:household_*", {"public_id": _pid("household")}),
    ("registry:member_add", {"public_id": _pid("household")}),
    ("registry:relation_add", {"public_id": _pid("household")}),
    ("registry:person_*", {"public_id": _pid("head")}),
    ("intake:record_for_household", {"public_id": _pid("household")}),
    ("intake:consultation_*", {"public_id": _pid("consultation")}),
    ("cases:referral_detail", {"public_id": _pid("referral")}),
    ("cases:handover_answer", {"public_id": _pid("handover")}),
    ("cases:*", {"public_id": _pid("case")}),
    (
        "meetings:pledge",
        {"public_id": _pid("support_meeting"), "attendee_id": _pid("unpledged_attendee")},
    ),
    ("meetings:item_*", {"public_id": _pid("support_item")}),
    ("meetings:case_meetings", {"public_id": _pid("case")}),
    ("meetings:*", {"public_id": _pid("support_meeting")}),
    ("outreach:target_from_report", {"report_id": _pid("report")}),
    ("outreach:*report*", {"public_id": _pid("report")}),
    ("outreach:*", {"public_id": _pid("target")}),
    ("matching:person", {"public_id": _pid("head")}),
    ("matching:propose", {"public_id": _pid("head")}),
    ("matching:match_detail", {"public_id": _pid("match")}),
    ("matching:follow_up", {"public_id": _pid("follow_up")}),
    ("participation:catalogue_export", {"fmt": lambda w: "csv"}),
    ("participation:*", {"public_id": _pid("opportunity")}),
    ("catalogue:*", {"public_id": _pid("opportunity")}),
    ("community:place_*", {"public_id": _pid("place")}),
    ("community:issue_*", {"public_id": _pid("issue")}),
    ("plans:assessment_detail", {"public_id": _pid("assessment")}),
    ("plans:assessment_print", {"public_id": _pid("assessment")}),
    ("plans:review_detail", {"public_id": _pid("review")}),
    ("plans:plan_create", {"public_id": _pid("case")}),
    ("plans:plan_diff", {"public_id": _pid("draft")}),
    ("plans:plan_*", {"public_id": _pid("plan")}),
    ("plans:*", {"public_id": _pid("case")}),
    ("privacy:consent_create", {"public_id": _pid("head")}),
    ("privacy:consent_withdraw", {"public_id": _pid("consent")}),
    ("privacy:break_glass_start", {"public_id": _pid("case")}),
    ("privacy:break_glass_review", {"public_id": _pid("break_glass")}),
    ("evaluation:indicator_detail", {"code": lambda w: w.objects["indicator"].code}),
    ("evaluation:self_assessment_*", {"fiscal_year": lambda w: w.objects["pdca"].fiscal_year}),
    ("evaluation:pdca_detail", {"public_id": _pid("pdca")}),
    ("core:function_pending", {"slug": lambda w: "community"}),
    ("admin:accounts_agency_*", {"object_id": _pk("lead")}),
    ("admin:<*/accounts/agency/*", {"object_id": _pk("lead")}),
    ("admin:accounts_staff_*", {"object_id": lambda w: w.staff["caseworker"].pk}),
    ("admin:auth_user_password_change", {"id": lambda w: w.staff["caseworker"].pk}),
    ("admin:<*/accounts/staff/*", {"object_id": lambda w: w.staff["caseworker"].pk}),
    ("admin:*needtype*", {"object_id": lambda w: w.objects["needs"][0].pk}),
    ("admin:*watchagreement*", {"object_id": _pk("watch_agreement")}),
    (
        "admin:view_on_site",
        {"content_type_id": _pk("staff_type"), "object_id": lambda w: w.staff["caseworker"].pk},
    ),
    ("admin:app_list", {"app_label": lambda w: "accounts"}),
    ("admin:<*<url>>", {"url": lambda w: "no-such-page/"}),
    # The API's catch-all (a regular expression): a path that names nothing.
    ("api:<*.*>", {"__path__": lambda w: "/api/v1/no-such-endpoint"}),
]

# The API's path parameters, by name (the same for the resolver's api:* routes and the
# OpenAPI schema's operations).
API_FILLERS: dict[str, Filler] = {
    "household_id": _pid("household"),
    "person_id": _pid("head"),
    "consultation_id": _pid("consultation"),
    "case_id": _pid("case"),
    "referral_id": _pid("referral"),
    "meeting_id": _pid("support_meeting"),
    "attendee_id": _pid("unpledged_attendee"),
    "item_id": _pid("support_item"),
    "assessment_id": _pid("assessment"),
    "plan_id": _pid("plan"),
    "consent_id": _pid("consent"),
    "report_id": _pid("report"),
    "target_id": _pid("target"),
    "opportunity_id": _pid("opportunity"),
    "match_id": _pid("match"),
    "follow_up_id": _pid("follow_up"),
    "place_id": _pid("place"),
}


def _today(w: World) -> str:
    return timezone.localdate().isoformat()


# A valid body for every API operation that takes one, so that a write is refused for
# want of access and not for want of a field: the matrix sees the access rule. A body is a
# function of the world; an operation missing here fails the matrix test.
API_BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "POST /api/v1/households": lambda w: {
        "head": {"name": "矩形 太郎", "kana": "クケイ タロウ", "birth_date": "1950-01-01"},
        "address": "かさね市本町二丁目1-1",
    },
    "POST /api/v1/persons/search": lambda w: {"q": "ワシオ"},
    "POST /api/v1/consultations": lambda w: {
        "requester": "family",
        "channel": "phone",
        "household_id": str(w.household.public_id),
        "person_ids": [str(w.head.public_id)],
        "needs": ["8050"],
        "main_need": "8050",
        "summary": "電話で相談があった",
        "outcome": "handled",
    },
    "POST /api/v1/cases": lambda w: {"household_id": str(w.outsider_household.public_id)},
    "POST /api/v1/cases/{case_id}/notes": lambda w: {"kind": "phone", "text": "電話した"},
    "POST /api/v1/referrals": lambda w: {
        "case_id": str(w.case.public_id),
        "to_agency_id": str(w.council.public_id),
        "reason": "見守り",
        "request": "訪問",
    },
    "POST /api/v1/referrals/{referral_id}/decline": lambda w: {"reason": "no_capacity"},
    "POST /api/v1/referrals/{referral_id}/complete": lambda w: {"outcome": "つながった"},
    "POST /api/v1/meetings": lambda w: {
        "kind": "support_meeting",
        "place": "市役所 会議室B",
        "held_at": (timezone.now() + datetime.timedelta(days=7)).isoformat(),
    },
    "POST /api/v1/meetings/{meeting_id}/attendees": lambda w: {
        "agency_id": str(w.outside.public_id)
    },
    "POST /api/v1/meetings/{meeting_id}/agenda": lambda w: {"case_id": str(w.case.public_id)},
    "PUT /api/v1/agenda-items/{item_id}/minutes": lambda w: {"minutes": "確認した"},
    "POST /api/v1/agenda-items/{item_id}/decisions": lambda w: {"kind": "note", "text": "確認"},
    "POST /api/v1/cases/{case_id}/assessments": lambda w: {
        "assessed_on": _today(w),
        "strengths": "料理が得意",
    },
    "POST /api/v1/cases/{case_id}/plans": lambda w: {},
    "PUT /api/v1/plans/{plan_id}": lambda w: {"outreach_requested": True},
    "POST /api/v1/plans/{plan_id}/goals": lambda w: {"term": "short", "text": "外出する"},
    "POST /api/v1/plans/{plan_id}/approve": lambda w: {
        "agenda_item_id": str(w.integrated_item.public_id)
    },
    "POST /api/v1/cases/{case_id}/reviews": lambda w: {
        "held_on": _today(w),
        "goals": [{"goal_id": str(w.goal.lineage), "result": "achieved"}],
        "next_review_on": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
    },
    "POST /api/v1/cases/{case_id}/closure": lambda w: {
        "held_on": _today(w),
        "goals": [{"goal_id": str(w.goal.lineage), "result": "achieved"}],
        "reason": "goals_met",
        "agenda_item_id": str(w.integrated_item.public_id),
    },
    "POST /api/v1/persons/{person_id}/consents": lambda w: {
        "purposes": ["information_sharing"],
        "agency_ids": [str(w.outside.public_id)],
        "method": "written",
        "obtained_on": _today(w),
    },
    "POST /api/v1/consents/{consent_id}/withdraw": lambda w: {},
    "POST /api/v1/cases/{case_id}/break-glass": lambda w: {
        "reason": "本人と連絡が取れず、生命の危険があるため緊急に確認する"
    },
    "POST /api/v1/outreach/reports": lambda w: {
        "who": "高齢の女性",
        "area": w.block.code,
        "signs": ["newspapers"],
    },
    "PUT /api/v1/outreach/reports/{report_id}/status": lambda w: {"status": "in_progress"},
    "POST /api/v1/outreach/targets": lambda w: {"label": "角の家の娘さん"},
    "POST /api/v1/outreach/targets/{target_id}/attempts": lambda w: {
        "attempted_on": _today(w),
        "method": "letter",
        "result": "letter_left",
    },
    "POST /api/v1/outreach/targets/{target_id}/stage": lambda w: {"stage": "contacted"},
    "POST /api/v1/outreach/targets/{target_id}/close": lambda w: {"reason": "moved"},
    "PUT /api/v1/opportunities/{opportunity_id}": lambda w: {"capacity": 12},
    "POST /api/v1/opportunities/{opportunity_id}/checked": lambda w: {"vacancies": 2},
    "POST /api/v1/persons/{person_id}/suggestions": lambda w: {},
    "POST /api/v1/persons/{person_id}/matches": lambda w: {
        "opportunity_id": str(w.other_opportunity.public_id)
    },
    "POST /api/v1/matches/{match_id}/stage": lambda w: {"stage": "settled"},
    "POST /api/v1/follow-ups/{follow_up_id}": lambda w: {"done_on": _today(w), "note": "元気"},
    "POST /api/v1/community-places": lambda w: {
        "name": "本町こども食堂",
        "kind": "children_cafeteria",
        "area_code": w.block.code,
        "organizer": "本町自治会",
        "organizer_type": "residents",
        "frequency": "monthly",
    },
}


def api_body(operation: Operation, world: World) -> Any:
    """The JSON body of an operation, or None when it takes none."""
    if operation.key in API_BODIES:
        return API_BODIES[operation.key](world)
    if "requestBody" in operation.spec:
        raise MissingFiller(f"{operation.key}: add a body to API_BODIES")
    return None


# Operations that need another record than their parameter's usual one.
API_FILLER_OVERRIDES: dict[str, dict[str, Filler]] = {
    # Only a draft can be changed: the approved version would refuse anyone.
    "PUT /api/v1/plans/{plan_id}": {"plan_id": _pid("draft")},
    "POST /api/v1/plans/{plan_id}/goals": {"plan_id": _pid("draft")},
}


class MissingFiller(LookupError):
    pass


def site_path(route: Route, world: World) -> str:
    """The route made concrete from the world; MissingFiller names what to add."""
    if route.key.startswith("api:") and route.params:
        fillers: dict[str, Filler] = API_FILLERS
    else:
        pattern = match_rule(route.key, [p for p, _ in SITE_FILLERS])
        fillers = dict(SITE_FILLERS)[pattern] if pattern else {}
    missing = [p for p in route.params if p not in fillers]
    if missing:
        raise MissingFiller(f"{route.key} ({route.template}): {', '.join(missing)}")
    if "__path__" in fillers:
        return str(fillers["__path__"](world))
    if re.search(r"\.\*|\.\+|[()|\[\]^$?]", route.template):
        raise MissingFiller(f"{route.key} ({route.template}): a regular expression, add __path__")
    return fill(route.template, {p: fillers[p](world) for p in route.params})


def api_path(operation: Operation, world: World) -> str:
    fillers = API_FILLERS | API_FILLER_OVERRIDES.get(operation.key, {})
    missing = [p for p in operation.params if p not in fillers]
    if missing:
        raise MissingFiller(f"{operation.key}: {', '.join(missing)}")
    return fill_api(operation.template, {p: fillers[p](world) for p in operation.params})
