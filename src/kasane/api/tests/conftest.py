"""Helpers for the API tests: a client signed in with a real token, JSON in and out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from kasane.accounts.models import Staff
from kasane.api.services import api_token_create

PREFIX = "/api/v1"


class ApiClient:
    """A test client carrying a bearer token, and no session or CSRF cookie at all."""

    def __init__(self, token: str | None, **headers: str) -> None:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.client = Client(enforce_csrf_checks=True, headers=headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(PREFIX + path, params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            PREFIX + path, {} if body is None else body, content_type="application/json"
        )

    def post_raw(self, path: str, raw: str) -> Any:
        return self.client.post(PREFIX + path, raw, content_type="application/json")


@pytest.fixture
def api() -> Callable[..., ApiClient]:
    """``api(staff)``: a client signed in as the staff member through a fresh token."""

    def _api(staff: Staff, **headers: str) -> ApiClient:
        _record, token = api_token_create(staff=staff, name="test")
        return ApiClient(token, **headers)

    return _api


def in_japanese(msgid: str) -> str:
    """The message as the Japanese catalogue has it (the msgid itself until translated)."""
    with translation.override("ja"):
        return gettext(msgid)


def assert_error(
    response: Any,
    status: int,
    code: str,
    msgid: str | None = None,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON error with its stable code and, given the msgid, the Japanese message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["message"]
    if msgid is not None:
        expected = in_japanese(msgid)
        assert body["message"] == (expected % params if params else expected)
        assert not body["message"].isascii(), "untranslated: add the msgid to locale/ja"
    return body
