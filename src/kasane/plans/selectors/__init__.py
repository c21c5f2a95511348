"""Every read of assessments, support plans, reviews and closures: filtered, based, audited.

A case's assessment and plan are its details (DESIGN.md, "Meetings and the legal basis of
sharing"). Each read

- answers 404 when the case is outside ``case_scope`` (the agency may not know it exists);
- answers 403 (``NoDetailBasis``) when the agency knows the case exists but has no recorded
  basis to read its details (``require_case_details``);
- writes an audit event with that basis, in the same transaction.

Lists cost a fixed number of queries however many rows they show.
"""

from kasane.plans.selectors.access import (
    CaseAccess,
    CasePlans,
    case_for_plans,
    case_plans_for_user,
    is_plan_writer,
    record_form_view,
)
from kasane.plans.selectors.diff import (
    ACTION_FIELDS,
    GOAL_FIELDS,
    HEADER_FIELDS,
    ActionDiff,
    GoalDiff,
    PlanDiff,
    diff_plans,
    plan_diff_for_user,
)
from kasane.plans.selectors.documents import (
    AreaRow,
    AssessmentView,
    PlanView,
    area_rows,
    get_assessment_for_user,
    get_plan_for_user,
)
from kasane.plans.selectors.reviews import (
    CLOSURE_NOTICE_DAYS,
    DUE_SOON_DAYS,
    LIST_LIMIT,
    DueReview,
    PlanInbox,
    ReviewView,
    approval_items,
    closures_without_meeting_for,
    get_review_for_user,
    plan_inbox_for,
    reviews_due_for,
)

__all__ = [
    "ACTION_FIELDS",
    "CLOSURE_NOTICE_DAYS",
    "DUE_SOON_DAYS",
    "GOAL_FIELDS",
    "HEADER_FIELDS",
    "LIST_LIMIT",
    "ActionDiff",
    "AreaRow",
    "AssessmentView",
    "CaseAccess",
    "CasePlans",
    "DueReview",
    "GoalDiff",
    "PlanDiff",
    "PlanInbox",
    "PlanView",
    "ReviewView",
    "approval_items",
    "area_rows",
    "case_for_plans",
    "case_plans_for_user",
    "closures_without_meeting_for",
    "diff_plans",
    "get_assessment_for_user",
    "get_plan_for_user",
    "get_review_for_user",
    "is_plan_writer",
    "plan_diff_for_user",
    "plan_inbox_for",
    "record_form_view",
    "reviews_due_for",
]
