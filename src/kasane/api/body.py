"""The request body, checked before anything parses it: JSON, in UTF-8, not too large, not
nested too deeply.

Python's JSON parser (and every walk over what it returns) recurses once per level: a body
nested ~1,000 levels deep raised RecursionError, a 500 with a traceback. Each refusal here
is a 400 (413 for size) with a stable code, and nothing is logged but Django's one line.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kasane.api.api import error_response
from kasane.api.error_codes import ErrorCode

# The API's documents are a few levels deep (a body, a list, an item); 32 is generous and
# still far below Python's recursion limit.
MAX_JSON_DEPTH = 32
JSON_TYPE = "application/json"
# A string, with its escapes; possessive, so an unterminated one cannot backtrack.
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_OPEN = frozenset(b"[{")


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects more than ``limit`` deep (brackets
    inside strings are text). Linear, and without recursion."""
    depth = 0
    for match in _BRACKETS.finditer(_STRING.sub(b'""', raw)):
        if match[0][0] in _OPEN:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _empty_form(request: HttpRequest, raw: bytes) -> bool:
    """A multipart body with no part at all (what a form library sends for "no data"): there
    is nothing in it to read, as for an empty body."""
    boundary = (request.content_params or {}).get("boundary", "")
    return (
        request.content_type == "multipart/form-data"
        and bool(boundary)
        and raw.strip() == f"--{boundary}--".encode("latin-1", "replace")
    )


def _too_large() -> HttpResponse:
    return error_response(413, ErrorCode.BODY_TOO_LARGE, _("The request body is too large."))


def refuse_unreadable_body(request: HttpRequest) -> HttpResponse | None:
    """A 400 or 413 for a body the API will not parse; None for no body or a readable one."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and _declared_length(request) > limit:
        return _too_large()  # refused without reading it
    try:
        raw = request.body
    except RequestDataTooBig:
        return _too_large()
    if not raw or _empty_form(request, raw):
        return None
    if request.content_type != JSON_TYPE:
        return error_response(
            400,
            ErrorCode.UNSUPPORTED_CONTENT_TYPE,
            _("Send the request body as JSON (Content-Type: application/json)."),
        )
    charset = (request.content_params or {}).get("charset", "utf-8").strip().lower()
    try:
        if charset.replace("_", "-") not in ("utf-8", "utf8") or b"\x00" in raw:
            # No JSON text holds a raw NUL; UTF-16 without a BOM is full of them.
            raise UnicodeError
        raw.decode("utf-8")
    except UnicodeError:
        return error_response(
            400, ErrorCode.INVALID_ENCODING, _("The request body must be JSON in UTF-8.")
        )
    if json_depth_exceeds(raw):
        return error_response(
            400, ErrorCode.JSON_TOO_DEEP, _("The JSON body is nested too deeply.")
        )
    return None
