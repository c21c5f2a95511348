"""The JSON API (``/api/v1/``): one NinjaAPI, the routers of each app, and its errors.

Every operation signs in with a staff member's bearer token and then goes through the same
services and privacy selectors as the pages. Errors are JSON ``{"code", "message",
"fields"}``: the code is stable for programs, the message is for people and Japanese unless
the client asks for English.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError
from ninja.renderers import JSONRenderer

from kasane.api.auth import StaffToken
from kasane.api.error_codes import ErrorCode
from kasane.cases.api import router as cases_router
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.core.row_version import CONFLICT_MESSAGE, EditConflict
from kasane.intake.api import router as intake_router
from kasane.registry.api import router as registry_router

logger = logging.getLogger("kasane.api")


class Renderer(JSONRenderer):
    # Japanese stays readable in the body instead of \\u escapes.
    json_dumps_params = {"ensure_ascii": False}


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[dict[str, str]]] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def not_found() -> HttpResponse:
    return error_response(
        404, ErrorCode.NOT_FOUND, _("The record does not exist, or you do not have access to it.")
    )


api = NinjaAPI(
    title="Kasane API",
    version="1",
    description=(
        "The JSON API of Kasane for agencies' own systems. Sign in with "
        "`Authorization: Bearer <token>` (a token from `kasane create_token`). Ids are "
        "public UUIDs. Errors are `{code, message, fields}`; messages are Japanese unless "
        "`Accept-Language` asks for English."
    ),
    urls_namespace="api",
    # Swagger UI loads from a CDN; municipal networks have no internet. The schema stays.
    docs_url=None,
    auth=StaffToken(),
    renderer=Renderer(),
)
api.add_router("", registry_router)
api.add_router("", intake_router)
api.add_router("", cases_router)
api.add_router("", "kasane.meetings.api.router")
api.add_router("", "kasane.plans.api.router")
api.add_router("", "kasane.privacy.api.router")
api.add_router("", "kasane.outreach.api.router")
api.add_router("", "kasane.participation.catalogue.api.router")
api.add_router("", "kasane.participation.matching.api.router")
api.add_router("", "kasane.community.api.router")


def _messages(error: DjangoValidationError) -> list[dict[str, str]]:
    return [
        {"code": e.code or CoreCode.INVALID, "message": " ".join(str(m) for m in e.messages)}
        for e in error.error_list
    ]


@api.exception_handler(DjangoValidationError)
def _rule_broken(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the change: 400 with the service's code, fields where it named them."""
    general: list[dict[str, str]] = []
    fields: dict[str, list[dict[str, str]]] = {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            items = [m for e in errors for m in _messages(e)]
            if name == NON_FIELD_ERRORS:
                general.extend(items)
            else:
                fields[name] = items
    else:
        general = _messages(exc)
    if general:
        code = general[0]["code"]
        message = " ".join(item["message"] for item in general)
    else:
        code = ErrorCode.INVALID_FIELDS
        message = _("Some fields are not valid; see each field.")
    return error_response(400, code, message, fields)


@api.exception_handler(EditConflict)
def _edit_conflict(request: HttpRequest, exc: EditConflict) -> HttpResponse:
    """A save with a ``row_version`` somebody else's save has passed: 409, nothing saved."""
    return error_response(409, exc.code, str(CONFLICT_MESSAGE))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return not_found()


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # As on the pages: no access looks exactly like no record.
    return not_found()


def unauthorized() -> HttpResponse:
    """401: no valid token."""
    response = error_response(
        401, ErrorCode.UNAUTHORIZED, _("Sign in with a valid API token (Authorization: Bearer).")
    )
    response["WWW-Authenticate"] = 'Bearer realm="kasane"'
    return response


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return unauthorized()


# pydantic's error types, answered with messages Django's own catalogue already translates.
_CHOICE = gettext_noop("Select a valid choice. That choice is not one of the available choices.")
_INPUT_MESSAGES = {
    "missing": gettext_noop("This field is required."),
    "uuid_parsing": gettext_noop("Enter a valid UUID."),
    "uuid_type": gettext_noop("Enter a valid UUID."),
    "date_parsing": gettext_noop("Enter a valid date."),
    "date_from_datetime_parsing": gettext_noop("Enter a valid date."),
    "datetime_parsing": gettext_noop("Enter a valid date/time."),
    "datetime_from_date_parsing": gettext_noop("Enter a valid date/time."),
    "int_parsing": gettext_noop("Enter a whole number."),
    "enum": _CHOICE,
    "literal_error": _CHOICE,
}


def _input_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in (CoreCode.NUL_CHARACTER, CoreCode.INVISIBLE_CHARACTER):
        return str(error.get("msg", ""))  # kasane.api.schemas.VisibleName, already translated
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length", 0)
        return _("Enter at most %(limit)d characters.") % {"limit": limit}
    if kind == "string_too_short":
        return _("This field is required.")
    return _(_INPUT_MESSAGES.get(kind, gettext_noop("Enter a valid value.")))


def _input_field(loc: tuple[Any, ...]) -> str:
    source, *rest = loc
    if source == "body" and rest:
        rest = rest[1:]  # the name of the operation's body parameter
    return ".".join(str(part) for part in rest) or str(source)


@api.exception_handler(InputError)
def _invalid_input(request: HttpRequest, exc: InputError) -> HttpResponse:
    """The body, query or path did not have the documented shape: 422 ``invalid_input``."""
    fields: dict[str, list[dict[str, str]]] = {}
    for error in exc.errors:
        fields.setdefault(_input_field(tuple(error.get("loc", ("body",)))), []).append(
            {"code": str(error.get("type", "invalid")), "message": _input_message(error)}
        )
    return error_response(
        422, ErrorCode.INVALID_INPUT, _("The request does not have the expected shape."), fields
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ValueError):
        # ninja wraps a body that is not JSON (or not UTF-8) as a 400.
        return error_response(
            422, ErrorCode.INVALID_INPUT, _("The request body is not valid JSON.")
        )
    return error_response(exc.status_code, ErrorCode.HTTP_ERROR, str(exc))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        500,
        ErrorCode.SERVER_ERROR,
        _("The error has been recorded. Please try again, or tell your system administrator."),
    )
