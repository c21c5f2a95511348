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

from django.db.models import Prefetch

from kasane.accounts.models import Agency
from kasane.cases import services as cases
from kasane.cases.models import Case, DeclineReason, Triage
from kasane.demo.casework import Casework
from kasane.demo.community import build_demo_community
from kasane.demo.consultations import DemoConsultations
from kasane.demo.household_profiles import DAY, PROFILES, HouseholdInfo, kind_of
from kasane.demo.meeting_calendar import Story
from kasane.demo.outreach import build_demo_outreach
from kasane.demo.participation import build_demo_participation
from kasane.intake.models import Outcome, Requester
from kasane.privacy.models import ConsentMethod
from kasane.registry.models import Household, Membership


class DemoActivity(DemoConsultations):
    def __init__(self, agencies: dict[str, Agency], seed: int, today: datetime.date) -> None:
        super().__init__(agencies, seed, today)
        self.casework = Casework(self)

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
    from kasane.demo.agencies import AGENCIES
    from kasane.demo.bulk_activity import last_story_household
    from kasane.demo.city import LARGE_CITY

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
        households.append(HouseholdInfo(household, kind_of(household, key, today)))
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
