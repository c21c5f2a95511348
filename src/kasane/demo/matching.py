"""The demo's participation support: consents for 参加支援, matches at every stage with their
follow-ups and UCLA loneliness scores, and unmet needs with a few new places developed.

Runs after the catalogue is loaded; everything goes through the services, as staff would.
"""

from __future__ import annotations

import datetime
import random

from django.core.exceptions import ValidationError

from kasane.accounts.models import Staff
from kasane.cases.models import OPEN_STATUSES, Case
from kasane.participation.matching import services
from kasane.participation.models import (
    AgeBand,
    MatchEndReason,
    MatchStage,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)
from kasane.privacy.models import ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentInput, consent_record
from kasane.registry.models import Area, AreaKind, Membership, Person

DAY = datetime.timedelta(days=1)

# How far each demo match got: (stage reached, share of matches).
PATHS = [
    ([MatchStage.PROPOSED], 0.15),
    ([MatchStage.PROPOSED, MatchStage.VISIT], 0.15),
    ([MatchStage.PROPOSED, MatchStage.VISIT, MatchStage.STARTED], 0.30),
    ([MatchStage.PROPOSED, MatchStage.VISIT, MatchStage.STARTED, MatchStage.SETTLED], 0.25),
    ([MatchStage.PROPOSED, MatchStage.VISIT, MatchStage.ENDED], 0.15),
]

UNMET = [
    (
        OpportunityKind.INTERMEDIATE_WORK,
        AgeBand.MIDDLE,
        "長くひきこもっていた40代",
        "短時間から始められる中間的就労の場がない",
    ),
    (
        OpportunityKind.IBASHO,
        AgeBand.YOUTH,
        "不登校を経験した10代後半",
        "夕方に立ち寄れる若者の居場所がない",
    ),
    (
        OpportunityKind.KAYOI_NO_BA,
        AgeBand.OLDER,
        "坂の上に住む80代",
        "歩いて行ける距離に通いの場がない",
    ),
    (
        OpportunityKind.CHILDRENS_CAFETERIA,
        AgeBand.CHILD,
        "ひとり親家庭の小学生",
        "平日夜に開いている子ども食堂がない",
    ),
    (
        OpportunityKind.PEER_SUPPORT,
        AgeBand.MIDDLE,
        "ダブルケアの40代",
        "介護と子育てを両立する人の集まりがない",
    ),
    (
        OpportunityKind.WORK_EXPERIENCE,
        AgeBand.YOUTH,
        "発達障害のある20代",
        "静かな環境での就労体験先が少ない",
    ),
    (OpportunityKind.SALON, AgeBand.OLDER, "外国にルーツのある高齢者", "母語で話せるサロンがない"),
    (
        OpportunityKind.VOLUNTEER,
        AgeBand.OLDER,
        "退職したばかりの60代男性",
        "男性が参加しやすい活動が少ない",
    ),
]


def _age(person: Person, today: datetime.date) -> int | None:
    born = person.birth_date
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def build_matching_demo(*, seed: int, today: datetime.date, matches: int = 36) -> None:
    rng = random.Random(seed * 31 + 7)
    worker = Staff.objects.filter(username="sanka").first()
    places = list(Opportunity.objects.filter(status=OpportunityStatus.ACTIVE).order_by("id"))
    if worker is None or worker.agency is None or not places:
        return
    # Persons of open cases, 15–79, alive, each once; the lead caseworker records consent.
    cases = list(
        Case.objects.filter(status__in=OPEN_STATUSES, lead_agency__isnull=False)
        .select_related("lead_agency")
        .order_by("id")
    )
    rng.shuffle(cases)
    chosen: list[tuple[Person, Staff]] = []
    seen: set[int] = set()
    for case in cases:
        lead = (
            Staff.objects.filter(agency=case.lead_agency, is_active=True, role="caseworker")
            .order_by("id")
            .first()
        )
        if lead is None:
            continue
        members = Membership.objects.filter(
            household_id=case.household_id, ended_on__isnull=True, person__died_on__isnull=True
        ).select_related("person")
        for m in members:
            age = _age(m.person, today)
            if m.person.pk in seen or age is None or not 15 <= age <= 79:
                continue
            chosen.append((m.person, lead))
            seen.add(m.person.pk)
            break
        if len(chosen) >= matches:
            break
    weights = [w for _path, w in PATHS]
    for index, (person, lead) in enumerate(chosen):
        proposed_on = today - rng.randint(20, 300) * DAY
        consent_record(
            actor=lead,
            person=person,
            data=ConsentInput(
                purposes=[ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.PARTICIPATION],
                method=ConsentMethod.WRITTEN if rng.random() < 0.8 else ConsentMethod.ORAL,
                obtained_on=proposed_on,
                agencies=[worker.agency],
            ),
        )
        place = places[(index * 7 + rng.randint(0, 5)) % len(places)]
        try:
            match = services.match_propose(
                actor=worker,
                person=person,
                opportunity=place,
                reasons=["本人の関心に合う", "自宅から近い"],
                on=proposed_on,
            ).match
        except ValidationError:  # the person is already matched to this place
            continue
        path = rng.choices([p for p, _w in PATHS], weights)[0]
        day = proposed_on
        for stage in path[1:]:
            day += rng.randint(7, 30) * DAY
            if day >= today:
                break  # its next step is still to come; the year of work ends yesterday
            services.match_move(
                actor=worker,
                match=match,
                stage=stage,
                on=day,
                end_reason=rng.choice(list(MatchEndReason.values))
                if stage == MatchStage.ENDED
                else "",
            )
            if stage == MatchStage.STARTED:
                first = [rng.randint(2, 4) for _ in range(3)]
                services.loneliness_record(
                    actor=worker,
                    person=person,
                    data=services.LonelinessInput(first[0], first[1], first[2], day),
                    match=match,
                )
        # Follow-ups that fell due are done (most of them), with a score when with the person.
        for follow_up in match.follow_ups.filter(due_on__lte=today).order_by("due_on"):
            if rng.random() < 0.15:
                continue  # some are overdue: they show in the worker's list
            scale = None
            if not follow_up.with_host:
                better = [max(1, a - rng.choice([0, 0, 1, 1, 2])) for a in (3, 3, 3)]
                scale = services.LonelinessInput(better[0], better[1], better[2], follow_up.due_on)
            services.follow_up_record(
                actor=worker,
                follow_up=follow_up,
                done_on=follow_up.due_on,
                note="受入先と連絡。休まず参加できている。"
                if follow_up.with_host
                else "本人と面談。「行くのが楽しみになった」。",
                loneliness=scale,
            )
    districts = list(Area.objects.filter(kind=AreaKind.SCHOOL_DISTRICT).order_by("code"))
    for n, (kind, band, whom, what) in enumerate(UNMET):
        need = services.unmet_need_record(
            actor=worker,
            kind=kind,
            age_band=band,
            for_whom=whom,
            description=what,
            area=districts[n % len(districts)] if districts else None,
            recorded_on=today - (200 - n * 20) * DAY,
        )
        if n in (0, 2):
            answer = next((p for p in places if p.kind_links.filter(kind=kind).exists()), None)
            if answer is not None:
                services.unmet_need_developed(
                    actor=worker, need=need, opportunity=answer, on=today - (90 - n * 10) * DAY
                )
