"""Every read of cases, referrals and notes: filtered by ``privacy.cases``, audited.

Lists fetch a fixed number of queries however many rows they show (select_related and
prefetches); the tests guard that.
"""

from kasane.cases.selectors.detail import (
    NOTES_PAGE_SIZE,
    TIMELINE_PAGE_SIZE,
    CaseDetail,
    case_detail_for_user,
    case_notes_for_user,
    timeline_events,
    visible_case_notes,
)
from kasane.cases.selectors.inbox import (
    QUIET_DAYS,
    TARAIMAWASHI_DAYS,
    TARAIMAWASHI_REFERRALS,
    Inbox,
    TaraimawashiFlag,
    get_handover_for_user,
    get_referral_for_user,
    inbox_for,
    taraimawashi_flags,
)
from kasane.cases.selectors.lists import (
    LIST_PAGE_SIZE,
    Board,
    BoardCounts,
    board_cases,
    board_counts,
    case_list_export_for_user,
    case_list_for_user,
    coordination_board,
)
from kasane.cases.selectors.scope import (
    checked_case,
    get_case_for_user,
    household_heads,
    record_case_view,
    visible_cases,
)

__all__ = [
    "LIST_PAGE_SIZE",
    "NOTES_PAGE_SIZE",
    "QUIET_DAYS",
    "TARAIMAWASHI_DAYS",
    "TARAIMAWASHI_REFERRALS",
    "TIMELINE_PAGE_SIZE",
    "Board",
    "BoardCounts",
    "CaseDetail",
    "Inbox",
    "TaraimawashiFlag",
    "board_cases",
    "board_counts",
    "case_detail_for_user",
    "case_list_export_for_user",
    "case_list_for_user",
    "case_notes_for_user",
    "checked_case",
    "coordination_board",
    "get_case_for_user",
    "get_handover_for_user",
    "get_referral_for_user",
    "household_heads",
    "inbox_for",
    "record_case_view",
    "taraimawashi_flags",
    "timeline_events",
    "visible_case_notes",
    "visible_cases",
]
