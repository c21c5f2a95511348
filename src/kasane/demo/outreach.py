"""Outreach in かさね市: watch agreements with local businesses, a year of concern reports
from 民生委員 and those businesses, and outreach targets at every stage with their contact
attempts — among them the son of seed 003's household ② (髙木), withdrawn for years.

Written through the outreach services with the services' clock set to the day each thing
happened, ending today; the same seed on the same day gives the same history.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from kasane.accounts.models import Agency, AgencyType, Notification, Role, Staff
from kasane.cases import services as cases
from kasane.cases.models import Case
from kasane.demo.outreach_stories import AGREEMENTS, LABELS, NOTES, RESULTS_BY_STAGE, STORIES
from kasane.outreach import services
from kasane.outreach.models import (
    CloseReason,
    ConcernReport,
    ContactMethod,
    ContactResult,
    OutreachTarget,
    ReportStatus,
    Stage,
    WatchAgreement,
    WatchBusinessKind,
)
from kasane.privacy.cases import case_basis
from kasane.registry.models import Area, AreaKind, Household

DAY = datetime.timedelta(days=1)


class OutreachDemo:
    def __init__(self, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed * 104729 + today.toordinal())
        self.today = today
        self.worker = Staff.objects.get(username="outreach")
        self.blocks = list(Area.objects.filter(kind=AreaKind.BLOCK).order_by("code"))
        self.addresses = list(
            Household.objects.exclude(address="").order_by("id").values_list("address", "area_id")
        )
        self.reporters: list[tuple[Staff, str]] = []

    def at(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        return datetime.datetime.combine(
            day,
            datetime.time(
                hour if hour is not None else self.rng.randint(9, 17),
                self.rng.choice([0, 10, 20, 30, 40, 50]),
            ),
            tzinfo=timezone.get_current_timezone(),
        )

    # --- who reports --------------------------------------------------------------------

    def colleague(self, agency: Agency, key: str, name: str) -> Staff:
        """A reporter without a demo login: the account cannot sign in."""
        staff = Staff(username=f"demo-{key}", role=Role.VOLUNTEER, agency=agency, display_name=name)
        staff.set_unusable_password()
        staff.full_clean()
        staff.save()
        return staff

    def build_agreements(self) -> None:
        for agency in Agency.objects.filter(agency_type=AgencyType.WATCH_BUSINESS).order_by("id"):
            kind, days = AGREEMENTS.get(agency.name, (WatchBusinessKind.OTHER, 365))
            agreement = WatchAgreement(agency=agency, kind=kind, agreed_on=self.today - days * DAY)
            agreement.full_clean()
            agreement.save()
            staff = agency.staff.filter(role=Role.VOLUNTEER).order_by("id").first()
            if staff is None:
                staff = self.colleague(agency, f"watch-{kind}", f"{agency.name} 担当")
            self.reporters.append((staff, kind))
        minsei_agency = Agency.objects.filter(
            agency_type=AgencyType.COMMISSIONED_VOLUNTEERS
        ).first()
        if minsei_agency is not None:
            minsei = list(minsei_agency.staff.filter(role=Role.VOLUNTEER).order_by("id"))
            for i, name in enumerate(("民生委員 松田", "民生委員 岡本"), start=2):
                minsei.append(self.colleague(minsei_agency, f"minsei-{i}", name))
            # 民生委員 report most: they visit the elderly of their district.
            self.reporters = [(m, "minsei") for m in minsei for _ in range(3)] + self.reporters

    # --- a year of reports and the work they start --------------------------------------

    def report(self, day: datetime.date, reporter: Staff, kind: str) -> ConcernReport:
        signs, who, details = self.rng.choice(STORIES[kind])
        address, area_id = self.rng.choice(self.addresses) if self.addresses else ("", None)
        area = next((b for b in self.blocks if b.pk == area_id), None) or self.rng.choice(
            self.blocks
        )
        known = self.rng.random()
        urgency = "urgent" if known < 0.08 else ("soon" if known < 0.3 else "normal")
        with cases.clock_at(self.at(day)):
            return services.concern_report_create(
                actor=reporter,
                area=area,
                # Some reporters know the house, some only the block.
                address=address if self.rng.random() < 0.6 else "",
                who=who,
                signs=signs,
                details=details if self.rng.random() < 0.8 else "",
                noticed_on=day - self.rng.randint(0, 3) * DAY,
                urgency=urgency,
            )

    def attempts(self, target: OutreachTarget, since: datetime.date, until: datetime.date) -> None:
        """Contact attempts every two to four weeks between two days, at the target's stage."""
        day = since
        while True:
            day += self.rng.randint(10, 28) * DAY
            if day > until:
                return
            result = self.rng.choice(RESULTS_BY_STAGE[target.stage])
            method = {
                ContactResult.LETTER_LEFT: ContactMethod.LETTER,
                ContactResult.FAMILY: self.rng.choice(
                    [ContactMethod.VISIT, ContactMethod.VIA_FAMILY, ContactMethod.CALL]
                ),
            }.get(
                result,
                self.rng.choice([ContactMethod.VISIT, ContactMethod.VISIT, ContactMethod.CALL]),
            )
            with cases.clock_at(self.at(day)):
                services.attempt_record(
                    actor=self.worker,
                    target=target,
                    attempted_on=day,
                    method=method,
                    result=result,
                    companions="民生委員" if self.rng.random() < 0.2 else "",
                    note=self.rng.choice(NOTES[result]),
                )

    def move(self, target: OutreachTarget, stage: str, day: datetime.date, note: str = "") -> None:
        with cases.clock_at(self.at(day, 17)):
            services.target_stage_move(actor=self.worker, target=target, stage=stage, note=note)
        target.refresh_from_db()

    def work(
        self, target: OutreachTarget, opened: datetime.date, goal: str, until: datetime.date
    ) -> None:
        """Climb the stages up to ``goal``, with attempts between the moves, until the day
        (a silent target's last attempt is weeks before it)."""
        stages = list(Stage)
        path = stages[1 : stages.index(Stage(goal)) + 1]
        span = (until - opened).days
        day = opened
        for stage in path:
            step = max(1, span // (len(path) + 1))
            next_day = min(until, day + step * DAY)
            self.attempts(target, day, next_day)
            day = next_day
            self.move(target, stage, day)
        silent = self.rng.random() < 0.2
        self.attempts(target, day, until - (self.rng.randint(35, 60) if silent else 0) * DAY)

    def run(self, count: int) -> None:
        goals = [
            Stage.GRASPED,
            Stage.CONTACTED,
            Stage.RELATIONSHIP,
            Stage.CONSULTING,
            Stage.SUPPORTED,
        ]
        closed_any = False
        unshown = list(goals)  # the stages no open target has reached yet
        for _ in range(count):
            day = self.today - self.rng.randint(1, 364) * DAY
            reporter, kind = self.rng.choice(self.reporters)
            report = self.report(day, reporter, kind)
            roll = self.rng.random()
            if roll < 0.25:
                # Nothing wrong after all (a trip, a hospital stay): handled without a target.
                with cases.clock_at(self.at(min(self.today, day + 2 * DAY))):
                    services.concern_report_status_set(
                        actor=self.worker, report=report, status=ReportStatus.DONE
                    )
                continue
            if day > self.today - 3 * DAY:
                continue  # just received: waits in the team's list
            opened = day + self.rng.randint(1, 3) * DAY
            with cases.clock_at(self.at(opened)):
                target = services.target_open(
                    actor=self.worker,
                    label=report.who or self.rng.choice(LABELS),
                    description=report.details,
                    area=report.area,
                    address=report.address,
                    age_band=self.rng.choice(["", "30代", "40代", "50代", "70代", "80代"]),
                    report=report,
                )
            # Every stage is shown among the open targets (the first targets opened, whichever
            # reports the dice of the day leave without one); older ones have gone further.
            showing = bool(unshown)
            goal = unshown.pop(0) if showing else self.rng.choice(goals)
            # About half of the older targets were closed; at least one, whatever the dice
            # and the day the demo is built, so the closed ones are shown too.
            closing = (
                not showing
                and (self.today - opened).days > 90
                and (self.rng.random() < 0.45 or not closed_any)
            )
            closed = self.today - self.rng.randint(1, 60) * DAY
            until = max(closed, opened + DAY) if closing else self.today - DAY
            self.work(target, opened, goal, until)
            if not closing:
                continue
            reason = self.rng.choice(
                [CloseReason.CONNECTED, CloseReason.CONNECTED, CloseReason.MOVED, CloseReason.ENDED]
            )
            with cases.clock_at(self.at(until, 18)):
                services.target_close(actor=self.worker, target=target, reason=reason)
            if reason == CloseReason.CONNECTED and closed_any and self.rng.random() < 0.3:
                # Came back: the support it was connected to did not hold.
                with cases.clock_at(self.at(self.today - DAY, 10)):
                    services.target_reopen(
                        actor=self.worker, target=target, note="支援先から再度の相談"
                    )
            else:
                closed_any = True

    def waiting(self) -> None:
        """Two reports received since yesterday, one urgent, not yet taken up."""
        newspaper = next(
            (r for r, kind in self.reporters if kind == WatchBusinessKind.NEWSPAPER), None
        )
        minsei = next((r for r, kind in self.reporters if kind == "minsei"), None)
        if newspaper is not None:
            self.report(self.today - DAY, newspaper, WatchBusinessKind.NEWSPAPER)
        if minsei is not None:
            # Received just now: the team was told at once.
            services.concern_report_create(
                actor=minsei,
                area=self.rng.choice(self.blocks),
                who="一人暮らしの高齢男性",
                signs=["not_seen", "newspapers"],
                details="3日前から姿が見えず、呼びかけにも応答がない。",
                noticed_on=self.today,
                urgency="urgent",
            )

    # --- seed 003, household ② --------------------------------------------------------------

    def takagi(self) -> None:
        """The 民生委員 heard about the son; the 包括 referred him to outreach (60 days ago).
        Visits to the family first, letters, then short meetings: 関係構築."""
        household = Household.objects.filter(note__startswith="事例②").first()
        minsei = Staff.objects.filter(username="minsei").first()
        if household is None or minsei is None:
            return
        first = self.today - 64 * DAY
        with cases.clock_at(self.at(first, 11)):
            report = services.concern_report_create(
                actor=minsei,
                area=household.area,
                address=household.address,
                who="髙木さん宅の息子（30代）",
                signs=["not_seen"],
                details="高齢の両親を訪問した際、30代の息子が長年ひきこもり状態だと母親が心配していた。",
                noticed_on=first,
            )
        case = Case.objects.filter(household=household).order_by("-opened_at").first()
        linked = case if case is not None and case_basis(self.worker, case) else None
        opened = self.today - 57 * DAY
        with cases.clock_at(self.at(opened, 10)):
            target = services.target_open(
                actor=self.worker,
                label="髙木さん宅の長男",
                description="両親と祖母の4人世帯。長年ひきこもり状態。家族は心配しているが、"
                "家族からの相談にはつながっていない。地域包括支援センターからのつなぎ。",
                area=household.area,
                address=household.address,
                name="髙木 翔",
                kana="タカギ ショウ",
                age_band="30代",
                case=linked,
                report=report,
            )
        plan = [
            (
                55,
                ContactMethod.VISIT,
                ContactResult.FAMILY,
                "母親と面談。本人の生活リズムと関心を聞き取った。",
            ),
            (48, ContactMethod.LETTER, ContactResult.LETTER_LEFT, "自己紹介の手紙を投函。"),
            (41, ContactMethod.VISIT, ContactResult.ABSENT, "本人は部屋から出てこなかった。"),
            (34, ContactMethod.VISIT, ContactResult.MET, "玄関先で数分。ゲームの話題に反応あり。"),
            (20, ContactMethod.VISIT, ContactResult.MET, "居間で15分話せた。次回の約束ができた。"),
            (6, ContactMethod.VISIT, ContactResult.MET, "好きなゲームの話。外出にも少し関心。"),
        ]
        for days, method, result, note in plan:
            day = self.today - days * DAY
            with cases.clock_at(self.at(day)):
                services.attempt_record(
                    actor=self.worker,
                    target=target,
                    attempted_on=day,
                    method=method,
                    result=result,
                    companions="民生委員 川村" if days == 55 else "",
                    note=note,
                )
            if days == 55:
                self.move(target, Stage.CONTACTED, day, "家族と接触")
            if days == 20:
                self.move(target, Stage.RELATIONSHIP, day, "本人と継続して話せるようになった")


def build_demo_outreach(*, seed: int, today: datetime.date) -> None:
    """Load outreach into the demo city (after the year of casework)."""
    from kasane.demo.city import LARGE_CITY, STORY_HOUSEHOLDS

    if not Staff.objects.filter(username="outreach").exists():
        return
    demo = OutreachDemo(seed, today)
    demo.build_agreements()
    households = Household.objects.count()
    if households > LARGE_CITY:
        households = STORY_HOUSEHOLDS  # the story's households; the others are in bulk
    demo.run(max(15, households // 6))
    demo.takagi()
    # The urgent reports of the past year were read long ago; the scheduled job has told
    # the worker of today's silent targets.
    Notification.objects.filter(kind="concern_report_urgent").update(read_at=timezone.now())
    demo.waiting()
    services.quiet_targets_alert(today=today)
