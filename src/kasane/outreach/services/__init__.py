"""Every change of outreach records: validated, saved and audited in one transaction.

Callers fetch the records they change through ``kasane.outreach.selectors`` first;
these services check the same rules again, so the API and commands cannot go around them.
Errors are ``ValidationError`` with a stable ``code`` and a message in the user's language.
"""

from kasane.outreach.services.alerts import quiet_targets_alert
from kasane.outreach.services.conversion import target_to_case
from kasane.outreach.services.reports import concern_report_create, concern_report_status_set
from kasane.outreach.services.targets import (
    TARGET_FIELDS,
    attempt_record,
    stage_index,
    target_close,
    target_open,
    target_reopen,
    target_stage_move,
    target_update,
)

__all__ = [
    "TARGET_FIELDS",
    "attempt_record",
    "concern_report_create",
    "concern_report_status_set",
    "quiet_targets_alert",
    "stage_index",
    "target_close",
    "target_open",
    "target_reopen",
    "target_stage_move",
    "target_to_case",
    "target_update",
]
