"""Every read of meetings and their minutes: who may see what, on which legal basis, audited.

A meeting is visible to its organising agency and to the agencies invited to it; everyone
else gets 404. What an attendee reads of each case on the agenda depends on the meeting:

- 支援会議 (§106-6): only attendees whose confidentiality pledge for this meeting is
  recorded, and — when the chair named members for the case — only those members. The basis
  is SUPPORT_MEETING. An attendee without a pledge reads nothing of any case.
- 重層的支援会議: attendees whose agency a consent in force of a household member covers for
  this purpose (CONSENT), and the organising coordination (COORDINATION).
- ケース会議: attendees on the case's team (CASE_TEAM).
- 地域ケア会議 / 定例会議: the de-identified summary only, never a name.

Lists cost a fixed number of queries however many rows they show.
"""

from kasane.meetings.selectors.access import (
    NO_ACCESS,
    ItemAccess,
    access_for_items,
    has_pledge,
    item_basis,
    meeting_scope,
    mine,
    visible_meetings,
)
from kasane.meetings.selectors.board import TriageASplit, triage_a_by_meeting_kind
from kasane.meetings.selectors.reads import (
    LIST_PAGE_SIZE,
    ItemView,
    MeetingDetail,
    case_meetings_for_user,
    get_item_for_user,
    get_meeting_for_user,
    item_for_user,
    meeting_detail_for_user,
    meeting_list_for_user,
    record_item_view,
)

__all__ = [
    "LIST_PAGE_SIZE",
    "NO_ACCESS",
    "ItemAccess",
    "ItemView",
    "MeetingDetail",
    "TriageASplit",
    "access_for_items",
    "case_meetings_for_user",
    "get_item_for_user",
    "get_meeting_for_user",
    "has_pledge",
    "item_basis",
    "item_for_user",
    "meeting_detail_for_user",
    "meeting_list_for_user",
    "meeting_scope",
    "mine",
    "record_item_view",
    "triage_a_by_meeting_kind",
    "visible_meetings",
]
