"""The error codes of community: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    AREA_LEVEL = (
        "area_level",
        "The area must be a daily-life sphere or a junior high school district",
    )
    AREA_TOO_LARGE = (
        "area_too_large",
        "The area must be a junior high school district or a town block",
    )
    DUPLICATE_PLACE = "duplicate_place", "A place of this name is already registered in the area"
    ENDS_BEFORE_START = "ends_before_start", "The place ends before it started"
    FISCAL_YEAR = "fiscal_year", "The fiscal year is not one of those offered"
