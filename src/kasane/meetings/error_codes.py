"""The error codes of meetings: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    AGENDA_DUPLICATE = "agenda_duplicate", "The case is already on the meeting's agenda"
    ATTENDEE_DUPLICATE = "attendee_duplicate", "The attendee is already on the list"
    BAD_KIND = "bad_kind", "The meeting kind is not one of the choices"
    BAD_STATUS = "bad_status", "The meeting status is not one of the choices"
    DECISION_NEEDS_INTEGRATED_MEETING = (
        "decision_needs_integrated_meeting",
        "This decision is taken only at an integrated support meeting",
    )
    DECISION_NEEDS_NAMED_MEETING = (
        "decision_needs_named_meeting",
        "A meeting that sees no names records no decisions on cases",
    )
    DUE_REQUIRED = "due_required", "The action's due date is missing"
    INTEGRATED_MEETING_BY_COORDINATION = (
        "integrated_meeting_by_coordination",
        "An integrated support meeting is held by coordination",
    )
    MEMBER_NOT_ATTENDEE = "member_not_attendee", "A member named is not an attendee of the meeting"
    NO_CONSENT = (
        "no_consent",
        "No household member has a consent covering the integrated support meeting",
    )
    NOT_CHAIR = "not_chair", "Only the chair names the members for a case"
    OWNER_NOT_ON_TEAM = "owner_not_on_team", "The action's agency is not on the case's support team"
    OWNER_REQUIRED = "owner_required", "The agency that carries out the action is missing"
    PLACE_REQUIRED = "place_required", "The meeting has no place and is not online"
    PLEDGE_DUPLICATE = "pledge_duplicate", "The attendee's pledge is already recorded"
    PLEDGE_NOT_SUPPORT_MEETING = (
        "pledge_not_support_meeting",
        "A confidentiality pledge belongs only to a support meeting",
    )
    SUPPORT_MEETING_BY_MUNICIPALITY = (
        "support_meeting_by_municipality",
        "A support meeting is held by the municipality",
    )
    TEXT_REQUIRED = "text_required", "The text of the decision is missing"
    UNKNOWN_CASE = "unknown_case", "There is no case with this number that the user can see"
    USE_PLAN_PAGES = (
        "use_plan_pages",
        "Plan approval and closure are recorded from the case's plan pages",
    )
