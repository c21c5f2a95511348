"""`kasane check --deploy` with production settings reports nothing, and those settings
send HSTS, redirect to HTTPS and mark cookies Secure (issue #7 item 3).

Settings are read from the environment once, at start-up, so each case runs in a fresh
interpreter with the environment an operator would set (README, "Production")."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import io, json, django
    from django.core.management import call_command
    django.setup()
    from django.conf import settings
    from django.test import Client

    out, err = io.StringIO(), io.StringIO()
    call_command("check", deploy=True, stdout=out, stderr=err)
    # As a deployment does: hashed, compressed static files into KASANE_STATIC_ROOT.
    call_command("collectstatic", interactive=False, verbosity=0)

    host = settings.ALLOWED_HOSTS[0]
    plain = Client(HTTP_HOST=host).get("/accounts/login/")
    secure = Client(HTTP_HOST=host).get("/accounts/login/", secure=True)
    csrf = secure.cookies["csrftoken"]
    print(json.dumps({
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "plain_status": plain.status_code,
        "plain_location": plain.get("Location", ""),
        "status": secure.status_code,
        "hsts": secure.get("Strict-Transport-Security", ""),
        "csp": secure.get("Content-Security-Policy", ""),
        "frame": secure.get("X-Frame-Options", ""),
        "csrf_secure": bool(csrf["secure"]),
        "csrf_httponly": bool(csrf["httponly"]),
        "session_secure": settings.SESSION_COOKIE_SECURE,
        "debug": settings.DEBUG,
    }))
    """
)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KASANE_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="kasane.settings",
        PYTHONPATH=str(SRC),
        KASANE_SECURE="1",
        KASANE_DEBUG="0",
        KASANE_SECRET_KEY=secrets.token_urlsafe(60),
        KASANE_ALLOWED_HOSTS="kasane.city.example.lg.jp",
        KASANE_DATA_DIR=str(tmp_path),
    )
    env.update(extra)
    return env


def run(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_deploy_check_reports_nothing_with_production_settings(tmp_path: Path) -> None:
    result = run(production_env(tmp_path))
    assert "no issues (0 silenced)" in str(result["stdout"]), result["stdout"]
    assert result["stderr"] == ""
    assert result["debug"] is False


def test_production_settings_send_hsts_and_secure_cookies(tmp_path: Path) -> None:
    result = run(production_env(tmp_path))
    assert result["plain_status"] == 301
    assert str(result["plain_location"]).startswith("https://kasane.city.example.lg.jp/")
    assert result["status"] == 200
    assert result["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in str(result["csp"])
    assert result["frame"] == "DENY"
    assert result["csrf_secure"] is True
    assert result["csrf_httponly"] is True
    assert result["session_secure"] is True


def test_deploy_check_would_warn_without_https(tmp_path: Path) -> None:
    """The test above means something: the same check, without KASANE_SECURE, complains."""
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", SCRIPT],
        env=production_env(tmp_path, KASANE_SECURE="0"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    output = json.loads(done.stdout.strip().splitlines()[-1])["stderr"]
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output
