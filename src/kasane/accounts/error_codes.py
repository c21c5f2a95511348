"""The error codes of accounts: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    PASSWORD_BREACHED = "password_breached", "The password appears in leaked-password lists"
    PASSWORD_BREACHED_VARIANT = (
        "password_breached_variant",
        "The password is a leaked password with characters added",
    )
    PASSWORD_CONTEXT_WORD = "password_context_word", "The password is built on the service's name"
    PASSWORD_REPETITIVE = "password_repetitive", "The password is a repetition or a sequence"
    PASSWORD_TOO_LONG = "password_too_long", "The password is too long"
    THROTTLED = "throttled", "Too many attempts; try again later"
