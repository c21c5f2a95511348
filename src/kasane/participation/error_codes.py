"""The error codes of participation: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    ALREADY_MATCHED = "already_matched", "The person is already matched to this place"
    DONE = "done", "The follow-up was already recorded"
    ENDED = "ended", "The match has ended"
    INACTIVE = "inactive", "The place is not active at present"
    INVALID_HSDS = "invalid_hsds", "The HSDS record cannot be imported"
