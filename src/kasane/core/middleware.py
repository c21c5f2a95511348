"""Request-scoped middleware."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kasane.core.request_context import request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id that ties its audit events to the proxy's access log.

    An upstream ``X-Request-ID`` is kept when it looks like an id; anything else is replaced,
    so a client cannot smuggle text into the audit log through the header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response
