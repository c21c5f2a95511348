"""What a persona got: a probe whose writes are rolled back, its outcome, the names it
leaked."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import zipfile
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from kasane.accounts.models import Staff
from kasane.testing.matrix.personas import (
    ASSESSMENT_STRENGTHS,
    CONSULTATION_SUMMARY,
    GOAL_TEXT,
    NOTE_TEXT,
)

OK = "ok"  # 2xx, or a redirect that is not to the sign-in page
LOGIN = "login"  # a redirect to a sign-in page (site or admin)


def outcome_of(response: HttpResponse) -> str:
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        return LOGIN if "/login/" in location else OK
    if 200 <= status < 300:
        return OK
    return str(status)


# Who may read whose name. Each family of names is checked by its surname in kanji and in
# kana (so "鷲尾和夫", "ワシオ　カズオ" and a list's "鷲尾" are all caught); every persona not
# named beside a family must never receive it, in any response: page, list, search,
# export, printout, JSON or error.
NAME_FAMILIES: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "case household (鷲尾)": (
        ("鷲尾", "ワシオ", "わしお"),
        frozenset({"caseworker", "coordinator", "team_basis", "pledged"}),
    ),
    "outreach target (大川)": (
        ("大川", "オオカワ", "おおかわ"),
        frozenset({"outreach_worker", "coordinator"}),
    ),
    "outsider's household (別府)": (("別府", "ベップ", "べっぷ"), frozenset({"outsider"})),
    # The case's content: a note, the assessment, the plan, the consultation's summary. An
    # agency on the team without a basis knows the case exists and who leads it, nothing more.
    "case content": (
        (NOTE_TEXT, ASSESSMENT_STRENGTHS, GOAL_TEXT, CONSULTATION_SUMMARY),
        frozenset({"caseworker", "coordinator", "team_basis"}),
    ),
}


def response_text(response: HttpResponse | Any) -> str:
    """What a reader gets from the response: HTML, CSV (UTF-8 or CP932), JSON with its
    escapes undone, the text cells of an .xlsx workbook."""
    body = (
        b"".join(response.streaming_content)  # type: ignore[union-attr]
        if getattr(response, "streaming", False)
        else response.content
    )
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = body.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = body.decode("utf-8", "replace")
    if "json" in response.headers.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def leaked_names(persona: str, text: str) -> list[str]:
    """The name families in ``text`` that ``persona`` may not read."""
    return [
        family
        for family, (tokens, readers) in NAME_FAMILIES.items()
        if persona not in readers and any(token in text for token in tokens)
    ]


class _Undo(Exception):
    """Raised to roll a probe's savepoint back."""


def probe(client: Client, method: str, path: str, **extra: Any) -> HttpResponse:
    """One request, whose writes are rolled back: the next request finds the same world, and
    the client keeps its cookies (a probe of the sign-out page does not sign it out)."""
    cookies = copy.deepcopy(client.cookies)
    response: HttpResponse | None = None
    try:
        with transaction.atomic():
            response = getattr(client, method.lower())(path, **extra)
            raise _Undo
    except _Undo:
        pass
    finally:
        client.cookies = cookies
    assert response is not None
    return response


def api_client(token: str | None) -> Client:
    """A client that signs in with a bearer token only: no session, no CSRF cookie. A view
    that fails answers 500, a cell of the matrix like any other."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(enforce_csrf_checks=True, headers=headers, raise_request_exception=False)


def session_client(staff: Staff | None) -> Client:
    client = Client(raise_request_exception=False)
    if staff is not None:
        client.force_login(staff)
    return client
