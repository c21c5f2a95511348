"""Backup and restore of Kasane's database, whichever it is.

SQLite: SQLite's online backup API copies a consistent snapshot while the server keeps
running (WAL lets it write meanwhile); the copy is one self-contained file. Restoring copies
a checked backup back through the same API, under SQLite's own locks, after keeping the
current database beside it.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction`` with
the connection parameters of DATABASE_URL; a failed restore changes nothing.

Either way a file is restored only if it is a Kasane backup of the same kind of database:
it must hold Kasane's migrations table and audit log.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Tables every Kasane database has: the migrations record and the audit log.
REQUIRED_TABLES = ("django_migrations", "accounts_staff", "privacy_auditevent")
# The audit log's size and last sequence, read by table name: a backup is checked on its
# tables, and core knows no app's models.
AUDIT_SUMMARY = "SELECT count(*), max(sequence) FROM privacy_auditevent"


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


@dataclass(frozen=True)
class Summary:
    path: Path
    size: int
    audit_events: int
    last_sequence: int


def _kind(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError as exc:
        raise BackupError(f"{path} does not exist") from exc
    except OSError as exc:
        raise BackupError(f"{path} cannot be read: {exc.strerror}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Kasane backup (neither SQLite nor a pg_dump archive)")


def _refuse_other_kind(path: Path, vendor: str) -> None:
    kind = _kind(path)
    if kind != vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{path} is a backup of a {names[kind]} database; this Kasane uses "
            f"{names.get(vendor, vendor)}"
        )


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_check(path: Path) -> tuple[int, int]:
    """Integrity and Kasane's tables; the audit log's size and last sequence."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened as a database: {exc}") from exc
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            raise BackupError(f"{path} is damaged: integrity check says {integrity!r}")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise BackupError(f"{path} is not a Kasane backup: it has no {', '.join(missing)}")
        count, last = db.execute(AUDIT_SUMMARY).fetchone()
        return int(count), int(last or 0)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a Kasane backup: {exc}") from exc
    finally:
        db.close()


def _sqlite_copy(source: sqlite3.Connection, path: Path) -> None:
    """A consistent snapshot of ``source`` into a new self-contained file at ``path``."""
    draft = path.with_name(f".{path.name}.partial")
    draft.unlink(missing_ok=True)
    target = sqlite3.connect(draft)
    try:
        source.backup(target)
        # One file, no -wal beside it: the backup is read (and moved) on its own.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    os.replace(draft, path)


def _sqlite_backup(using: str, path: Path) -> None:
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    _sqlite_copy(raw, path)


def _sqlite_restore(using: str, path: Path) -> Path | None:
    connection = connections[using]
    live = Path(connection.settings_dict["NAME"])
    kept = None
    if live.exists() and live.stat().st_size > 0:
        stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = live.with_name(f"{live.name}.before-restore-{stamp}")
        _sqlite_backup(using, kept)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.close()
        connection.ensure_connection()
        raw = connection.connection
        assert isinstance(raw, sqlite3.Connection)
        # Under SQLite's write lock: other connections wait, then see the restored data.
        source.backup(raw)
    finally:
        source.close()
        connection.close()
    return kept


# --- PostgreSQL ----------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools (Debian: "
            "apt-get install postgresql-client) of the server's major version or newer."
        )
    return found


def _pg_args(using: str) -> tuple[list[str], dict[str, str]]:
    settings = connections[using].settings_dict
    args = []
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    options = settings.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout


def _pg_check(path: Path) -> None:
    try:
        listing = _run([_tool("pg_restore"), "--list", str(path)], dict(os.environ))
    except BackupError as exc:
        if "not found on PATH" in str(exc):
            raise
        raise BackupError(f"{path} is not a Kasane backup: {exc}") from exc
    missing = [t for t in REQUIRED_TABLES if f" TABLE public {t} " not in listing]
    if missing:
        raise BackupError(f"{path} is not a Kasane backup: it has no {', '.join(missing)}")


def _pg_backup(using: str, path: Path) -> None:
    args, env = _pg_args(using)
    draft = path.with_name(f".{path.name}.partial")
    draft.unlink(missing_ok=True)
    name = str(connections[using].settings_dict["NAME"])
    _run([_tool("pg_dump"), *args, "--format=custom", "--file", str(draft), name], env)
    _pg_check(draft)
    os.replace(draft, path)


def _pg_restore(using: str, path: Path) -> None:
    _pg_check(path)
    args, env = _pg_args(using)
    name = str(connections[using].settings_dict["NAME"])
    connections[using].close()
    _run(
        [
            _tool("pg_restore"),
            *args,
            "--dbname",
            name,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(path),
        ],
        env,
    )


# --- entry points --------------------------------------------------------------------------


def _audit_summary(using: str) -> tuple[int, int]:
    with connections[using].cursor() as cursor:
        cursor.execute(AUDIT_SUMMARY)
        count, last = cursor.fetchone()
    return int(count), int(last or 0)


def backup(path: Path, *, using: str = DEFAULT_DB_ALIAS, overwrite: bool = False) -> Summary:
    """Write a consistent backup of the database to ``path`` (never half a file)."""
    connection = connections[using]
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists; choose a new name (or --overwrite)")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    count, last = _audit_summary(using)
    if connection.vendor == "sqlite":
        _sqlite_backup(using, path)
        count, last = _sqlite_check(path)
    elif connection.vendor == "postgresql":
        _pg_backup(using, path)
    else:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    return Summary(path, path.stat().st_size, count, last)


def restore(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> Path | None:
    """Replace the database's content with the backup at ``path``; on SQLite, return where
    the database as it was before is kept."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("cannot restore inside a transaction")
    _refuse_other_kind(path, connection.vendor)
    if connection.vendor == "sqlite":
        _sqlite_check(path)
        return _sqlite_restore(using, path)
    _pg_restore(using, path)
    return None
