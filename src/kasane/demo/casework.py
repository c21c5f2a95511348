"""The demo's year of casework after intake: consents, meetings, plans, reviews and closures.

Everything goes through the services staff use, with the case services' clock set to the
day it happened, so that the audit log and the rules hold (DESIGN.md, "Meetings and the
legal basis of sharing"):

- a consultation where the household agreed to share (相談受付・申込票) records the head's
  consent for the agencies the case involves — for a case sent to coordination also the
  municipal coordination, the agencies usually on such a case and the 重層的支援会議;
  a few consents are withdrawn;
- every case triaged A (meeting held) was taken up at a 支援会議 (§106-6) held by the
  municipality before its triage, every attendee pledged; the agencies given a role there
  are referred to and join the team; B cases wait on next month's planned 支援会議;
- a case whose household consents goes to the monthly 重層的支援会議: 支援決定 and plan
  version 1 approved there, reviews (on schedule, late, some now overdue), a revised version
  for some, and 終結 with its evaluation for others.

Seed 003's two households follow their story: ① 草野 (A: a 支援会議 with 障害, 自立相談 and
社協, then 支援決定, a plan and one review) and ② 髙木 (B: outreach, a meeting planned).
Two more households always show a revised plan with an overdue review, and a closure.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from kasane.accounts.models import AgencyType, Notification
from kasane.accounts.notifications import notifications_read
from kasane.cases import services as cases
from kasane.cases.models import Case, Referral, ReferralStatus, Triage
from kasane.intake.models import Consultation, Outcome
from kasane.meetings import services as meetings
from kasane.meetings.models import (
    AgendaItem,
    Attendee,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kasane.plans import services as plans
from kasane.plans.models import (
    AgreementMethod,
    ClosureReason,
    GoalResult,
    GoalTerm,
    LifeArea,
    PlanStatus,
    SupportPlan,
    Trend,
)
from kasane.privacy.consent import consents_in_force
from kasane.privacy.models import Consent, ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentInput, consent_record, consent_withdraw
from kasane.registry.models import Membership, Person, Relationship, Sex

if TYPE_CHECKING:
    from kasane.demo.activity import DemoActivity, HouseholdInfo

DAY = datetime.timedelta(days=1)
REVIEW_EVERY = 90  # days between reviews (モニタリング), as the manual suggests: 3 months
SUPPORT_PLACE = "かさね市役所 本館3階 第2会議室"
INTEGRATED_PLACE = "人とくらしのサポートセンター 相談室"

SHORT = {
    "coordination": "多機関協働",
    "shogai": "障害相談",
    "kodomo": "こども家庭センター",
    "konkyu": "くらし相談",
    "shakyo": "社協",
    "kyoiku": "教育委員会",
    "hoken": "保健センター",
    "npo_outreach": "よりそいネット",
    "npo_sanka": "はたらくカタチ",
    "minsei": "民生委員",
}

TASKS = {
    "coordination": "支援チームの調整と進捗の確認",
    "houkatsu": "介護保険サービスの利用調整と定期訪問",
    "shogai": "障害福祉サービスの利用意向の確認と計画相談の調整",
    "kodomo": "子どもの状況確認と学校との連絡調整",
    "konkyu": "家計の聞き取りと家計改善支援の提案",
    "shakyo": "日常生活自立支援事業の利用検討と地域の見守り体制づくり",
    "kyoiku": "登校状況の確認とスクールソーシャルワーカーの派遣調整",
    "hoken": "健康状態の確認と受診勧奨のための訪問",
    "npo_outreach": "本人との関係づくりのための定期訪問",
    "npo_sanka": "本人の関心に合う活動の場の見学調整",
    "minsei": "日常の見守りと、気になる変化があったときの連絡",
}

# Per kind of household (activity.PROFILES), and for 草野: the assessment, the direction
# agreed at the 支援会議, the goals of the plan and the goal revised in version 2.
AREAS: dict[str, list[tuple[str, str, int]]] = {
    "kusano": [
        (LifeArea.MONEY, "世帯員がそれぞれ金銭管理をしており、世帯全体の収支が見えない", 2),
        (LifeArea.HOUSING, "住居の老朽化・破損が進み、住み替えを決める人がいない", 3),
        (LifeArea.RIGHTS, "各世帯員の生活の実態や意向が確認できていない", 2),
        (LifeArea.SOCIAL, "過去の障害福祉の支援が継続につながっていない", 1),
    ],
    "8050": [
        (LifeArea.DAILY_LIVING, "親の身体機能が低下し、家事が滞っている", 2),
        (LifeArea.SOCIAL, "子は長年ひきこもり状態で、家族以外との交流がない", 3),
        (LifeArea.MONEY, "親の年金で世帯の生活費をまかなっている", 2),
        (LifeArea.HEALTH, "親は持病があり、通院が途切れがち", 1),
    ],
    "isolated": [
        (LifeArea.SOCIAL, "近所づきあいがなく、話し相手がいない", 2),
        (LifeArea.HEALTH, "通院が途切れがちで、服薬の管理に不安がある", 2),
        (LifeArea.DAILY_LIVING, "食事が十分にとれていない", 2),
    ],
    "elderly_couple": [
        (LifeArea.FAMILY, "夫が一人で妻の介護を担い、疲れが見える", 2),
        (LifeArea.MONEY, "金銭管理に不安がある", 1),
        (LifeArea.HEALTH, "夫婦とも通院中", 1),
    ],
    "double_care": [
        (LifeArea.FAMILY, "乳幼児の子育てと親の介護が重なっている", 2),
        (LifeArea.WORK_SCHOOL, "仕事を続けられるか不安がある", 2),
    ],
    "young_carer": [
        (LifeArea.WORK_SCHOOL, "欠席が増えている", 2),
        (LifeArea.FAMILY, "子どもが家事ときょうだいの世話を担っている", 3),
        (LifeArea.HEALTH, "親の体調が不安定", 1),
    ],
    "disability": [
        (LifeArea.RIGHTS, "将来の暮らしについて本人の意向が確認できていない", 2),
        (LifeArea.WORK_SCHOOL, "就労の希望があるが、日中活動の場がない", 1),
        (LifeArea.MONEY, "金銭管理を家族が担っている", 1),
    ],
    "working_age_single": [
        (LifeArea.MONEY, "家賃を滞納し、借入もある", 3),
        (LifeArea.HOUSING, "退去を求められるおそれがある", 2),
        (LifeArea.WORK_SCHOOL, "失業中で、求職活動ができていない", 2),
    ],
    "single_parent": [
        (LifeArea.MONEY, "家計が厳しく、食費を切り詰めている", 2),
        (LifeArea.FAMILY, "仕事の掛け持ちで、子どもと過ごす時間が少ない", 1),
    ],
    "family": [
        (LifeArea.WORK_SCHOOL, "子どもが不登校気味", 2),
        (LifeArea.FAMILY, "親が対応に疲れている", 2),
        (LifeArea.SAFETY, "夫婦間の関係に不安がある", 1),
    ],
}

DIRECTIONS = {
    "kusano": "世帯員それぞれの生活実態を確認しながら意思決定を支援する。家計の見える化、"
    "金銭管理の支援、住まいの検討を並行して進める。",
    "8050": "親の介護サービスの導入を入口に、子との関係づくりを時間をかけて進める。",
    "isolated": "見守りの目を増やし、通院と食事の確保を優先する。",
    "elderly_couple": "介護者の負担軽減を優先し、金銭管理の支援を検討する。",
    "double_care": "保育と介護のサービスを組み合わせ、就労の継続を支える。",
    "young_carer": "子どもの負担を減らすサービスを入れ、学校と連携して見守る。",
    "disability": "本人の意向を確かめながら、日中活動と将来の住まいを一緒に考える。",
    "working_age_single": "住まいの確保を最優先に、家計の立て直しと就労準備を進める。",
    "single_parent": "使える制度の申請を支え、子どもの食と居場所を確保する。",
    "family": "子どもの居場所づくりと、親の相談先の確保を進める。",
}

GOALS: dict[str, tuple[str, list[str], str]] = {
    "kusano": (
        "家族それぞれが納得できる形で、安心して暮らせる住まいを決めたい",
        ["世帯の1か月の収支を、家族と支援者で一緒に確認できる", "子2人の思いを聞く機会をもつ"],
        "日常生活自立支援事業を使って、毎月の支払いを滞りなく済ませる",
    ),
    "8050": (
        "親子が地域の中で安心して暮らし続けたい",
        ["親の介護サービスを使って負担を減らす", "子が支援者と月に1回は会って話せる"],
        "子が週に1回、居場所に通ってみる",
    ),
    "isolated": (
        "住み慣れた家で、一人でも安心して暮らしたい",
        ["週に1回は誰かと話す機会をもつ", "通院を続けられるようにする"],
        "地域のサロンに月2回参加する",
    ),
    "elderly_couple": (
        "夫婦で無理なく暮らしを続けたい",
        ["介護サービスを使って夫の負担を軽くする", "お金の管理の手伝いを受ける"],
        "ショートステイを試して、夫が休める日をつくる",
    ),
    "double_care": (
        "仕事を続けながら、子育てと介護を両立したい",
        ["保育と介護サービスの利用を整える", "困ったときに相談できる相手をもつ"],
        "親のデイサービスを週3回に増やし、残業のある日に備える",
    ),
    "young_carer": (
        "子どもが子どもらしく学校生活を送れるようにしたい",
        ["家事や世話の負担を減らすサービスを入れる", "週に3日以上登校する"],
        "放課後に友だちと過ごせる日を週2日つくる",
    ),
    "disability": (
        "親亡き後も、地域で自分らしく暮らしたい",
        ["日中活動の場に週2回通う", "金銭管理の支援を受ける"],
        "グループホームの体験利用をしてみる",
    ),
    "working_age_single": (
        "仕事を見つけて、生活を立て直したい",
        ["家賃の滞納を解消する", "就労準備の活動に参加する"],
        "週3日の短時間の仕事を始める",
    ),
    "single_parent": (
        "子どもと安心して暮らせる収入と時間を確保したい",
        ["使える手当や制度を申請する", "子どもの食事を安定させる"],
        "子ども食堂を週1回利用し、親子で出かける時間をつくる",
    ),
    "family": (
        "家族が落ち着いて暮らせるようにしたい",
        ["子どもの居場所を見つける", "親が相談できる場をもつ"],
        "子どもが適応指導教室に通い始める",
    ),
}

PERSON_VIEWS = [
    "少しずつ生活が落ち着いてきた。",
    "まだ不安はあるが、相談できる人ができて安心した。",
    "家のことを手伝ってもらえて助かっている。",
    "今のペースで続けたい。",
    "思っていたより早く変わってきたと感じる。",
]

STRENGTHS = [
    "近くに頼れる親族がいる。",
    "支援者の訪問を受け入れている。",
    "本人に困りごとを話す力がある。",
    "地域の民生委員とつながりがある。",
]

CLOSURE_NOTES = {
    ClosureReason.GOALS_MET: "目標を達成し、既存の支援で見守りが可能になった。",
    ClosureReason.TRANSFERRED: "支援が安定し、主担当機関の継続支援へ移行した。",
    ClosureReason.MOVED_AWAY: "市外へ転出。転出先の相談窓口を本人に案内した。",
    ClosureReason.REFUSED: "本人から支援は不要との意向。地域での見守りは継続。",
    ClosureReason.UNREACHABLE: "訪問と電話を重ねたが連絡が取れない。民生委員に見守りを依頼した。",
}

PROXY_RELATION: dict[tuple[str, str], str] = {
    (Relationship.CHILD, Sex.MALE): "長男",
    (Relationship.CHILD, Sex.FEMALE): "長女",
    (Relationship.SPOUSE, Sex.MALE): "夫",
    (Relationship.SPOUSE, Sex.FEMALE): "妻",
    (Relationship.PARENT, Sex.MALE): "父",
    (Relationship.PARENT, Sex.FEMALE): "母",
}


def _md(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日"


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + ((weekday - first.weekday()) % 7 + 7 * (n - 1)) * DAY


class MeetingCalendar:
    """The city's meeting days: the 支援会議 on the second Tuesday of each month, the
    重層的支援会議 on the fourth Thursday; from a year and a month ago to two months ahead."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.support: list[datetime.date] = []
        self.integrated: list[datetime.date] = []
        year, month = (today - 400 * DAY).year, (today - 400 * DAY).month
        while (year, month) <= ((today + 62 * DAY).year, (today + 62 * DAY).month):
            self.support.append(_nth_weekday(year, month, 1, 2))
            self.integrated.append(_nth_weekday(year, month, 3, 4))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    @staticmethod
    def _after(days: list[datetime.date], day: datetime.date) -> datetime.date | None:
        return next((d for d in days if d >= day), None)

    def support_after(self, day: datetime.date) -> datetime.date | None:
        return self._after(self.support, day)

    def integrated_after(self, day: datetime.date) -> datetime.date | None:
        return self._after(self.integrated, day)

    def held_support_after(self, day: datetime.date) -> datetime.date | None:
        """The first 支援会議 on or after ``day`` that was held before today."""
        found = self.support_after(day)
        return found if found is not None and found < self.today else None

    def held_integrated_after(self, day: datetime.date) -> datetime.date | None:
        found = self.integrated_after(day)
        return found if found is not None and found < self.today else None


@dataclass
class Story:
    """What happens to one case triaged A after its 支援会議; ``None`` knobs are drawn."""

    case: Case
    info: HouseholdInfo
    theme: str
    support_on: datetime.date
    invite: dict[str, str] = field(default_factory=dict)  # agency key → what is asked
    later_consent: bool | None = None
    integrated: bool | None = None
    reviews: list[str] | None = None  # forced outcomes: on_time, late, overdue
    revise_after: int | None = None  # v2 after this review (0 = the first)
    close_after: int | None = None
    close_reason: str = ""
    consent_method: str | None = None
    review_every: int | None = None  # days to the next review; drawn when None
    drawn: bool = True  # knobs left None are drawn at random


class Casework:
    def __init__(self, activity: DemoActivity) -> None:
        self.a = activity
        self.rng = activity.rng
        self.today = activity.today
        self.coordinator = activity.coordinator
        self.calendar = activity.calendar
        self.meetings: dict[tuple[str, datetime.date], Meeting] = {}
        self.rows: dict[tuple[int, str], Attendee] = {}
        self.protected: set[int] = set()  # households whose consent must stay in force
        self.forced_overdue = False

    # --- helpers -------------------------------------------------------------------------

    def key(self, agency_id: int | None) -> str:
        assert agency_id is not None
        return self.a.key_of[agency_id]

    def short(self, key: str) -> str:
        if key.startswith("houkatsu"):
            return self.a.agencies[key].name.replace("地域包括支援センター", "包括")
        return SHORT.get(key, self.a.agencies[key].name)

    def task(self, key: str) -> str:
        return TASKS["houkatsu" if key.startswith("houkatsu") else key]

    def clock(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        return self.a.at(min(day, self.today - DAY), hour)

    def team_keys(self, case: Case) -> list[str]:
        return [
            self.key(agency_id)
            for agency_id in case.team.filter(left_at__isnull=True)
            .order_by("joined_at", "id")
            .values_list("agency_id", flat=True)
        ]

    @staticmethod
    def head(household_id: int) -> Membership | None:
        return (
            Membership.objects.filter(
                household_id=household_id, ended_on__isnull=True, relationship=Relationship.HEAD
            )
            .select_related("person")
            .first()
        )

    # --- consents ------------------------------------------------------------------------

    def consent(
        self,
        household_id: int,
        recorder_key: str,
        day: datetime.date,
        agency_keys: Sequence[str],
        *,
        coordination: bool,
        method: str | None = None,
        note: str = "",
    ) -> Consent | None:
        """The head's consent for the agencies (and, for coordination, the municipality and
        the 重層的支援会議), recorded by the agency that obtained it."""
        head = self.head(household_id)
        if head is None:
            return None
        person = head.person
        purposes = [ConsentPurpose.INFORMATION_SHARING.value]
        if coordination:
            purposes.append(ConsentPurpose.INTEGRATED_MEETING.value)
        keys = list(dict.fromkeys(k for k in agency_keys if k != "coordination"))
        if self._covered(person, keys, purposes, coordination):
            return None
        if method is None:
            roll = self.rng.random()
            method = (
                ConsentMethod.WRITTEN
                if roll < 0.75
                else ConsentMethod.ORAL
                if roll < 0.9
                else ConsentMethod.PROXY
            )
        proxy_name = proxy_relation = ""
        if method == ConsentMethod.PROXY:
            proxy = self._proxy(household_id, person)
            if proxy is None:
                method = ConsentMethod.WRITTEN
            else:
                proxy_name, proxy_relation = proxy
        return consent_record(
            actor=self.a.worker(recorder_key),
            person=person,
            data=ConsentInput(
                purposes=purposes,
                method=method,
                obtained_on=day,
                agencies=[self.a.agencies[k] for k in keys],
                agency_types=[AgencyType.MUNICIPALITY] if coordination else [],
                proxy_name=proxy_name,
                proxy_relation=proxy_relation,
                note=note
                or ("相談受付・申込票（情報共有に同意）" if method != ConsentMethod.ORAL else ""),
            ),
        )

    def _covered(
        self, person: Person, keys: list[str], purposes: list[str], coordination: bool
    ) -> bool:
        ids = {self.a.agencies[k].pk for k in keys}
        for c in Consent.objects.filter(person=person, withdrawn_at__isnull=True):
            named = set(c.agencies.values_list("id", flat=True))
            if (
                set(purposes) <= set(c.purposes)
                and ids <= named
                and (not coordination or AgencyType.MUNICIPALITY in c.agency_types)
            ):
                return True
        return False

    def _proxy(self, household_id: int, person: Person) -> tuple[str, str] | None:
        others = (
            Membership.objects.filter(household_id=household_id, ended_on__isnull=True)
            .exclude(person=person)
            .select_related("person")
        )
        for m in others:
            birth = m.person.birth_date
            if birth is None or (self.today - birth).days < 20 * 365:
                continue
            relation = PROXY_RELATION.get((m.relationship, m.person.sex), "親族")
            return m.person.name, relation
        return None

    def intake_consents(self) -> None:
        """The consents given at intake: for every consultation where the household agreed
        to share and that opened or used a case (referred, or sent to coordination)."""
        from kasane.demo.activity import PROFILES

        consultations = (
            Consultation.objects.filter(
                consent_to_share=True,
                case__isnull=False,
                outcome__in=[Outcome.REFERRED, Outcome.COORDINATION],
            )
            .select_related("case", "household")
            .order_by("received_at", "id")
        )
        referred: dict[int, list[int]] = {}
        for consultation_id, agency_id in Referral.objects.filter(
            consultation__consent_to_share=True
        ).values_list("consultation_id", "to_agency_id"):
            referred.setdefault(consultation_id, []).append(agency_id)
        for c in consultations:
            receiver = self.key(c.agency_id)
            keys = [receiver, *(self.key(a) for a in referred.get(c.pk, []))]
            coordination = c.outcome == Outcome.COORDINATION
            if coordination:
                info = self.a.info_of.get(c.household_id or 0)
                kind = info.kind if info is not None else "isolated"
                keys += [
                    t if t != "houkatsu" else receiver if receiver.startswith("houkatsu") else ""
                    for t in PROFILES[kind][2]
                ]
            assert c.household_id is not None
            self.consent(
                c.household_id,
                receiver,
                timezone.localdate(c.received_at),
                [k for k in keys if k],
                coordination=coordination,
            )

    def withdrawals(self) -> None:
        """A few people withdraw their consent (about 3%); never where a plan rests on it."""
        candidates = [
            c
            for c in Consent.objects.filter(withdrawn_at__isnull=True)
            .select_related("person")
            .order_by("id")
            if not Membership.objects.filter(
                person_id=c.person_id, household_id__in=self.protected
            ).exists()
        ]
        total = Consent.objects.count()
        count = min(len(candidates), max(1, math.ceil(total * 0.03)))
        for consent in self.rng.sample(candidates, k=count):
            consent_withdraw(
                actor=self.a.worker(self.key(consent.recorded_by_agency_id)),
                consent=consent,
                note=self.rng.choice(
                    [
                        "本人から、情報共有への同意を撤回したいとの申出があった。",
                        "家族と話し合った結果、関係機関との情報共有は望まないとのこと。",
                        "支援が落ち着いたため、同意を撤回したいと電話で申出があった。",
                    ]
                ),
            )

    # --- meetings --------------------------------------------------------------------------

    def meeting(self, kind: str, day: datetime.date, *, cancelled: bool = False) -> Meeting:
        """The meeting of that kind on that day, held when it is past, planned otherwise
        (or cancelled, for want of a case)."""
        found = self.meetings.get((kind, day))
        if found is not None:
            return found
        tz = timezone.get_current_timezone()
        support = kind == MeetingKind.SUPPORT_MEETING
        held_at = datetime.datetime.combine(
            day, datetime.time(13, 30) if support else datetime.time(14, 0), tzinfo=tz
        )
        fiscal = day.year if day.month >= 4 else day.year - 1
        number = (day.month - 4) % 12 + 1
        name = "支援会議" if support else "重層的支援会議"
        with cases.clock_at(held_at):
            found = meetings.meeting_create(
                actor=self.coordinator,
                kind=kind,
                held_at=held_at,
                place=SUPPORT_PLACE if support else INTEGRATED_PLACE,
                title=f"令和{fiscal - 2018}年度 第{number}回 {name}",
            )
            if day < self.today:
                meetings.meeting_status_change(
                    actor=self.coordinator,
                    meeting=found,
                    status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.HELD,
                )
        chair = found.attendees.get()
        self.rows[(found.pk, "coordination")] = chair
        if support and day < self.today and not cancelled:
            meetings.pledge_record(actor=self.coordinator, attendee=chair, at=held_at)
        self.meetings[(kind, day)] = found
        return found

    def attendee(self, meeting: Meeting, key: str) -> Attendee:
        row = self.rows.get((meeting.pk, key))
        if row is None:
            row = meetings.attendee_add(
                actor=self.coordinator,
                meeting=meeting,
                agency=self.a.agencies[key],
                staff=self.a.worker(key),
            )
            if meeting.kind == MeetingKind.SUPPORT_MEETING and meeting.status == MeetingStatus.HELD:
                meetings.pledge_record(actor=self.coordinator, attendee=row, at=meeting.held_at)
            self.rows[(meeting.pk, key)] = row
        return row

    def take_up(
        self,
        meeting: Meeting,
        case: Case,
        keys: Sequence[str],
        *,
        to_decide_support: bool = False,
    ) -> AgendaItem:
        keys = list(dict.fromkeys(["coordination", *keys]))
        rows = [self.attendee(meeting, k) for k in keys]
        with cases.clock_at(meeting.held_at):
            return meetings.agenda_add(
                actor=self.coordinator,
                meeting=meeting,
                case=case,
                members=rows if meeting.kind == MeetingKind.SUPPORT_MEETING else (),
                to_decide_support=to_decide_support,
            )

    def actions(self, item: AgendaItem, case: Case, keys: Sequence[str], day: datetime.date) -> str:
        """Role-sharing decisions (役割分担) for agencies on the team; the minutes' lines."""
        team = set(self.team_keys(case))
        lines = []
        for key in dict.fromkeys(keys):
            if key not in team:
                continue
            due = day + self.rng.choice([14, 21, 30, 45, 60]) * DAY
            text = self.task(key)
            meetings.decision_add(
                actor=self.coordinator,
                item=item,
                kind=DecisionKind.ACTION,
                text=text,
                owner=self.a.agencies[key],
                due_on=due,
            )
            lines.append(f"・{self.short(key)}：{text}（{_md(due)}まで）")
        return "\n".join(lines)

    def refer_after_meeting(self, story: Story, day: datetime.date) -> None:
        """The agencies given a role at the 支援会議 are referred to and join the team."""
        case = story.case
        lead = self.key(case.lead_agency_id)
        open_to = {
            self.key(a)
            for a in case.referrals.filter(
                status__in=[ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED]
            ).values_list("to_agency_id", flat=True)
        }
        team = set(self.team_keys(case))
        for offset, (key, request) in enumerate(story.invite.items()):
            if key in team or key in open_to or key == lead:
                continue
            asked = self.a.working_day(day, 1 + offset // 2)
            if asked >= self.today:
                continue
            with cases.clock_at(self.clock(asked)):
                referral = cases.referral_create(
                    actor=self.a.worker(lead),
                    case=case,
                    to_agency=self.a.agencies[key],
                    reason="支援会議での役割分担による",
                    request=request or f"{self.task(key)}をお願いします。",
                )
            answered = self.a.working_day(asked, 2)
            if answered < self.today:
                with cases.clock_at(self.clock(answered)):
                    cases.referral_accept(actor=self.a.worker(key), referral=referral)

    # --- one A case ------------------------------------------------------------------------

    def support_meeting(self, story: Story, day: datetime.date, *, first: bool = True) -> None:
        case = story.case
        meeting = self.meeting(MeetingKind.SUPPORT_MEETING, day)
        lead = self.key(case.lead_agency_id)
        keys = list(dict.fromkeys([lead, *self.team_keys(case), *story.invite]))
        item = self.take_up(meeting, case, keys)
        if first:
            self.refer_after_meeting(story, day)
        with cases.clock_at(meeting.held_at):
            roles = self.actions(item, case, [k for k in keys if k != "coordination"], day)
            areas = "。".join(a[1] for a in AREAS[story.theme][:3])
            summary = (
                case.consultations.order_by("received_at").values_list("summary", flat=True).first()
                or ""
            )
            opening = (
                f"【情報共有】{summary}\n【課題の整理】{areas}。\n"
                if first
                else "【経過】前回の支援会議からの各機関の関わりを共有した。"
                "本人との接点は少しずつ増えている。\n"
            )
            consent_line = (
                "本人の同意が得られれば、重層的支援会議で支援決定とプランを検討する。"
                if story.integrated or story.later_consent
                else "同意が得られていないため、当面は支援会議で情報を共有しながら支援する。"
            )
            meetings.minutes_record(
                actor=self.coordinator,
                item=item,
                minutes=f"{opening}【支援の方向性】{DIRECTIONS[story.theme]}{consent_line}\n"
                f"【役割分担】\n{roles or '・' + self.short(lead) + '：継続して関わる'}\n"
                "【守秘義務】出席者全員が社会福祉法第106条の6の守秘義務を確認し、誓約した。",
            )

    @staticmethod
    def has_meeting_consent(case: Case) -> bool:
        """A current member's consent in force covers the 重層的支援会議 (as agenda_add asks)."""
        return any(
            ConsentPurpose.INTEGRATED_MEETING in (c.purposes or [])
            for c in consents_in_force().filter(
                person__memberships__household_id=case.household_id,
                person__memberships__ended_on__isnull=True,
            )
        )

    def run_story(self, story: Story) -> None:
        case = story.case
        self.support_meeting(story, story.support_on)
        case.refresh_from_db()
        consented = self.has_meeting_consent(case)
        if story.later_consent is None:
            story.later_consent = not consented and self.rng.random() < 0.5
        if story.later_consent and not consented:
            day = self.a.working_day(story.support_on, self.rng.randint(5, 15))
            if day < self.today:
                lead = self.key(case.lead_agency_id)
                self.consent(
                    case.household_id,
                    lead,
                    day,
                    [lead, *self.team_keys(case), *story.invite],
                    coordination=True,
                    method=story.consent_method,
                    note="支援会議の後、訪問して説明し、重層的支援会議での検討に同意を得た。",
                )
                consented = self.has_meeting_consent(case)
        if story.integrated is None:
            story.integrated = consented and self.rng.random() < 0.85
        if not (story.integrated and consented):
            self.without_decision(story)
            return
        start = story.support_on + 10 * DAY
        first_consent = (
            Consent.objects.filter(person__memberships__household_id=case.household_id)
            .order_by("obtained_on")
            .values_list("obtained_on", flat=True)
            .first()
        )
        if first_consent is not None:
            start = max(start, first_consent + 3 * DAY)
        meeting_day = self.calendar.held_integrated_after(start)
        if meeting_day is None:
            self.without_decision(story)
            return
        self.protected.add(case.household_id)
        self.plan_year(story, meeting_day)

    def without_decision(self, story: Story) -> None:
        """A case discussed at the 支援会議 only: perhaps again, perhaps closed by its lead."""
        case = story.case
        if self.rng.random() < 0.5:
            again = self.calendar.held_support_after(story.support_on + 50 * DAY)
            if again is not None:
                self.support_meeting(story, again, first=False)
        if (
            self.today - story.support_on > 150 * DAY
            and self.rng.random() < 0.3
            and not case.referrals.filter(status=ReferralStatus.REQUESTED).exists()
        ):
            day = story.support_on + self.rng.randint(90, 140) * DAY
            reason = self.rng.choice([ClosureReason.TRANSFERRED, ClosureReason.GOALS_MET])
            self.close_by_lead(case, day, reason, theme=story.theme)

    # --- plans ---------------------------------------------------------------------------------

    def assess(self, story: Story, day: datetime.date) -> None:
        rows = AREAS[story.theme]
        with cases.clock_at(self.clock(day)):
            plans.assessment_create(
                actor=self.coordinator,
                case=story.case,
                assessed_on=min(day, self.today - DAY),
                areas=[plans.AreaInput(a, s, v) for a, s, v in rows],
                strengths=self.rng.choice(STRENGTHS),
                wishes=GOALS[story.theme][0],
            )

    def draft(self, story: Story, meeting_day: datetime.date, *, revise: bool) -> SupportPlan:
        """A draft plan (version 1, or the next version revising a short-term goal),
        agreed by the person before the meeting that approves it."""
        case = story.case
        long_goal, short_goals, revised = GOALS[story.theme]
        team = self.team_keys(case)
        written = meeting_day - self.rng.randint(5, 9) * DAY
        with cases.clock_at(self.clock(written)):
            plan = plans.plan_create(actor=self.coordinator, case=case)
            if not revise:
                goal = plans.goal_add(
                    actor=self.coordinator, plan=plan, term=GoalTerm.LONG, text=long_goal
                )
                for number, text in enumerate(short_goals):
                    short = plans.goal_add(
                        actor=self.coordinator, plan=plan, term=GoalTerm.SHORT, text=text
                    )
                    for key in team[number::2] or team[:1]:
                        plans.action_add(
                            actor=self.coordinator,
                            goal=short,
                            what=self.task(key),
                            agency=self.a.agencies[key],
                            due_on=meeting_day + REVIEW_EVERY * DAY,
                        )
                del goal
            else:
                last = plan.goals.filter(term=GoalTerm.SHORT).order_by("-order").first()
                assert last is not None
                plans.goal_update(
                    actor=self.coordinator, goal=last, term=GoalTerm.SHORT, text=revised
                )
                plans.action_add(
                    actor=self.coordinator,
                    goal=last,
                    what=f"「{revised}」に向けた同行と振り返り",
                    agency=self.a.agencies[team[-1]],
                    due_on=meeting_day + 60 * DAY,
                )
        agreed = meeting_day - self.rng.randint(1, 4) * DAY
        roll = self.rng.random()
        method = (
            AgreementMethod.SIGNED
            if roll < 0.8
            else AgreementMethod.ORAL
            if roll < 0.93
            else AgreementMethod.PROXY
        )
        with cases.clock_at(self.clock(agreed)):
            return plans.plan_update(
                actor=self.coordinator,
                plan=plan,
                participation_requested=story.theme in ("8050", "disability", "working_age_single"),
                outreach_requested=story.theme == "8050",
                agreed_on=agreed,
                agreement_method=method,
                review_due_on=self.review_day(meeting_day, REVIEW_EVERY),
            )

    def integrated_item(self, story: Story, day: datetime.date, **kw: bool) -> AgendaItem:
        case = story.case
        meeting = self.meeting(MeetingKind.INTEGRATED_MEETING, day)
        return self.take_up(
            meeting, case, [self.key(case.lead_agency_id), *self.team_keys(case)], **kw
        )

    def approved(self, case: Case) -> SupportPlan:
        plan = case.plans.filter(status=PlanStatus.APPROVED).first()
        assert plan is not None
        return plan

    def plan_year(self, story: Story, day: datetime.date) -> None:
        """支援決定 and plan version 1 at a 重層的支援会議, then reviews until today: some on
        schedule, some late, the last perhaps overdue; a revised version; perhaps 終結."""
        case = story.case
        self.assess(story, day - self.rng.randint(8, 14) * DAY)
        plan = self.draft(story, day, revise=False)
        item = self.integrated_item(story, day, to_decide_support=True)
        with cases.clock_at(item.meeting.held_at):
            meetings.decision_add(
                actor=self.coordinator,
                item=item,
                kind=DecisionKind.SUPPORT_DECISION,
                text="世帯全体への支援を決定。多機関協働で支援チームをつくり、プランに沿って支援する。",
            )
            plan = plans.plan_approve(actor=self.coordinator, plan=plan, item=item)
            roles = self.actions(item, case, self.team_keys(case)[:2], day)
            meetings.minutes_record(
                actor=self.coordinator,
                item=item,
                minutes=f"【支援決定】{DIRECTIONS[story.theme]}\n"
                f"【プラン】第1版を確認。本人の同意（{plan.get_agreement_method_display()}、"
                f"{_md(plan.agreed_on or day)}）を確認のうえ承認した。\n【役割分担】\n{roles}\n"
                f"【次回評価】{_md(plan.review_due_on or day)}頃",
            )
        due = plan.review_due_on
        assert due is not None
        index = 0
        revised = False
        while due < self.today:
            outcome = self.review_outcome(story, index, due)
            if outcome == "overdue":
                return
            held = self.review(story, index, due, outcome)
            if held is None:
                return
            closing = story.close_after == index or (
                story.drawn
                and story.close_after is None
                and index >= 1
                and self.rng.random() < 0.35
            )
            if closing:
                self.close_at_meeting(story, held)
                return
            revising = not revised and (
                story.revise_after == index
                or (story.drawn and story.revise_after is None and self.rng.random() < 0.4)
            )
            if revising:
                revised = self.revise(story, held) or revised
            case.refresh_from_db()
            due = self.approved(case).review_due_on or self.today
            index += 1

    def review_day(self, after: datetime.date, days: int) -> datetime.date:
        """The date of a review about ``days`` after: a 重層的支援会議's day, where the plan
        is reviewed on schedule."""
        return self.calendar.integrated_after(after + (days - 10) * DAY) or after + days * DAY

    def review_outcome(self, story: Story, index: int, due: datetime.date) -> str:
        if story.reviews is not None and index < len(story.reviews):
            return story.reviews[index]
        if not story.drawn:
            return "on_time"
        recent = self.today - due < 45 * DAY
        roll = self.rng.random()
        if recent and (roll < 0.35 or not self.forced_overdue):
            self.forced_overdue = True
            return "overdue"
        return "on_time" if roll < 0.65 else "late"

    def review(
        self, story: Story, index: int, due: datetime.date, outcome: str
    ) -> datetime.date | None:
        """One モニタリング: on schedule at the 重層的支援会議 before the due date, or late
        by the lead agency. Returns the day it was held."""
        case = story.case
        plan = self.approved(case)
        results = self.goal_results(plan, final=False)
        areas = self.area_results(story)
        meeting_day = self.calendar.integrated_after(due - 16 * DAY)
        item = None
        if outcome == "on_time" and meeting_day is not None and meeting_day <= due:
            held = meeting_day
            item = self.integrated_item(story, held)
            actor = self.coordinator
        else:
            held = (
                due - self.rng.randint(0, 5) * DAY
                if outcome == "on_time"
                else due + self.rng.randint(10, 35) * DAY
            )
            if held >= self.today:
                return None
            actor = self.a.worker(self.key(case.lead_agency_id))
        upcoming = self.story_next(story, index + 1)
        every = story.review_every or (
            self.rng.choice([60, 60, REVIEW_EVERY]) if story.drawn else REVIEW_EVERY
        )
        next_due = self.review_day(held, every)
        if upcoming == "overdue" and held + 30 * DAY < self.today - 5 * DAY:
            # The review after this one was not held: it is overdue today.
            next_due = max(self.today - self.rng.randint(5, 25) * DAY, held + 30 * DAY)
        elif upcoming is None and not story.drawn:
            # A scripted story ends with its last review: the next is still ahead.
            next_due = max(next_due, self.review_day(self.today, 14))
        view = self.rng.choice(PERSON_VIEWS)
        with cases.clock_at(self.clock(held, 15)):
            if item is not None:
                meetings.decision_add(
                    actor=self.coordinator,
                    item=item,
                    kind=DecisionKind.REVIEW,
                    text="プランを継続し、次回あらためて評価する。",
                    next_review_on=next_due,
                )
                meetings.minutes_record(
                    actor=self.coordinator,
                    item=item,
                    minutes=f"【モニタリング】第{plan.version}版の目標ごとに達成状況を確認した。"
                    f"本人の声：「{view}」\n【次回評価】{_md(next_due)}",
                )
            plans.review_record(
                actor=actor,
                case=case,
                held_on=held,
                goal_results=results,
                area_results=areas,
                person_view=view,
                next_review_on=next_due,
                meeting_item=item,
            )
        return held

    def story_next(self, story: Story, index: int) -> str | None:
        if story.reviews is not None and index < len(story.reviews):
            return story.reviews[index]
        return None

    def goal_results(self, plan: SupportPlan, *, final: bool) -> dict[int, str]:
        weights = (
            [GoalResult.ACHIEVED] * 6 + [GoalResult.PARTLY] * 3 + [GoalResult.NOT]
            if final
            else [GoalResult.ACHIEVED] * 3 + [GoalResult.PARTLY] * 5 + [GoalResult.NOT] * 2
        )
        return {g.pk: self.rng.choice(weights).value for g in plan.goals.all()}

    def area_results(self, story: Story) -> dict[str, str]:
        trends = [Trend.BETTER] * 5 + [Trend.SAME] * 4 + [Trend.WORSE]
        return {a: self.rng.choice(trends).value for a, _s, _v in AREAS[story.theme]}

    def revise(self, story: Story, after: datetime.date) -> bool:
        """Plan version 2 (a short-term goal reached, the next step set), approved at the
        next 重層的支援会議."""
        day = self.calendar.held_integrated_after(after + 10 * DAY)
        if day is None:
            return False
        case = story.case
        plan = self.draft(story, day, revise=True)
        item = self.integrated_item(story, day)
        with cases.clock_at(item.meeting.held_at):
            plan = plans.plan_approve(actor=self.coordinator, plan=plan, item=item)
            meetings.minutes_record(
                actor=self.coordinator,
                item=item,
                minutes=f"【プランの見直し】前回の評価で短期目標の一部が達成されたため、"
                f"次の段階の目標を本人と話し合った。第{plan.version}版を承認した。\n"
                f"【次回評価】{_md(plan.review_due_on or day)}頃",
            )
        case.refresh_from_db()
        return True

    def finish_referrals(self, case: Case, day: datetime.date) -> bool:
        if case.referrals.filter(status=ReferralStatus.REQUESTED).exists():
            return False
        with cases.clock_at(self.clock(day)):
            for referral in case.referrals.filter(status=ReferralStatus.ACCEPTED):
                cases.referral_complete(
                    actor=self.a.worker(self.key(referral.to_agency_id)),
                    referral=referral,
                    outcome="役割を終え、状況が安定した。",
                )
        return True

    def close_at_meeting(self, story: Story, after: datetime.date) -> None:
        """終結 decided at the 重層的支援会議, with the final evaluation."""
        day = self.calendar.held_integrated_after(after + 7 * DAY)
        case = story.case
        if day is None or not self.finish_referrals(case, day - 3 * DAY):
            return
        reason = story.close_reason or self.rng.choice(
            [ClosureReason.GOALS_MET] * 5 + [ClosureReason.TRANSFERRED, ClosureReason.MOVED_AWAY]
        )
        plan = self.approved(case)
        item = self.integrated_item(story, day)
        view = self.rng.choice(PERSON_VIEWS)
        with cases.clock_at(item.meeting.held_at):
            meetings.minutes_record(
                actor=self.coordinator,
                item=item,
                minutes=f"【終結の検討】第{plan.version}版の目標の達成状況を確認した。"
                f"{CLOSURE_NOTES[ClosureReason(reason)]}\n本人の声：「{view}」\n"
                "【決定】終結とする。必要なときはいつでも相談できることを本人に伝える。",
            )
            plans.closure_record(
                actor=self.coordinator,
                case=case,
                reason=reason,
                note=CLOSURE_NOTES[ClosureReason(reason)],
                item=item,
                held_on=day,
                goal_results=self.goal_results(plan, final=True),
                area_results=self.area_results(story),
                person_view=view,
            )
        self.protected.discard(case.household_id)

    def close_by_lead(
        self, case: Case, day: datetime.date, reason: str, *, theme: str = ""
    ) -> None:
        """終結 of a case without 支援決定, by its lead agency, with its evaluation; the
        coordinator is told (and has read what is more than a month old)."""
        day = min(day, self.today - DAY)
        case.refresh_from_db()
        if case.lead_agency_id is None or not case.is_open:
            return
        if not self.finish_referrals(case, day):
            return
        areas = {}
        if theme:
            trends = [Trend.BETTER] * 3 + [Trend.SAME]
            areas = {a: self.rng.choice(trends).value for a, _s, _v in AREAS[theme][:2]}
        before = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with cases.clock_at(self.clock(day)):
            plans.closure_record(
                actor=self.a.worker(self.key(case.lead_agency_id)),
                case=case,
                reason=reason,
                note=CLOSURE_NOTES[ClosureReason(reason)],
                held_on=day,
                area_results=areas,
                person_view=self.rng.choice(PERSON_VIEWS),
            )
        if day < self.today - 30 * DAY:
            notifications_read(
                self.coordinator,
                Notification.objects.filter(id__gt=before).values_list("id", flat=True),
            )

    # --- B: a meeting planned ------------------------------------------------------------

    def planned(self) -> None:
        """Cases triaged B wait on the next 支援会議, already on its agenda; plans due for
        review at the next 重層的支援会議 are on its agenda."""
        day = self.calendar.integrated_after(self.today + DAY)
        assert day is not None
        for plan in SupportPlan.objects.filter(
            status=PlanStatus.APPROVED, review_due_on=day, case__accepted_at__isnull=False
        ).select_related("case"):
            if plan.case.is_open and self.has_meeting_consent(plan.case):
                meeting = self.meeting(MeetingKind.INTEGRATED_MEETING, day)
                self.take_up(
                    meeting,
                    plan.case,
                    [self.key(plan.case.lead_agency_id), *self.team_keys(plan.case)],
                )
        day = self.calendar.support_after(self.today + DAY)
        assert day is not None
        for case in Case.objects.filter(triage=Triage.B).order_by("triaged_at", "id"):
            if not case.is_open:
                continue
            meeting = self.meeting(MeetingKind.SUPPORT_MEETING, day)
            keys = [self.key(case.lead_agency_id), *self.team_keys(case)]
            keys += [
                self.key(a)
                for a in case.referrals.filter(status=ReferralStatus.REQUESTED).values_list(
                    "to_agency_id", flat=True
                )
            ]
            self.take_up(meeting, case, keys)

    # --- the year ------------------------------------------------------------------------

    def story_for(self, case: Case) -> Story:
        from kasane.demo.activity import PROFILES

        info = self.a.info_of[case.household_id]
        support_on = self.a.support_day[case.pk]
        lead = self.key(case.lead_agency_id)
        targets = [
            t if t != "houkatsu" else lead if lead.startswith("houkatsu") else "houkatsu_2"
            for t in PROFILES[info.kind][2]
        ]
        targets = [t for t in targets if t != lead]
        invite = dict.fromkeys(self.rng.sample(targets, k=min(len(targets), 2)), "")
        return Story(case=case, info=info, theme=info.kind, support_on=support_on, invite=invite)

    def showcase(self, prefer: Sequence[str], days_ago: int) -> Story | None:
        """A household without a case comes to coordination: triaged A, with consent."""
        with_cases = set(Case.objects.values_list("household_id", flat=True))
        free = [
            h
            for h in self.a.info_of.values()
            if h.household.pk not in with_cases and not h.household.note.startswith("事例")
        ]
        info = next((h for h in free if h.kind in prefer), free[0] if free else None)
        if info is None:
            return None
        day = self.a.working_day(self.today - days_ago * DAY, 0)
        receiver = self.key(info.household.registered_by_agency_id)
        case = self.a.consult(
            info, day, outcome=Outcome.COORDINATION, receiver_key=receiver, consent=True
        )
        if case is None:
            return None
        self.a.triage(case, day, force=Triage.A)
        if case.pk not in self.a.support_day:
            return None
        self.a.notes(case, day, 3)
        story = self.story_for(case)
        story.integrated, story.later_consent, story.drawn = True, False, False
        self.a.stories[case.pk] = story
        return story

    def showcases(self) -> None:
        """Two stories the demo always tells, whatever the draw: a plan revised (version 2)
        whose review is now overdue, and a closure with its evaluation at the 重層的支援会議."""
        revised = self.showcase(("8050", "isolated", "elderly_couple"), 355)
        if revised is not None:
            revised.reviews = ["on_time", "late", "overdue"]
            revised.revise_after = 0
        closed = self.showcase(("working_age_single", "disability", "single_parent"), 300)
        if closed is not None:
            closed.reviews = ["on_time", "on_time"]
            closed.review_every = 60
            closed.close_after = 1
            closed.close_reason = ClosureReason.GOALS_MET

    def run(self) -> None:
        self.intake_consents()
        a_cases = Case.objects.filter(triage=Triage.A).order_by("triaged_at", "id")
        for case in a_cases:
            story = self.a.stories.get(case.pk) or self.story_for(case)
            self.run_story(story)
        self.planned()
        self.cancel_empty_months()
        self.withdrawals()

    def cancel_empty_months(self) -> None:
        """The meetings are held monthly; a month without a case to take up cancels its."""
        for kind, days in (
            (MeetingKind.SUPPORT_MEETING, self.calendar.support),
            (MeetingKind.INTEGRATED_MEETING, self.calendar.integrated),
        ):
            for day in days:
                if self.today - 365 * DAY <= day < self.today and (kind, day) not in self.meetings:
                    self.meeting(kind, day, cancelled=True)
