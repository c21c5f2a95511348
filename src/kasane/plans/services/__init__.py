"""Every change of a case's assessment, support plan, reviews and closure.

課題整理 → プラン作成 → モニタリング → 終結 (DESIGN.md). The rules:

- Only staff of an agency on the case's team, or the coordinator of a case sent to
  coordination, write — and only with a recorded basis to read the case's details
  (``require_case_details``). Nothing is written on a closed case.
- A plan is versioned: a new version copies the previous one's goals and actions as a draft;
  an approved or superseded version never changes.
- Each action (役割分担) is given to an agency on the case's team.
- A plan is approved at a 重層的支援会議 that took up this case, by the agency that held it;
  the approval is also the meeting's plan-approval decision.
- A closed case is not reviewed.
- 終結 of a case with 支援決定 is decided at a 重層的支援会議 that took it up; a case
  without 支援決定 is closed by its lead agency and the coordinator is told.

Each service validates, saves and writes its audit event with the basis in one transaction;
errors are ``ValidationError`` with a stable ``code``.
"""

from kasane.plans.services.assessment import AreaInput, assessment_create
from kasane.plans.services.base import NOTIFY_CLOSED_BY_LEAD
from kasane.plans.services.closure import closure_record
from kasane.plans.services.goals import (
    action_add,
    action_remove,
    goal_add,
    goal_remove,
    goal_update,
)
from kasane.plans.services.plan import plan_approve, plan_create, plan_update
from kasane.plans.services.review import review_record

__all__ = [
    "NOTIFY_CLOSED_BY_LEAD",
    "AreaInput",
    "action_add",
    "action_remove",
    "assessment_create",
    "closure_record",
    "goal_add",
    "goal_remove",
    "goal_update",
    "plan_approve",
    "plan_create",
    "plan_update",
    "review_record",
]
