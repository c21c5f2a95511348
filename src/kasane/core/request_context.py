"""The current request's id, for audit events written deep inside services."""

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("kasane_request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()
