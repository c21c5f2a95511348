"""An unanswered referral turns overdue after 3 working days and goes to the coordinator.

Working days skip weekends, national holidays and 年末年始: a referral asked on Thursday
2026-04-30 is due on Friday 2026-05-08, after Golden Week (5/3 憲法記念日 on a Sunday, 5/4,
5/5, and 5/6 振替休日).
"""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.shortcuts import resolve_url

from kasane.cases import selectors as case_selectors
from kasane.cases import services
from kasane.cases.models import CaseEvent, EventKind, Referral
from kasane.core.workdays import add_working_days, is_working_day

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
ASKED = datetime.datetime(2026, 4, 30, 10, 0, tzinfo=TOKYO)
DUE = datetime.datetime(2026, 5, 8, 10, 0, tzinfo=TOKYO)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def overdue(open_case, caseworker, outsider, refer):
    return refer(caseworker, open_case, outsider.agency, requested_at=ASKED)


def test_golden_week_is_not_counted():
    assert is_working_day(datetime.date(2026, 5, 1))
    for day in (2, 3, 4, 5, 6):
        assert not is_working_day(datetime.date(2026, 5, day))
    assert add_working_days(ASKED, 3) == DUE


def test_due_date_counts_three_working_days(overdue):
    assert overdue.due_at == DUE


def test_due_date_skips_the_year_end_closure(open_case, caseworker, outsider, refer):
    asked = datetime.datetime(2026, 12, 28, 16, 30, tzinfo=TOKYO)
    referral = refer(caseworker, open_case, outsider.agency, requested_at=asked)
    # 12/29–1/3 closed; 1/4, 1/5, 1/6.
    assert referral.due_at == datetime.datetime(2027, 1, 6, 16, 30, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("days", "due"),
    [
        (1, datetime.date(2026, 5, 1)),
        (3, datetime.date(2026, 5, 8)),
        (5, datetime.date(2026, 5, 12)),
    ],
)
def test_answer_days_come_from_the_setting(
    days, due, settings, open_case, caseworker, outsider, refer
):
    settings.KASANE_REFERRAL_ANSWER_DAYS = days
    referral = refer(caseworker, open_case, outsider.agency, requested_at=ASKED)
    assert referral.due_at == datetime.datetime.combine(due, ASKED.timetz())


def test_overdue_in_the_inbox_of_both_agencies(overdue, caseworker, outsider):
    before = DUE - MINUTE
    assert case_selectors.inbox_for(outsider, now=before).overdue_count == 0
    assert case_selectors.inbox_for(caseworker, now=before).referrals_overdue_sent == []
    after = DUE + MINUTE
    theirs = case_selectors.inbox_for(outsider, now=after)
    assert [r.pk for r in theirs.referrals_waiting] == [overdue.pk]
    assert theirs.overdue_count == 1
    mine = case_selectors.inbox_for(caseworker, now=after)
    assert [r.pk for r in mine.referrals_overdue_sent] == [overdue.pk]
    assert mine.overdue_count == 1


def test_overdue_shows_on_both_home_pages(overdue, open_case, caseworker, outsider, login):
    theirs = login(outsider).get("/").content.decode()
    assert 'data-testid="referrals-waiting"' in theirs
    assert 'class="overdue"' in theirs and open_case.number in theirs
    mine = login(caseworker).get("/").content.decode()
    assert 'data-testid="referrals-overdue-sent"' in mine and open_case.number in mine
    page = login(outsider).get(resolve_url("cases:referral_detail", overdue.public_id))
    assert page.context["overdue"] is True


def test_answered_referral_is_no_longer_overdue(overdue, caseworker, outsider):
    services.referral_accept(actor=outsider, referral=overdue)
    after = DUE + MINUTE
    assert case_selectors.inbox_for(caseworker, now=after).referrals_overdue_sent == []
    assert services.referrals_escalate(now=after) == 0


def test_escalation_is_once_and_reaches_the_coordinator(
    overdue, open_case, coordinator, login, outsider
):
    assert services.referrals_escalate(now=DUE - MINUTE) == 0
    assert services.referrals_escalate(now=DUE + MINUTE) == 1
    assert services.referrals_escalate(now=DUE + MINUTE * 60) == 0
    overdue.refresh_from_db()
    assert overdue.escalated_at == DUE + MINUTE
    assert CaseEvent.objects.filter(kind=EventKind.REFERRAL_ESCALATED).count() == 1
    inbox = case_selectors.inbox_for(coordinator)
    assert [r.pk for r in inbox.escalated] == [overdue.pk]
    board = login(coordinator).get(resolve_url("cases:board")).content.decode()
    escalated = board.split('data-testid="escalated"', 1)
    assert len(escalated) == 2 and open_case.number in escalated[1].split("</table>", 1)[0]
    # Once answered, it leaves the coordinator's list.
    services.referral_accept(actor=outsider, referral=overdue)
    assert case_selectors.inbox_for(coordinator).escalated == []


def test_escalated_line_on_the_case_timeline(overdue, open_case, caseworker, login):
    services.referrals_escalate(now=DUE + MINUTE)
    page = login(caseworker).get(resolve_url("cases:case_detail", open_case.public_id))
    kinds = [e.kind for e in page.context["detail"].timeline]
    assert kinds.count(EventKind.REFERRAL_ESCALATED) == 1


def test_escalate_referrals_command(overdue, open_case, caseworker, third_agency, refer):
    # One more, asked today: not due yet.
    refer(caseworker, open_case, third_agency)
    out = io.StringIO()
    call_command("escalate_referrals", stdout=out)
    assert out.getvalue().startswith("1 ")
    out = io.StringIO()
    call_command("escalate_referrals", stdout=out)
    assert out.getvalue().startswith("0 ")
    assert Referral.objects.filter(escalated_at__isnull=False).count() == 1
