"""A Kasane served by gunicorn for the load test: a free loopback port, the environment of the
production settings, the kasane command, and the server process that is stopped afterwards."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

# Demo staff whose work is with households and cases; 50 sessions share them, as colleagues
# of one agency share a role. Volunteers, analysts, auditors and admins see no person.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database: dict[str, Any], data_dir: Path) -> dict[str, str]:
    """The environment of a production-settings process on the database of ``database`` (a
    Django DATABASES entry). 2FA is off: the demo staff have not enrolled (as serve_demo)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kasane.settings",
        "KASANE_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "KASANE_DATA_DIR": str(data_dir),
        "KASANE_LOG_LEVEL": "WARNING",
        "KASANE_2FA": "off",
        # Static files from the app directories, with no collectstatic into the temp dir.
        "KASANE_STATIC_MANIFEST": "off",
    }
    if "postgresql" in database["ENGINE"]:
        user = urllib.parse.quote(database.get("USER") or "")
        password = database.get("PASSWORD") or ""
        auth = user + (f":{urllib.parse.quote(password)}" if password else "")
        host = database.get("HOST") or "localhost"
        env["DATABASE_URL"] = f"postgres://{auth}@{host}:{database.get('PORT') or 5432}/" + str(
            database["NAME"]
        )
    else:
        env.pop("DATABASE_URL", None)
        env["KASANE_SQLITE_PATH"] = str(database["NAME"])
    return env


def kasane(env: dict[str, str], *args: str) -> str:
    """Run a kasane command in a process of its own under ``env``; its output."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "kasane", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"kasane {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_demo_database(env: dict[str, str], households: int) -> None:
    kasane(env, "migrate", "--verbosity", "0")
    kasane(env, "seed_demo", "--households", str(households))


class Server:
    """gunicorn on a free loopback port, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path, workers: int) -> None:
        self.port = free_port()
        self.log = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "kasane.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--backlog",
                "256",
                "--graceful-timeout",
                "5",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s: see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()
