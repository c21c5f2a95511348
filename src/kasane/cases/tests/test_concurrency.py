"""Two staff at the same moment, on PostgreSQL: threads released together by a barrier.

SQLite serialises its writers, so there the same rules are tested one after the other (in
``test_bad_input.py`` and ``test_numbers.py``). The services must hold on both: a referral
is answered once (a conditional UPDATE under a row lock), a case number is given once (a
locked counter per 年度).

These tests commit, so they run on ``transactional_db``; ``need_types_kept`` comes first so
that it restores the seeded need taxonomy after the flush that ends each test.
"""

from __future__ import annotations

import datetime
import threading
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kasane.cases import services
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    DeclineReason,
    EventKind,
    Referral,
    ReferralStatus,
    TeamMember,
)

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="threads writing at once need a server database; SQLite runs the sequential tests",
)

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each gives its result or its exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_staff_accept_at_the_same_moment(
    need_types_kept, transactional_db, open_case, caseworker, outsider, other_caseworker
):
    referral = services.referral_create(
        actor=caseworker, case=open_case, to_agency=outsider.agency, reason="a", request="b"
    )
    results = _race(
        lambda: services.referral_accept(actor=outsider, referral=referral),
        lambda: services.referral_accept(actor=other_caseworker, referral=referral),
    )
    won = [r for r in results if isinstance(r, Referral)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "referral_answered"
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.responded_by_id == won[0].responded_by_id
    assert CaseEvent.objects.filter(kind=EventKind.REFERRAL_ACCEPTED).count() == 1
    assert (
        TeamMember.objects.filter(
            case=open_case, agency=outsider.agency, left_at__isnull=True
        ).count()
        == 1
    )


def test_accept_and_decline_at_the_same_moment(
    need_types_kept, transactional_db, open_case, caseworker, outsider, other_caseworker
):
    referral = services.referral_create(
        actor=caseworker, case=open_case, to_agency=outsider.agency, reason="a", request="b"
    )
    results = _race(
        lambda: services.referral_accept(actor=outsider, referral=referral),
        lambda: services.referral_decline(
            actor=other_caseworker, referral=referral, reason=DeclineReason.NO_CAPACITY
        ),
    )
    won = [r for r in results if isinstance(r, Referral)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "referral_answered"
    referral.refresh_from_db()
    assert referral.status == won[0].status
    answered = CaseEvent.objects.filter(
        kind__in=[EventKind.REFERRAL_ACCEPTED, EventKind.REFERRAL_DECLINED]
    )
    assert answered.count() == 1


@pytest.mark.parametrize("already", [0, 1], ids=["first-of-the-year", "counter-exists"])
def test_cases_opened_at_the_same_moment_get_different_numbers(
    need_types_kept, transactional_db, already, caseworker, outsider, household
):
    at = datetime.datetime(2026, 6, 1, 10, tzinfo=TOKYO)
    for _ in range(already):
        services.case_open(actor=caseworker, household=household, opened_at=at)
    results = _race(
        *[
            lambda actor=actor: services.case_open(actor=actor, household=household, opened_at=at)
            for actor in (caseworker, outsider, caseworker, outsider)
        ]
    )
    assert all(isinstance(r, Case) for r in results), results
    numbers = sorted(r.number for r in results)
    assert numbers == [f"R8-{n:04d}" for n in range(already + 1, already + 5)]
    assert CaseNumberCounter.objects.get(fiscal_year=2026).last == already + 4
