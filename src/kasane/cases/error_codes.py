"""The error codes of cases: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    ADVICE_REQUIRED = "advice_required", "Triage C needs the advice given to the agencies"
    ALREADY_ACCEPTED = "already_accepted", "Support was already decided"
    ALREADY_IN_COORDINATION = "already_in_coordination", "The case is already with coordination"
    ALREADY_LEAD = "already_lead", "The agency already leads the case"
    BAD_CHOICE = "bad_choice", "The note's kind or visibility is not one of the choices"
    BAD_STATUS_MOVE = "bad_status_move", "The case cannot move from its status to that one"
    BAD_TRIAGE = "bad_triage", "The triage is not A, B or C"
    HANDOVER_ANSWERED = "handover_answered", "The hand-over was already answered"
    HANDOVER_PENDING = (
        "handover_pending",
        "A hand-over of the case is already waiting for an answer",
    )
    LAST_LEAD = "last_lead", "The lead agency cannot leave the case before handing it over"
    NOTE_BEFORE_CASE = (
        "note_before_case",
        "The note is dated before the case was opened and no reason for it was given",
    )
    NOTE_TOO_EARLY = "note_too_early", "The note is dated too long before the case was opened"
    NOT_DECLINED = "not_declined", "The referral was not declined"
    NOT_ON_TEAM = "not_on_team", "The agency is not on the case's support team"
    OPEN_REFERRALS = "open_referrals", "Open referrals must be answered or withdrawn first"
    REFERRAL_ANSWERED = "referral_answered", "The referral was already answered"
    REFERRAL_DUPLICATE = (
        "referral_duplicate",
        "The agency already has an open referral for the case",
    )
    REFERRAL_TO_SELF = "referral_to_self", "An agency cannot refer to itself"
