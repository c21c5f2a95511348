"""Bodies the API cannot read, sent with or without a token: a JSON error, never a 500.

Issue 14: JSON nested ~1,000 levels deep to any ``POST /api/v1/*`` with no token gave an
HTML 500 and a traceback in the log, because the body was parsed before the sign-in check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kasane.accounts.models import Role
from kasane.api.body import json_depth_exceeds
from kasane.api.tests.conftest import PREFIX, ApiClient, assert_error
from kasane.conftest import StaffFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def _post(path: str, raw: bytes | str, content_type: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(enforce_csrf_checks=True, headers=headers)
    return client.generic("POST", PREFIX + path, raw, content_type=content_type)


@pytest.fixture
def token(api: Callable[..., ApiClient]) -> str:
    staff = StaffFactory.create(role=Role.CASEWORKER)
    client = api(staff)
    header = client.client.defaults["HTTP_AUTHORIZATION"]
    assert isinstance(header, str)
    return header.removeprefix("Bearer ")


def _no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert all(r.exc_info is None for r in caplog.records), "a traceback was logged"
    assert len(caplog.records) <= 1


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
@pytest.mark.parametrize("path", ["/households", "/persons/search", "/consultations", "/nowhere"])
def test_deep_json_without_a_token_is_refused_by_the_sign_in(
    caplog: pytest.LogCaptureFixture, body: str, path: str
) -> None:
    """The issue's reproduction: no token, so the answer is the sign-in's 401 (the body is
    not even read); an unknown path stays a 404."""
    response = _post(path, body, "application/json")
    status, code = (404, "not_found") if path == "/nowhere" else (401, "unauthorized")
    assert_error(response, status, code)
    _no_errors_logged(caplog)


def test_a_bad_token_is_refused_before_the_body_is_read(caplog: pytest.LogCaptureFixture) -> None:
    response = _post("/households", DEEP, "application/json", token="ksn_nope_nope")
    assert_error(response, 401, "unauthorized")
    _no_errors_logged(caplog)


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, '{"name": ' + "[" * 65 + "]" * 65 + "}"])
def test_over_deep_json_with_a_token_is_a_400(
    caplog: pytest.LogCaptureFixture, token: str, body: str
) -> None:
    response = _post("/persons/search", body, "application/json", token)
    assert_error(response, 400, "json_too_deep", "The JSON body is nested too deeply.")
    _no_errors_logged(caplog)


def test_nesting_inside_a_string_is_only_text(token: str) -> None:
    body = '{"q": "' + "[{" * 20 + '\\""}'
    response = _post("/persons/search", body, "application/json", token)
    assert response.status_code == 400, response.content
    assert response.json()["code"] != "json_too_deep"  # the search's own refusal
    assert not json_depth_exceeds(body.encode(), limit=1)
    assert json_depth_exceeds(b'[{"a": "]]]]", "b": [[]]}]', limit=2)
    assert not json_depth_exceeds(b'[{"a": "[[[[\\"[[", "b": []}]', limit=3)


def test_an_oversized_body_is_a_413(
    caplog: pytest.LogCaptureFixture, token: str, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"q": "' + "あ" * 10_000 + '"}'
    response = _post("/persons/search", body, "application/json", token)
    assert_error(response, 413, "body_too_large", "The request body is too large.")
    _no_errors_logged(caplog)
    caplog.clear()
    unsigned = _post("/persons/search", body, "application/json")
    assert_error(unsigned, 401, "unauthorized")
    _no_errors_logged(caplog)


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b'{"q": "\xff\xfe\xfa"}', "application/json"),
        ('{"q": "ヤマダ"}'.encode("utf-16"), "application/json"),
        ('{"q": "ヤマダ"}'.encode("utf-16-le"), "application/json"),
        ('{"q": "ヤマダ"}'.encode("utf-16"), "application/json; charset=utf-16"),
        ('{"q": "ヤマダ"}'.encode(), "application/json; charset=shift_jis"),
    ],
)
def test_a_body_not_in_utf8_is_a_400(
    caplog: pytest.LogCaptureFixture, token: str, raw: bytes, content_type: str
) -> None:
    response = _post("/persons/search", raw, content_type, token)
    assert_error(response, 400, "invalid_encoding", "The request body must be JSON in UTF-8.")
    _no_errors_logged(caplog)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "nope"],
)
def test_a_body_that_is_not_json_by_its_content_type_is_a_400(
    caplog: pytest.LogCaptureFixture, token: str, content_type: str
) -> None:
    response = _post("/persons/search", '{"q": "ヤマダ"}', content_type, token)
    assert_error(
        response,
        400,
        "unsupported_content_type",
        "Send the request body as JSON (Content-Type: application/json).",
    )
    _no_errors_logged(caplog)


def test_utf8_json_with_its_charset_is_read(token: str) -> None:
    response = _post("/persons/search", '{"q": "ヤマダ"}', "application/json; charset=UTF-8", token)
    assert response.status_code == 200, response.content


def test_a_method_the_operation_does_not_answer_stays_a_405() -> None:
    """The sign-in comes first only for an operation's own methods: GET on a POST-only
    path is ninja's 405, as before, with or without a token."""
    response = Client().get(PREFIX + "/persons/search")
    assert response.status_code == 405
    assert _post("/persons/search", DEEP, "application/json").status_code == 401


def test_an_empty_form_body_is_no_body(token: str) -> None:
    """What a form library sends for "no data" to an operation without a body is no body."""
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = client.post(PREFIX + "/referrals/00000000-0000-0000-0000-000000000000/accept")
    assert_error(response, 404, "not_found")
