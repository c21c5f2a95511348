"""The error codes of outreach: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    ALREADY_CASE = "already_case", "The target is already a case"
    BEFORE_OPENED = "before_opened", "The date is before the target was opened"
    NO_LABEL = "no_label", "The target has no description of how it is known"
    NO_NAME = "no_name", "The target has no name and kana yet"
    NO_PLACE = "no_place", "No area, address or landmark was given"
    REASON = "reason", "The closing reason is not one of the choices"
    SAME_STAGE = "same_stage", "The target is already at this stage"
    STAGE = "stage", "The stage is not one of the choices"
    TARGET_CLOSED = "target_closed", "The outreach target is closed"
    TARGET_OPEN = "target_open", "The outreach target is open"
    UNKNOWN_SIGN = "unknown_sign", "A sign noticed is not one of the choices"
    WORKER = "worker", "The worker is not an outreach worker of the agency"
