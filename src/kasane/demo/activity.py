"""A year of work in かさね市: consultations, cases, referrals, coordination and notes.

Written through the same services staff use, with the services' clock set to the day each
thing happened. The year ends on the day the demo is loaded, so that inboxes show overdue
referrals and the coordinator's board a たらい回し household that are true today; the same
seed on the same day gives the same history.

Proportions follow the seeds: coordination cases about a tenth of consultations, about a
third of them 8050 (seed 004); triage roughly A16 : B8 : C33 (seed 003).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.cases import services as cases
from kasane.cases.models import Case, DeclineReason, NoteKind, NoteVisibility, Triage
from kasane.core.dates import age_on
from kasane.core.models import Domain
from kasane.demo.casework import Casework, MeetingCalendar, Story
from kasane.demo.community import build_demo_community
from kasane.demo.outreach import build_demo_outreach
from kasane.demo.participation import build_demo_participation
from kasane.intake.models import Channel, NeedType, Outcome, Requester
from kasane.intake.services import ReferralRequest, consultation_record
from kasane.plans.models import ClosureReason
from kasane.privacy.models import ConsentMethod
from kasane.registry.models import Household, Membership, Relationship

DAY = datetime.timedelta(days=1)

# What each kind of household brings to a consultation: needs (the first is the usual
# 主訴), the domains touched, the agencies it is usually referred to.
PROFILES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "8050": (
        ["8050", "hikikomori", "isolation", "money_management", "care"],
        [Domain.ELDERLY, Domain.YOUTH],
        ["npo_outreach", "shogai", "konkyu", "hoken"],
    ),
    "isolated": (["isolation", "care", "health", "food"], [Domain.ELDERLY], ["shakyo", "hoken"]),
    "elderly_couple": (
        ["care", "health", "money_management", "advocacy"],
        [Domain.ELDERLY],
        ["shakyo", "hoken"],
    ),
    "double_care": (
        ["double_care", "care", "childcare"],
        [Domain.ELDERLY, Domain.CHILD],
        ["kodomo", "shakyo"],
    ),
    "young_carer": (
        ["young_carer", "childcare", "school_refusal", "care"],
        [Domain.CHILD, Domain.EDUCATION],
        ["kyoiku", "houkatsu", "shogai"],
    ),
    "disability": (
        ["disability", "decision_support", "advocacy", "employment"],
        [Domain.DISABILITY],
        ["npo_sanka", "konkyu", "shakyo"],
    ),
    "working_age_single": (
        ["poverty", "debt", "employment", "housing", "food"],
        [Domain.POVERTY, Domain.EMPLOYMENT, Domain.HOUSING],
        ["npo_sanka", "shakyo", "hoken"],
    ),
    "single_parent": (
        ["childcare", "poverty", "food", "money_management"],
        [Domain.CHILD, Domain.POVERTY],
        ["konkyu", "shakyo"],
    ),
    "family": (
        ["childcare", "school_refusal", "abuse_dv", "health"],
        [Domain.CHILD, Domain.EDUCATION],
        ["kyoiku", "hoken"],
    ),
}

SUMMARIES: dict[str, list[str]] = {
    "8050": [
        "高齢の親から、長年ひきこもっている子の今後について相談。親の年金で生活している。",
        "訪問時、同居の子が自室から出てこないと親が話す。親の介護認定の話も出ている。",
    ],
    "isolated": [
        "近所の人から、最近姿を見かけないと連絡。訪問すると食事が十分とれていない様子。",
        "一人暮らし。通院が途切れがちで、話し相手がいないと本人が話す。",
    ],
    "elderly_couple": [
        "夫が妻の介護をしているが疲れが見える。金銭管理にも不安がある。",
        "夫婦とも通院中。介護サービスの利用について相談。",
    ],
    "double_care": ["乳幼児の子育てと親の介護が重なり、仕事を続けられるか不安との相談。"],
    "young_carer": [
        "学校から、欠席が増えている生徒が家で家族の世話をしているらしいと情報提供。",
        "中学生の子が家事ときょうだいの世話を担っている。本人は困っていないと話す。",
    ],
    "disability": ["障害のある子の将来と、親亡き後の生活について相談。就労の希望もある。"],
    "working_age_single": [
        "失業し家賃を滞納している。借入もあり、食料にも困っている。",
        "体調を崩して退職。仕事を探したいが、何から始めればよいかわからない。",
    ],
    "single_parent": ["ひとり親で仕事を掛け持ちしている。家計が厳しく、子どもの食事が心配。"],
    "family": [
        "子どもが不登校気味。親も対応に疲れている。",
        "子育ての悩み。夫婦間の関係にも不安。",
    ],
}

NOTE_TEXTS = [
    "本人と面談。生活の状況と困りごとを聞き取った。",
    "家族に電話。次回訪問の日程を調整した。",
    "自宅を訪問。室内の様子を確認し、本人の意向を聞いた。",
    "関係機関と情報共有。役割分担を確認した。",
    "通院に同行。主治医と今後の見通しを話した。",
    "前回からの変化を記録。支援方針は継続。",
]


@dataclass
class HouseholdInfo:
    household: Household
    kind: str


def _kind(household: Household, registrar_key: str, on: datetime.date) -> str:
    """Recognise the kind of household the demo city built, from who lives in it."""
    members = household.current  # type: ignore[attr-defined]
    return household_kind(
        [(m.relationship, m.person.birth_date) for m in members],
        household.note,
        registrar_key,
        on,
    )


def household_kind(
    members: Sequence[tuple[str, datetime.date | None]],
    note: str,
    registrar_key: str,
    on: datetime.date,
) -> str:
    """The kind of household, from its current members' 続柄 and birth dates."""
    ages = {relationship: age_on(birth, on) for relationship, birth in members if birth}
    all_ages = [age_on(birth, on) for _relationship, birth in members if birth]
    head_age = ages.get(Relationship.HEAD, 0)
    if registrar_key == "shogai":
        return "disability"
    if "中学生の子" in note:
        return "young_carer"
    if head_age >= 75 and any(
        relationship == Relationship.CHILD and birth and 30 <= age_on(birth, on) <= 65
        for relationship, birth in members
    ):
        return "8050"
    if len(members) == 1:
        return "isolated" if head_age >= 70 else "working_age_single"
    if Relationship.PARENT in ages and any(a <= 7 for a in all_ages):
        return "double_care"
    if head_age >= 65:
        return "elderly_couple"
    if Relationship.SPOUSE not in ages:
        return "single_parent"
    return "family"


class DemoActivity:
    def __init__(self, agencies: dict[str, Agency], seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed * 7919 + today.toordinal())
        self.agencies = agencies
        self.key_of = {a.pk: key for key, a in agencies.items()}
        self.today = today
        # The taxonomy a data migration seeds; make sure it is whole (a flushed test
        # database has lost it) before the year of consultations uses it.
        import importlib

        from django.apps import apps

        importlib.import_module("kasane.intake.migrations.0002_need_types").add(apps, None)
        self.needs = {n.code: n for n in NeedType.objects.all()}
        self.workers: dict[str, Staff] = {}
        self.coordinator = Staff.objects.get(username="coordinator")
        self.calendar = MeetingCalendar(today)
        self.info_of: dict[int, HouseholdInfo] = {}
        # The 支援会議 that took up each case triaged A (A = a meeting held), and the
        # stories told of some cases after it (the others are drawn by the casework).
        self.support_day: dict[int, datetime.date] = {}
        self.stories: dict[int, Story] = {}
        self.casework = Casework(self)

    # --- people who do the work ----------------------------------------------------------

    def worker(self, key: str) -> Staff:
        """A caseworker of the agency: the demo login where there is one, else a colleague."""
        if key not in self.workers:
            agency = self.agencies[key]
            staff = (
                Staff.objects.filter(agency=agency, role=Role.CASEWORKER).order_by("id").first()
                or Staff.objects.filter(
                    agency=agency, role__in=[Role.OUTREACH_WORKER, Role.PARTICIPATION_WORKER]
                )
                .order_by("id")
                .first()
            )
            if staff is None:
                # A colleague without a demo login: the account cannot sign in.
                staff = Staff(
                    username=f"demo-{key.replace('_', '-')}",
                    role=Role.CASEWORKER,
                    agency=agency,
                    display_name=f"{agency.name} 相談員",
                )
                staff.set_unusable_password()
                staff.full_clean()
                staff.save()
            self.workers[key] = staff
        return self.workers[key]

    def at(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        tz = timezone.get_current_timezone()
        return datetime.datetime.combine(
            day,
            datetime.time(
                hour if hour is not None else self.rng.randint(9, 16),
                self.rng.choice([0, 15, 30, 45]),
            ),
            tzinfo=tz,
        )

    def working_day(self, start: datetime.date, offset: int) -> datetime.date:
        day = start + offset * DAY
        while day.weekday() >= 5:
            day += DAY
        return min(day, self.today)

    # --- one household's story -----------------------------------------------------------------

    def consult(
        self,
        info: HouseholdInfo,
        day: datetime.date,
        *,
        outcome: str,
        receiver_key: str,
        referral_to: str | None = None,
        needs: Sequence[str] | None = None,
        summary: str | None = None,
        requester: str | None = None,
        consent: bool | None = None,
    ) -> Case | None:
        needs_codes, domains, _targets = PROFILES[info.kind]
        chosen = list(
            needs or [needs_codes[0], *self.rng.sample(needs_codes[1:], k=self.rng.randint(0, 2))]
        )
        actor = self.worker(receiver_key)
        referral = None
        if outcome == Outcome.REFERRED and referral_to:
            referral = ReferralRequest(
                to_agency=self.agencies[referral_to],
                reason=f"{self.needs[chosen[0]].name}への対応",
                request="状況の確認と支援への参加をお願いします。",
            )
        received_at = self.at(day)
        with cases.clock_at(received_at):
            consultation = consultation_record(
                actor=actor,
                received_at=received_at,
                requester=requester
                or self.rng.choice(
                    [
                        Requester.SELF,
                        Requester.FAMILY,
                        Requester.FAMILY,
                        Requester.AGENCY,
                        Requester.VOLUNTEER,
                        Requester.NEIGHBOUR,
                    ]
                ),
                channel=self.rng.choice(
                    [Channel.WALK_IN, Channel.PHONE, Channel.PHONE, Channel.HOME_VISIT]
                ),
                household=info.household,
                needs=[self.needs[c] for c in chosen],
                main_need=self.needs[chosen[0]],
                domains=domains,
                summary=summary or self.rng.choice(SUMMARIES[info.kind]),
                outcome=outcome,
                consent_to_share=self.rng.random() < 0.8 if consent is None else consent,
                referral=referral,
                coordination_reason="複数の課題が絡み、単独の機関では方向性が定まらない。"
                if outcome == Outcome.COORDINATION
                else "",
            )
        return consultation.case

    def answer_referrals(self, case: Case, day: datetime.date, *, decline: bool = False) -> None:
        for referral in case.referrals.filter(status="requested").select_related("to_agency"):
            requested_on = timezone.localdate(referral.requested_at)
            if requested_on >= self.today - 2 * DAY or self.rng.random() < 0.08:
                continue  # recent ones wait in the inbox; a few were never answered
            actor = self.worker(self.key_of[referral.to_agency_id])
            with cases.clock_at(self.at(self.working_day(day, self.rng.randint(1, 3)))):
                if decline:
                    cases.referral_decline(
                        actor=actor,
                        referral=referral,
                        reason=self.rng.choice(
                            [
                                DeclineReason.NOT_ELIGIBLE,
                                DeclineReason.NO_CAPACITY,
                                DeclineReason.UNREACHABLE,
                            ]
                        ),
                    )
                else:
                    cases.referral_accept(actor=actor, referral=referral)

    def notes(self, case: Case, since: datetime.date, count: int) -> None:
        lead_key = self.key_of[case.lead_agency_id] if case.lead_agency_id else None
        if lead_key is None:
            return
        actor = self.worker(lead_key)
        for _ in range(count):
            day = since + self.rng.randint(1, max(1, (self.today - since).days)) * DAY
            day = min(day, self.today)
            with cases.clock_at(self.at(day)):
                cases.case_note_create(
                    actor=actor,
                    case=case,
                    written_on=day,
                    kind=self.rng.choice(list(NoteKind)),
                    text=self.rng.choice(NOTE_TEXTS),
                    visibility=NoteVisibility.TEAM
                    if self.rng.random() < 0.85
                    else NoteVisibility.AGENCY,
                )

    def close(self, case: Case, day: datetime.date, kind: str) -> None:
        """Complete what was accepted and close the case (終結) with its evaluation, by the
        lead agency. A case with coordination (other than C) is the casework's."""
        case.refresh_from_db()
        if case.sent_to_coordination_at is not None and case.triage != Triage.C:
            return
        reason = self.rng.choice(
            [ClosureReason.GOALS_MET] * 12
            + [ClosureReason.TRANSFERRED] * 4
            + [ClosureReason.MOVED_AWAY, ClosureReason.REFUSED, ClosureReason.UNREACHABLE]
        )
        self.casework.close_by_lead(case, day, reason, theme=kind)

    def triage(self, case: Case, day: datetime.date, *, force: str = "") -> None:
        """A (a 支援会議 takes it up: the next one, already held), B (the meeting is still
        ahead) or C (the existing network, with advice). 支援決定 comes later, at a
        重層的支援会議, for a household that consents (the casework)."""
        if day > self.today - 10 * DAY and not force:
            return  # the last days' cases wait for triage
        roll = self.rng.random()
        triage = force or (Triage.A if roll < 16 / 57 else Triage.B if roll < 24 / 57 else Triage.C)
        on = self.working_day(day, self.rng.randint(2, 8))
        meeting = self.calendar.held_support_after(on + DAY) if triage == Triage.A else None
        if triage == Triage.A and meeting is None:
            triage = Triage.B  # the meeting is planned, not yet held
        with cases.clock_at(self.at(on)):
            cases.case_triage(
                actor=self.coordinator,
                case=case,
                triage=triage,
                advice="既存の支援機関で役割分担し、包括が主担当として継続。"
                if triage == Triage.C
                else "",
            )
        if meeting is not None:
            self.support_day[case.pk] = meeting

    # --- the year -------------------------------------------------------------------------------

    def run(self, households: list[HouseholdInfo]) -> None:
        start = self.today - 365 * DAY
        events: list[tuple[datetime.date, HouseholdInfo]] = []
        for info in households:
            if self.rng.random() < 0.6:
                events.append((start + self.rng.randint(0, 364) * DAY, info))
                if self.rng.random() < 0.35:
                    events.append((start + self.rng.randint(0, 364) * DAY, info))
        events.sort(key=lambda e: (e[0], e[1].household.pk))
        for day, info in events:
            self.one_consultation(info, day)
        self.taraimawashi(households)

    def one_consultation(self, info: HouseholdInfo, day: datetime.date) -> None:
        receiver = self.key_of[info.household.registered_by_agency_id]
        coordination_share = 0.28 if info.kind == "8050" else 0.075
        roll = self.rng.random()
        _needs, _domains, targets = PROFILES[info.kind]
        targets = [
            t if t != "houkatsu" else receiver if receiver.startswith("houkatsu") else "houkatsu_2"
            for t in targets
        ]
        targets = [t for t in targets if t != receiver]
        if roll < coordination_share:
            case = self.consult(info, day, outcome=Outcome.COORDINATION, receiver_key=receiver)
            if case is not None and not case.triage:
                self.triage(case, day)
                self.notes(case, day, self.rng.randint(1, 4))
        elif roll < coordination_share + 0.30 and targets:
            target = self.rng.choice(targets)
            open_to = set()
            existing = cases.open_case_of_household(self.worker(receiver), info.household)
            if existing is not None:
                open_to = {
                    self.key_of[r.to_agency_id]
                    for r in existing.referrals.filter(status__in=["requested", "accepted"])
                }
            if target in open_to:
                self.consult(info, day, outcome=Outcome.HANDLED, receiver_key=receiver)
                return
            case = self.consult(
                info, day, outcome=Outcome.REFERRED, receiver_key=receiver, referral_to=target
            )
            if case is not None:
                self.answer_referrals(case, day, decline=self.rng.random() < 0.15)
                self.notes(case, day, self.rng.randint(0, 3))
                if day < self.today - 150 * DAY and self.rng.random() < 0.5:
                    self.close(case, day + self.rng.randint(60, 120) * DAY, info.kind)
        elif roll < 0.95:
            self.consult(info, day, outcome=Outcome.HANDLED, receiver_key=receiver)
        else:
            self.consult(info, day, outcome=Outcome.NO_ACTION, receiver_key=receiver)

    def taraimawashi(self, households: list[HouseholdInfo]) -> None:
        """One working-age household sent from desk to desk this month, nobody accepting."""
        with_cases = set(Case.objects.values_list("household_id", flat=True))
        info = next(
            (
                h
                for h in households
                if h.kind == "working_age_single" and h.household.pk not in with_cases
            ),
            None,
        )
        if info is None:
            return
        receiver = self.key_of[info.household.registered_by_agency_id]
        first = self.today - 20 * DAY
        case = self.consult(
            info,
            first,
            outcome=Outcome.REFERRED,
            receiver_key=receiver,
            referral_to="npo_sanka",
            needs=["poverty", "housing", "debt"],
            summary="家賃滞納で退去を求められている。就労の相談先を探している。",
        )
        assert case is not None
        self.answer_referrals(case, first, decline=True)
        for offset, target in ((8, "hoken"), (15, "shakyo")):
            day = first + offset * DAY
            with cases.clock_at(self.at(day)):
                referral = cases.referral_create(
                    actor=self.worker(receiver),
                    case=case,
                    to_agency=self.agencies[target if target != receiver else "kodomo"],
                    reason="住まいと就労の課題",
                    request="支援の可否をご検討ください。",
                )
            if offset == 8:
                with cases.clock_at(self.at(self.working_day(day, 2))):
                    cases.referral_decline(
                        actor=self.worker(self.key_of[referral.to_agency_id]),
                        referral=referral,
                        reason=DeclineReason.NOT_ELIGIBLE,
                    )

    # --- the two households of seed 003 ---------------------------------------------------------

    def seed_003(self, kusano: HouseholdInfo, takagi: HouseholdInfo) -> None:
        houkatsu = self.key_of[kusano.household.registered_by_agency_id]
        # ① 草野: 包括 sends it to coordination; A: a 支援会議 where 障害, 自立相談 and 社協
        # pledged and took roles; consent afterwards, 支援決定 and a plan at a 重層的支援会議.
        day = self.today - 200 * DAY
        case = self.consult(
            kusano,
            day,
            outcome=Outcome.COORDINATION,
            receiver_key=houkatsu,
            needs=["decision_support", "advocacy", "money_management", "housing", "disability"],
            summary="知的障害のある母と子2人の世帯。各自で金銭管理をしているが、家の老朽化や"
            "住まいの課題に見通しをもった対応ができていない。",
            requester=Requester.AGENCY,
            consent=False,
        )
        assert case is not None
        self.triage(case, day, force=Triage.A)
        self.stories[case.pk] = Story(
            case=case,
            info=kusano,
            theme="kusano",
            support_on=self.support_day[case.pk],
            invite={
                "shogai": "子2人の生活実態と意向の確認、障害福祉サービスの再検討",
                "konkyu": "世帯全体の家計の見える化と家計改善支援",
                "shakyo": "日常生活自立支援事業（金銭管理）の利用検討",
            },
            later_consent=True,
            consent_method=ConsentMethod.WRITTEN,
            integrated=True,
            reviews=["on_time"],
            drawn=False,
        )
        self.notes(case, day, 6)
        # ② 髙木: the 民生委員 heard about the son; 包括 refers to outreach; B (meeting planned).
        # The family has not consented: 障害, asked yesterday, sees only that the case exists
        # until the 支援会議 next month.
        day = self.today - 60 * DAY
        case = self.consult(
            takagi,
            day,
            outcome=Outcome.REFERRED,
            receiver_key=houkatsu,
            referral_to="npo_outreach",
            needs=["hikikomori", "isolation", "care"],
            summary="民生委員の訪問時、30代の子のひきこもり状態が長年続いていると家族が心配。"
            "家族からの相談にはつながっていない。",
            requester=Requester.VOLUNTEER,
            consent=False,
        )
        assert case is not None
        self.answer_referrals(case, day)
        with cases.clock_at(self.at(day + 20 * DAY)):
            cases.case_send_to_coordination(
                actor=self.worker(houkatsu),
                case=case,
                reason="アウトリーチで関係づくりを開始。参加支援も視野にコーディネート会議を予定。",
            )
        with cases.clock_at(self.at(day + 24 * DAY)):
            cases.case_triage(actor=self.coordinator, case=case, triage=Triage.B)
        self.notes(case, day, 3)
        with cases.clock_at(self.at(self.today - DAY, 10)):
            cases.referral_create(
                actor=self.worker(houkatsu),
                case=case,
                to_agency=self.agencies["shogai"],
                reason="本人の特性を踏まえた関わり方の助言",
                request="来月の支援会議への出席と、障害福祉の観点からの助言をお願いします。",
            )


def build_demo_activity(*, seed: int, today: datetime.date) -> None:
    """Load a year of work into the demo city that ``build_demo_city`` created."""
    from kasane.demo.bulk_activity import last_story_household
    from kasane.demo.city import AGENCIES, LARGE_CITY

    agencies = {spec.key: Agency.objects.get(name=spec.name) for spec in AGENCIES}
    current = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(ended_on__isnull=True).select_related("person"),
        to_attr="current",
    )
    activity = DemoActivity(agencies, seed, today)
    # A large city tells the story of its first households; the others get their years of
    # work in bulk at the end (kasane.demo.bulk_activity).
    story = Household.objects.prefetch_related(current).order_by("id")
    last_story = last_story_household() if Household.objects.count() > LARGE_CITY else None
    if last_story is not None:
        story = story.filter(pk__lte=last_story)
    households = []
    for household in story:
        key = activity.key_of[household.registered_by_agency_id]
        households.append(HouseholdInfo(household, _kind(household, key, today)))
    activity.info_of = {h.household.pk: h for h in households}
    seed_003 = [h for h in households if h.household.note.startswith("事例")]
    others = [h for h in households if h not in seed_003]
    activity.run(others)
    if len(seed_003) == 2:
        activity.seed_003(*seed_003)
    # Consents, meetings, plans, reviews and closures (kasane.demo.casework).
    activity.casework.showcases()
    activity.casework.run()
    # What the hourly ``kasane escalate_referrals`` job would have done by now.
    cases.referrals_escalate()
    # --- issue #5 demo: each function's loader adds its call below this line ---
    build_demo_outreach(seed=seed, today=today)
    build_demo_participation(seed=seed, today=today)
    build_demo_community(seed=seed, today=today)
    # Matches, follow-ups and unmet needs need the catalogue: keep this call last.
    from kasane.demo.matching import build_matching_demo

    build_matching_demo(seed=seed, today=today)
    if last_story is not None:
        from kasane.demo.bulk_activity import build_bulk_activity

        build_bulk_activity(activity=activity, seed=seed, today=today, after_household=last_story)
    # Targets, the survey, the self-assessments and PDCA reviews: after the year of work.
    from kasane.demo.evaluation import build_demo_evaluation

    build_demo_evaluation(seed=seed, today=today)
