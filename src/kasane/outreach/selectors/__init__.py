"""Every read of concern reports (見守り通報) and outreach targets: filtered, based, audited.

Who reads what (the rules are ``kasane.privacy.outreach``):

- a reporter (a 民生委員, or a business with a watch agreement in force, role volunteer)
  reads their own reports — what they wrote and its status (受付済 / 対応中 / 対応済) —
  never what the outreach team found, and nobody else's (404);
- outreach workers read every concern report (the reports are addressed to them: basis
  REFERRAL) and the targets their agency works (OWN_AGENCY);
- the municipal coordinator reads both (COORDINATION);
- everyone else, caseworkers of other agencies included, gets 404. Once a target becomes a
  case, its people are read through the case, under ``kasane.privacy.cases``.

Each read writes its audit event with its basis in the same transaction. Lists cost a fixed
number of queries however many rows they show.
"""

from kasane.outreach.selectors.reports import (
    LIST_PAGE_SIZE,
    get_my_report,
    get_report_for_outreach,
    my_reports,
    report_list_for_outreach,
    require_report_basis,
    team_reports,
)
from kasane.outreach.selectors.targets import (
    HOME_LIMIT,
    MonthFlow,
    OutreachHome,
    TargetDetail,
    TargetList,
    TargetRow,
    get_target_for_user,
    month_flow,
    outreach_home_for,
    quiet_days,
    quiet_targets,
    record_target_view,
    silence_since,
    target_detail_for_user,
    target_for_user,
    target_list_for_user,
    visible_targets,
)

__all__ = [
    "HOME_LIMIT",
    "LIST_PAGE_SIZE",
    "MonthFlow",
    "OutreachHome",
    "TargetDetail",
    "TargetList",
    "TargetRow",
    "get_my_report",
    "get_report_for_outreach",
    "get_target_for_user",
    "month_flow",
    "my_reports",
    "outreach_home_for",
    "quiet_days",
    "quiet_targets",
    "record_target_view",
    "report_list_for_outreach",
    "require_report_basis",
    "silence_since",
    "target_detail_for_user",
    "target_for_user",
    "target_list_for_user",
    "team_reports",
    "visible_targets",
]
