"""A consultation and its needs as ``consultation_record`` fills them, unsaved.

``kasane.intake.services`` validates, saves and audits what these build; the demo's bulk
loader writes the same records in batches.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kasane.intake.models import Consultation, ConsultationNeed, NeedType

if TYPE_CHECKING:
    from kasane.accounts.models import Staff
    from kasane.cases.models import Case
    from kasane.registry.models import Household


def build_consultation(
    *,
    actor: Staff,
    received_at: datetime.datetime,
    requester: str,
    channel: str,
    household: Household | int | None,
    domains: Sequence[str],
    summary: str,
    outcome: str,
    consent_to_share: bool,
    case: Case | None,
) -> Consultation:
    """A consultation taken by the actor for their agency."""
    consultation = Consultation(
        received_at=received_at,
        agency=actor.agency,
        staff=actor,
        requester=requester,
        channel=channel,
        domains=sorted(set(domains)),
        summary=summary.strip(),
        outcome=outcome,
        consent_to_share=consent_to_share,
        case=case,
    )
    if isinstance(household, int):
        consultation.household_id = household
    else:
        consultation.household = household
    return consultation


def build_needs(
    consultation: Consultation, needs: Sequence[NeedType], main_need: NeedType | None
) -> list[ConsultationNeed]:
    """One row per need (each once, in order), the main one marked."""
    return [
        ConsultationNeed(consultation=consultation, need_type=n, is_main=n == main_need)
        for n in dict.fromkeys(needs)
    ]
