"""Error codes shared by several apps: one place, so none is defined twice.

The value is the stable ``code`` the API answers with (``{"code", "message", "fields"}``)
and the code of the ``ValidationError`` the services raise; the label says what it means.
Codes of one app live in that app's ``error_codes`` module.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    AGENCY_INACTIVE = "agency_inactive", "The agency is no longer active"
    BAD_AREA = "bad_area", "The life area or its severity is not one of the choices"
    CASE_CLOSED = "case_closed", "The case is closed"
    EDIT_CONFLICT = (
        "edit_conflict",
        "Someone else saved the record since it was opened; nothing was saved",
    )
    EMPTY = "empty", "The uploaded file is empty"
    FUTURE = "future", "The date is in the future"
    FUTURE_DATE = "future_date", "The date is in the future"
    INVALID = "invalid", "The value is not valid"
    INVISIBLE_CHARACTER = (
        "invisible_character",
        "A name holds an invisible control or format character (e.g. a right-to-left override)",
    )
    MEETING_CANCELLED = "meeting_cancelled", "The meeting was cancelled"
    NO_HOUSEHOLD = "no_household", "The person belongs to no household in the registry"
    NOT_ACCEPTED = "not_accepted", "The agency has not accepted the referral or the case"
    NOT_LEAD = "not_lead", "Only the lead agency may do this"
    NOT_SUPPORT_AGENCY = (
        "not_support_agency",
        "The agency gives no support (a watch-agreement business, the council of "
        "commissioned welfare volunteers or an administrative office)",
    )
    NUL_CHARACTER = "nul_character", "The text holds a NUL character (U+0000)"
    OUTCOME_REQUIRED = "outcome_required", "The outcome is missing"
    REASON_REQUIRED = "reason_required", "A reason must be given"
    REQUIRED = "required", "A required value is missing"
    REVIEW_DATE_REQUIRED = "review_date_required", "The date of the next review is missing"
    REVIEW_IN_PAST = "review_in_past", "The next review date is not after this one"
    STAFF_NOT_OF_AGENCY = "staff_not_of_agency", "The staff member does not work at that agency"
    STATUS = "status", "The status is not one of the choices"
    TOO_EARLY = "too_early", "The date is before the earliest allowed date"
    TOO_LARGE = "too_large", "The uploaded file is over the size limit"
    UNKNOWN_AREA = "unknown_area", "There is no area with this code"
    UNKNOWN_STAFF = "unknown_staff", "There is no staff member with this id"
    WRONG_CONTENT = "wrong_content", "The file's content does not match its type"
    WRONG_TYPE = "wrong_type", "This kind of file cannot be imported here"
