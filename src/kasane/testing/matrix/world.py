"""The world, made through the services as staff would: its places, agencies, staff,
the household and its case, the team, coordination and meetings."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kasane.accounts.models import AccessRequestKind, Agency, AgencyType, Role
from kasane.registry.models import Area, AreaKind, Membership
from kasane.testing.matrix.personas import (
    CONSULTATION_SUMMARY,
    HEAD_KANA,
    HEAD_NAME,
    NOTE_TEXT,
    OUTSIDER_HEAD_KANA,
    OUTSIDER_HEAD_NAME,
    SON_KANA,
    SON_NAME,
    World,
    _agency,
    _staff,
)
from kasane.testing.matrix.records import (
    _break_glass,
    _community,
    _evaluation,
    _master_data,
    _outreach,
    _participation,
    _plans,
)


def build_world() -> World:
    """Make the world through the services, as staff would."""
    from kasane.api.services import api_token_create

    w = World()
    now = timezone.now()
    today = timezone.localdate()
    _areas(w)
    _agencies_and_staff(w)
    _household_and_case(w, now)
    _team(w, today)
    _coordination_and_meetings(w, now)
    _plans(w, today)
    _break_glass(w, now)
    _outreach(w, today)
    _participation(w)
    _community(w)
    _master_data(w)
    _evaluation(w, today)
    for persona, member in w.staff.items():
        _record, w.tokens[persona] = api_token_create(staff=member, name="matrix")
    return w


def _areas(w: World) -> None:
    """The city, a 圏域, a 中学校区 and a block, where everything is."""
    o = w.objects
    city = Area.objects.create(code="MX", name="かさね市", kind=AreaKind.CITY)
    sphere = Area.objects.create(code="MX1", name="中央圏域", kind=AreaKind.SPHERE, parent=city)
    district = Area.objects.create(
        code="MX11", name="中央中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=sphere
    )
    block = Area.objects.create(
        code="MX1101", name="本町一丁目", kind=AreaKind.BLOCK, parent=district
    )
    o.update(city=city, sphere=sphere, district=district, block=block)


def _agencies_and_staff(w: World) -> None:
    """The agencies, and one staff member of each persona."""
    s, o = w.staff, w.objects
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
    s["glass_colleague"] = _staff("mx_kodomo2", child, Role.CASEWORKER)
    o["glass_user"] = _staff("mx_kodomo3", child, Role.CASEWORKER)
    _pending(w, lead)


def _pending(w: World, lead: Agency) -> None:
    """The admin asks for a caseworker of the lead agency; nobody has confirmed it yet."""
    from kasane.accounts import access_requests

    s = w.staff
    account = _staff("mx_pending", lead, Role.PENDING)
    w.objects["access_request"] = access_requests.access_request_open(
        account=account,
        actor=s["admin"],
        kind=AccessRequestKind.NEW_ACCOUNT,
        before=None,
        after=access_requests.Access(Role.CASEWORKER, lead, False),
    )
    s["pending"] = account


def _household_and_case(w: World, now: datetime.datetime) -> None:
    """The household, its case and the consultation that opened it."""
    from kasane.cases import services as cases
    from kasane.intake import services as intake
    from kasane.intake.models import NeedType
    from kasane.registry import services as registry

    s, o = w.staff, w.objects
    caseworker = s["caseworker"]
    block = o["block"]
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
    o.update(consultation=consultation, case=case, needs=needs)


def _team(w: World, today: datetime.date) -> None:
    """The team: the 障害 agency (with consent) and the 子ども家庭センター (without)."""
    from kasane.cases import services as cases
    from kasane.cases.models import NoteKind, NoteVisibility
    from kasane.privacy import services as privacy
    from kasane.privacy.models import ConsentMethod, ConsentPurpose

    s, o = w.staff, w.objects
    caseworker = s["caseworker"]
    case = o["case"]
    child = o["child"]
    disability = o["disability"]
    head = o["head"]
    lead = o["lead"]
    municipality = o["municipality"]
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


def _coordination_and_meetings(w: World, now: datetime.datetime) -> None:
    """Coordination (sent, triaged, 支援決定); a 支援会議 and a 重層的支援会議 take the case up."""
    from kasane.cases import services as cases
    from kasane.meetings import services as meetings
    from kasane.meetings.models import MeetingKind

    s, o = w.staff, w.objects
    caseworker = s["caseworker"]
    coordinator = s["coordinator"]
    council = o["council"]
    health = o["health"]
    municipality = o["municipality"]
    case = o["case"]
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
