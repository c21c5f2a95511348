"""Security headers on every response (issue #7 item 3), and the rule that lets the strict
Content-Security-Policy stand: no page carries inline script, inline style or event
handler attributes."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kasane.accounts.models import Role, Staff
from kasane.conftest import PASSWORD, StaffFactory
from kasane.core.security import POLICY
from kasane.core.tests.urls_errors import SECRET
from kasane.participation.catalogue.hsds import ImportFileError, read_file

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATIC = Path(__file__).resolve().parents[2] / "static" / "kasane"


def csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        name: value
        for name, _, value in (part.strip().partition(" ") for part in header.split(";"))
    }


def assert_security_headers(response) -> None:
    policy = csp(response)
    for name, value in POLICY.items():
        assert policy[name] == value, name
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["report-uri"] == reverse("csp_report")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_headers_on_the_sign_in_page() -> None:
    assert_security_headers(Client().get("/accounts/login/"))


@pytest.mark.django_db
def test_headers_on_a_signed_in_page(login, caseworker: Staff) -> None:
    response = login(caseworker).get(reverse("registry:household_list"))
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_the_session_cookie_set_at_sign_in_is_httponly(caseworker: Staff) -> None:
    response = Client().post(
        reverse("accounts:login"), {"username": caseworker.username, "password": PASSWORD}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    # Secure is on under KASANE_SECURE: test_deploy_check signs in over HTTPS to prove it.


@pytest.mark.django_db
def test_headers_on_a_404_page(login, caseworker: Staff) -> None:
    response = login(caseworker).get("/registry/households/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert_security_headers(response)


@pytest.mark.django_db
@pytest.mark.urls("kasane.core.tests.urls_errors")
def test_headers_on_a_500_page() -> None:
    response = Client(raise_request_exception=False).get("/test-errors/explode-anonymous/")
    assert response.status_code == 500
    assert_security_headers(response)
    assert SECRET not in response.content.decode()


@pytest.mark.django_db
def test_headers_on_static_files() -> None:
    """The stylesheet and scripts are served with the same headers (WhiteNoise runs inside
    the CSP middleware)."""
    response = Client().get("/static/kasane/kasane.css")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


# --- the pages obey the policy ---------------------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\bhx-on", re.I), "hx-on (evaluated code)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_carries_inline_script_style_or_handlers() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert found == []


def test_no_static_script_sets_inline_style() -> None:
    for path in STATIC.rglob("*.js"):
        assert ".style" not in path.read_text(encoding="utf-8"), path


def test_htmx_is_told_not_to_inject_its_style_nor_to_eval() -> None:
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base
    # The indicator style htmx would have injected lives in the stylesheet instead.
    assert ".htmx-indicator" in (STATIC / "kasane.css").read_text(encoding="utf-8")


# --- violation reports -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_violation_report_is_logged_by_path_only(caplog: pytest.LogCaptureFixture) -> None:
    report = {
        "csp-report": {
            "document-uri": "http://kasane.local/registry/households/abc/?q=山田花子",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "blocked-uri": "inline",
        }
    }
    with caplog.at_level(logging.WARNING, logger="kasane.csp"):
        response = Client().post(
            reverse("csp_report"), data=json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    assert "script-src-elem" in caplog.text
    assert "/registry/households/abc/" in caplog.text
    assert "山田" not in caplog.text  # the query string never reaches the log


@pytest.mark.django_db
def test_violation_reports_refuse_garbage_and_floods() -> None:
    url = reverse("csp_report")
    client = Client()
    assert (
        client.post(url, data="not json", content_type="application/csp-report").status_code == 400
    )
    assert client.post(url, data=[1], content_type="application/json").status_code == 400
    big = json.dumps({"csp-report": {"blocked-uri": "x" * 20_000}})
    assert client.post(url, data=big, content_type="application/csp-report").status_code == 413
    assert client.get(url).status_code == 405


# --- uploads: type and size -------------------------------------------------------------------


@pytest.fixture
def worker(db: object) -> Staff:
    return StaffFactory.create(username="sanka", role=Role.PARTICIPATION_WORKER)


def _import(client: Client, upload: SimpleUploadedFile):
    return client.post(reverse("participation:catalogue_import"), {"file": upload})


@pytest.mark.django_db
def test_the_hsds_import_refuses_a_too_big_file(login, worker: Staff, settings) -> None:
    settings.KASANE_UPLOAD_MAX_BYTES = 2048
    response = _import(
        login(worker), SimpleUploadedFile("catalogue.json", b"[" + b" " * 4096 + b"]")
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "too_large")


@pytest.mark.django_db
def test_the_hsds_import_refuses_a_wrong_type(login, worker: Staff) -> None:
    client = login(worker)
    response = _import(client, SimpleUploadedFile("catalogue.exe", b"MZ\x90\x00"))
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "wrong_type")
    renamed = _import(
        client, SimpleUploadedFile("catalogue.json", b"\x89PNG\r\n\x1a\n" + b"0" * 50)
    )
    assert renamed.context["form"].has_error("file", "wrong_content")
    empty = _import(client, SimpleUploadedFile("catalogue.json", b""))
    assert empty.status_code == 200
    assert "file" in empty.context["form"].errors


def test_a_zip_that_unpacks_to_too_much_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kasane.participation.catalogue.hsds.files.MAX_UNPACKED_BYTES", 10_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("services.csv", "id,name\n" + "x" * 50_000)
    assert len(buffer.getvalue()) < 2_000  # small on the wire
    with pytest.raises(ImportFileError):
        read_file("catalogue.zip", buffer.getvalue())
