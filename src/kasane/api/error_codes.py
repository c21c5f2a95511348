"""The error codes of api: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    BODY_TOO_LARGE = "body_too_large", "The request body is over the size limit"
    HTTP_ERROR = "http_error", "An HTTP error raised by the API framework"
    INVALID_ENCODING = "invalid_encoding", "The request body is not in UTF-8"
    INVALID_FIELDS = "invalid_fields", "Some fields are not valid; see each field"
    INVALID_INPUT = "invalid_input", "The request does not have the documented shape"
    JSON_TOO_DEEP = "json_too_deep", "The JSON body is nested too deeply"
    NOT_FOUND = "not_found", "The record does not exist, or the caller has no access to it"
    SERVER_ERROR = "server_error", "An unexpected error on the server"
    UNAUTHORIZED = "unauthorized", "No valid API token was given"
    UNKNOWN_AGENCY = "unknown_agency", "There is no agency with this id"
    UNSUPPORTED_CONTENT_TYPE = "unsupported_content_type", "The request body is not JSON"
    UNSTORABLE_VALUE = "unstorable_value", "The request holds a value that cannot be stored"
