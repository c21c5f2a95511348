#!/usr/bin/env python3
"""Set up and run Kasane from a source checkout, needing only Python >= 3.11 and PyPI.

    python3 dev.py serve   install, migrate, load the demo city if empty, serve on :8000
    python3 dev.py test    install, then run the whole test suite (browser tests included)

Extra arguments after ``test`` go to pytest. Uses only the standard library, so it runs
before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".kasane-installed"
CHROMIUM = Path(os.environ.get("KASANE_CHROMIUM", "/usr/bin/chromium"))


def say(message: str) -> None:
    print(f"[kasane] {message}", flush=True)


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def install() -> None:
    """Create .venv and install the locked dependencies; skipped when nothing changed."""
    if sys.version_info < (3, 11):
        sys.exit("Kasane needs Python 3.11 or newer.")
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        say(f"creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing the locked dependencies (first run takes a minute)")
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    run(*pip, "--require-hashes", "-r", LOCK)
    run(*pip, "--no-deps", "--no-build-isolation", "--editable", ROOT)
    STAMP.write_text(wanted)


def ensure_browser() -> None:
    """Browser tests use Debian's Chromium; install it (with Japanese fonts) when missing."""
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing Debian's chromium and fonts-noto-cjk for the browser tests")
        subprocess.run([apt, "update", "-q"], check=True)
        subprocess.run(
            [apt, "install", "-y", "-q", "--no-install-recommends", "chromium", "fonts-noto-cjk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        return
    sys.exit(
        f"The browser tests need Chromium at {CHROMIUM}. Install it (Debian: "
        "`sudo apt-get install chromium fonts-noto-cjk`) or set KASANE_CHROMIUM to its path."
    )


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "serve":
        install()
        env = {
            **os.environ,
            "KASANE_DATA_DIR": os.environ.get("KASANE_DATA_DIR", str(ROOT / "var")),
            # The demo staff have no authenticator app enrolled: the demo signs in with the
            # printed password alone. Production leaves two-factor sign-in on (SECURITY.md).
            "KASANE_2FA": os.environ.get("KASANE_2FA", "off"),
        }
        os.execve(BIN / "kasane", [str(BIN / "kasane"), "serve_demo", *sys.argv[2:]], env)
    elif command == "test":
        install()
        ensure_browser()
        env = {**os.environ, "KASANE_CHROMIUM": str(CHROMIUM)}
        result = subprocess.run([PYTHON, "-m", "pytest", *sys.argv[2:]], cwd=ROOT, env=env)
        sys.exit(result.returncode)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
