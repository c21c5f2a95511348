"""The error codes of plans: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    AGENCY_NOT_ON_TEAM = "agency_not_on_team", "The agency is not on the case's support team"
    AGREEMENT_INCOMPLETE = (
        "agreement_incomplete",
        "The agreement needs both its date and how it was given",
    )
    AGREEMENT_REQUIRED = (
        "agreement_required",
        "The person's agreement must be recorded before approval",
    )
    APPROVAL_MEETING_OTHER_CASE = (
        "approval_meeting_other_case",
        "The approving meeting did not take up this case",
    )
    APPROVAL_NEEDS_INTEGRATED_MEETING = (
        "approval_needs_integrated_meeting",
        "The plan is approved at an integrated support meeting",
    )
    AREA_DUPLICATE = "area_duplicate", "A life area is assessed twice"
    BAD = "bad", "The agreement method is not one of the choices"
    BAD_RESULT = "bad_result", "The goal result is not one of the choices"
    BAD_TERM = "bad_term", "The goal term is not long or short"
    BAD_TREND = "bad_trend", "The trend is not one of the choices"
    CLOSURE_MEETING_OTHER_CASE = (
        "closure_meeting_other_case",
        "The closing meeting did not take up this case",
    )
    CLOSURE_NEEDS_INTEGRATED_MEETING = (
        "closure_needs_integrated_meeting",
        "The closure is decided at an integrated support meeting",
    )
    DRAFT_EXISTS = "draft_exists", "A draft of the plan is already open"
    EMPTY_ASSESSMENT = "empty_assessment", "The assessment records nothing"
    GOAL_NOT_IN_PLAN = "goal_not_in_plan", "A goal evaluated is not in the plan in force"
    GOALS_NOT_EVALUATED = "goals_not_evaluated", "Not every goal of the plan is evaluated"
    NO_APPROVED_PLAN = "no_approved_plan", "The case has no approved plan to review"
    NOT_ORGANIZER = "not_organizer", "The decision is recorded by the agency that held the meeting"
    PERSON_NOT_MEMBER = "person_not_member", "The person is not a current member of the household"
    PLAN_NOT_DRAFT = "plan_not_draft", "The plan version is no longer a draft"
    PLAN_WITHOUT_GOALS = "plan_without_goals", "The plan has no goal"
    REVIEW_MEETING_OTHER_CASE = (
        "review_meeting_other_case",
        "The reviewing meeting did not take up this case",
    )
