"""Meeting fixtures: a case sent to coordination, a 支援会議 and a 重層的支援会議 held by the
coordinator, and consent for the 重層的支援会議."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.cases import services as case_services
from kasane.conftest import head_of
from kasane.meetings import services
from kasane.meetings.models import Meeting, MeetingKind
from kasane.privacy import grants
from kasane.privacy.models import Consent, ConsentMethod, ConsentPurpose


def when(days: int = 1) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=days)).replace(microsecond=0)


@pytest.fixture
def coord_case(open_case: Any, caseworker: Staff, coordinator: Staff) -> Any:
    """The 包括's case, sent to coordination and triaged A by the coordinator."""
    case_services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    return case_services.case_triage(actor=coordinator, case=open_case, triage="A")


@pytest.fixture
def support_meeting(coordinator: Staff) -> Meeting:
    return services.meeting_create(
        actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=when(), place="市役所 会議室A"
    )


@pytest.fixture
def integrated_meeting(coordinator: Staff) -> Meeting:
    return services.meeting_create(
        actor=coordinator, kind=MeetingKind.INTEGRATED_MEETING, held_at=when(), online=True
    )


@pytest.fixture
def give_consent(coordinator: Staff) -> Callable[..., Consent]:
    """``give_consent(case, agencies=[...], purposes=[...])``: the head's consent in force."""

    def _give(case: Any, *, agencies: list[Any] = (), **overrides: Any) -> Consent:  # type: ignore[assignment]
        values: dict[str, Any] = {
            "person": head_of(case.household),
            "purposes": [ConsentPurpose.INTEGRATED_MEETING, ConsentPurpose.INFORMATION_SHARING],
            "method": ConsentMethod.WRITTEN,
            "obtained_on": timezone.localdate(),
            "recorded_by": coordinator,
            "recorded_by_agency": coordinator.agency,
        }
        values.update(overrides)
        consent = Consent.objects.create(**values)
        consent.agencies.set(agencies)
        grants.refresh_person(consent.person)  # as consent_record does
        return consent

    return _give
