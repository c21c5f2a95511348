"""The error codes of privacy: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    BAD_AGENCY = "bad_agency", "There is no agency with this id"
