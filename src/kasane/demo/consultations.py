"""The demo's consultations and what follows them on a case, through the services with their
clock set to the day: the staff who do the work, a consultation (a case opened, referred or sent
to coordination), referrals answered, notes, triage and closing."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.cases import services as cases
from kasane.cases.models import Case, DeclineReason, NoteKind, NoteVisibility, Triage
from kasane.demo.household_profiles import DAY, NOTE_TEXTS, PROFILES, SUMMARIES, HouseholdInfo
from kasane.demo.meeting_calendar import MeetingCalendar, Story
from kasane.intake.models import Channel, NeedType, Outcome, Requester
from kasane.intake.services import ReferralRequest, consultation_record
from kasane.plans.models import ClosureReason

if TYPE_CHECKING:
    from kasane.demo.casework import Casework


class DemoConsultations:
    casework: Casework  # set by DemoActivity

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
