"""The error codes of registry: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    ALREADY_ENDED = "already_ended", "The membership has already ended"
    BEFORE_BIRTH = "before_birth", "The date of death is before the date of birth"
    BEFORE_START = "before_start", "The end date is before the person joined the household"
    NOT_KANA = "not_kana", "The name reading is not in kana"
    ONE_HEAD = "one_head", "A household has exactly one head"
    PHONE = "phone", "The phone number is not digits and hyphens"
    POSSIBLE_DUPLICATE = (
        "possible_duplicate",
        "A person with the same kana and birth date is already registered",
    )
    RELATION_EXISTS = "relation_exists", "The relation is already recorded"
    SAME_PERSON = "same_person", "A person cannot be related to themselves"
    UNSEARCHABLE = "unsearchable", "The search text has no letters to search"
