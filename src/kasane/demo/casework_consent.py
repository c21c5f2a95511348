"""Consents in the demo's casework: at intake, for the meetings, and their withdrawals."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from kasane.accounts.models import AgencyType
from kasane.cases.models import Referral
from kasane.intake.models import Consultation, Outcome
from kasane.privacy.models import Consent, ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentInput, consent_record, consent_withdraw
from kasane.registry.models import Membership, Person

if TYPE_CHECKING:
    pass
from kasane.demo.casework_base import CaseworkBase
from kasane.demo.casework_texts import PROXY_RELATION


class ConsentWork(CaseworkBase):
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
        born = person.birth_date
        if method == ConsentMethod.PROXY and (born is None or (day - born).days < 75 * 365):
            method = ConsentMethod.WRITTEN  # a proxy only for the very old (認知症 and the like)
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
        from kasane.demo.household_profiles import PROFILES

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
            given = self.consent(
                c.household_id,
                receiver,
                timezone.localdate(c.received_at),
                [k for k in keys if k],
                coordination=coordination,
            )
            if given is not None and c.household_id % 2 == 0:
                self.children_consents(c.household_id, given)

    def children_consents(self, household_id: int, parent: Consent) -> None:
        """A young child's consent, given by the head as 親権者 beside the head's own, in
        some households (the others' children give none)."""
        head = parent.person
        for m in Membership.objects.filter(
            household_id=household_id, ended_on__isnull=True, relationship="child"
        ).select_related("person"):
            born = m.person.birth_date
            if born is None or (parent.obtained_on - born).days >= 15 * 365:
                continue
            consent_record(
                actor=parent.recorded_by,
                person=m.person,
                data=ConsentInput(
                    purposes=list(parent.purposes),
                    method=ConsentMethod.PROXY,
                    obtained_on=parent.obtained_on,
                    agencies=list(parent.agencies.all()),
                    agency_types=list(parent.agency_types),
                    proxy_name=head.name,
                    proxy_relation="親権者",
                    note="相談受付・申込票（親権者による同意）",
                ),
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
