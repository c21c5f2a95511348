"""The error codes of evaluation: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    COMMENT_LENGTH = "comment_length", "The comment is too long"
    COMPUTED_INDICATOR = (
        "computed_indicator",
        "The indicator is computed from the records, not entered",
    )
    DUPLICATE = "duplicate", "The indicator code is already in use"
    FISCAL_YEAR_RANGE = "fiscal_year_range", "The fiscal year is outside the allowed range"
    FOLLOW_UP_BEFORE_MEETING = (
        "follow_up_before_meeting",
        "The follow-up day is before the review meeting",
    )
    NOTE_LENGTH = "note_length", "The note is too long"
    SCORE_RANGE = "score_range", "A score is outside 0 to 3"
    UNKNOWN_INDICATOR = "unknown_indicator", "There is no indicator with this code"
    UNKNOWN_ITEM = "unknown_item", "There is no checklist question with this code"
    UNKNOWN_KIND = "unknown_kind", "There is no kind of work with this name"
    UNSCORED = "unscored", "Some checklist questions are not scored"
