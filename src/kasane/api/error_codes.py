"""The error codes of api: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    HTTP_ERROR = "http_error", "An HTTP error raised by the API framework"
    INVALID_FIELDS = "invalid_fields", "Some fields are not valid; see each field"
    INVALID_INPUT = "invalid_input", "The request does not have the documented shape"
    NOT_FOUND = "not_found", "The record does not exist, or the caller has no access to it"
    SERVER_ERROR = "server_error", "An unexpected error on the server"
    UNAUTHORIZED = "unauthorized", "No valid API token was given"
    UNKNOWN_AGENCY = "unknown_agency", "There is no agency with this id"
    UNSTORABLE_VALUE = "unstorable_value", "The request holds a value that cannot be stored"
