"""``kasane backup`` and ``kasane restore``: the demo city, with a morning's work on top,
comes back table for table, row for row, and its audit chain still verifies; a file that is
not a Kasane backup is refused before anything is touched."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client

from kasane.accounts.models import Agency
from kasane.audit.models import AuditEvent
from kasane.conftest import make_household
from kasane.demo.city import build_demo_city
from kasane.registry.models import Household

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="pg_dump and pg_restore: PostgreSQL only"
)
sqlite_only = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="SQLite's online backup: SQLite only"
)


def _tables() -> dict[str, str]:
    """Every table of every model in the app registry (many-to-many tables included), with
    its primary key column, plus the migrations record."""
    tables = {
        model._meta.db_table: model._meta.pk.column
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    tables["django_migrations"] = "id"
    return tables


def digests(db: Any) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 over all rows in key order, per table, through a plain DB-API
    connection (the same driver before and after, so values compare exactly)."""
    result = {}
    cursor = db.cursor()
    for table, key in sorted(_tables().items()):
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY "{key}"')  # noqa: S608
        digest = hashlib.sha256()
        count = 0
        for row in cursor.fetchall():
            digest.update(repr(tuple(row)).encode())
            count += 1
        result[table] = (count, digest.hexdigest())
    return result


@pytest.fixture
def city(transactional_db: object) -> None:
    """A small demo city, then a caseworker's reads on top (audited), all committed."""
    staff = build_demo_city(households=8)
    worker = next(s for s in staff if s.role == "caseworker" and s.agency_id)
    client = Client()
    client.force_login(worker)
    for household in Household.objects.order_by("id")[:3]:
        client.get(resolve_url("registry:household_detail", household.public_id))
    assert AuditEvent.objects.count() > 30


def _verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _run_kasane(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "kasane", *args],
        env={**os.environ, "KASANE_SECRET_KEY": "backup-test-" + "k" * 40, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_digests(path: str | Path) -> dict[str, tuple[int, str]]:
    db = sqlite3.connect(path)
    try:
        return digests(db)
    finally:
        db.close()


@sqlite_only
def test_sqlite_round_trip_restores_every_table(city, tmp_path: Path):
    live = connection.settings_dict["NAME"]
    before = _sqlite_digests(live)
    path = tmp_path / "kasane.backup"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "Backed up to" in out.getvalue()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    assert not path.with_name(path.name + "-wal").exists()

    # After the backup, the day goes on: a new household, more audit events.
    make_household(Agency.objects.order_by("id").first())  # type: ignore[arg-type]
    assert _sqlite_digests(live) != before

    out = io.StringIO()
    call_command("restore", str(path), "--yes", stdout=out, stderr=io.StringIO())
    after = _sqlite_digests(live)
    assert after.keys() == before.keys()
    assert [t for t in before if before[t] != after[t]] == []
    assert before["privacy_auditevent"][0] > 30
    assert "Audit log intact" in out.getvalue()
    assert "Audit log intact" in _verify()
    # What was there before the restore is kept beside the database.
    [kept] = Path(live).parent.glob(Path(live).name + ".before-restore-*")
    assert _sqlite_digests(kept) != before
    kept.unlink()


@sqlite_only
def test_sqlite_restore_onto_an_empty_machine(city, tmp_path: Path):
    """The server is lost: a new data directory, the backup, and Kasane is back."""
    before = _sqlite_digests(connection.settings_dict["NAME"])
    path = tmp_path / "kasane.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    fresh = tmp_path / "new" / "kasane.sqlite3"
    fresh.parent.mkdir()
    env = {"KASANE_DATA_DIR": str(fresh.parent), "KASANE_SQLITE_PATH": str(fresh)}
    done = _run_kasane("restore", str(path), "--yes", env=env)
    assert done.returncode == 0, done.stderr
    assert "Audit log intact" in done.stdout
    assert _sqlite_digests(fresh) == before
    assert _run_kasane("audit_verify", env=env).returncode == 0


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_conninfo(name: str) -> str:
    s = connection.settings_dict
    parts = [f"dbname={name}", f"host={s['HOST'] or 'localhost'}", f"port={s['PORT'] or 5432}"]
    if s["USER"]:
        parts.append(f"user={s['USER']}")
    if s["PASSWORD"]:
        parts.append(f"password={s['PASSWORD']}")
    return " ".join(parts)


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


def _pg_digests(name: str) -> dict[str, tuple[int, str]]:
    import psycopg

    with psycopg.connect(_pg_conninfo(name)) as db:
        return digests(db)


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """An empty database beside the test database, dropped afterwards."""
    import psycopg

    name = f"kasane_restore_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@postgresql_only
def test_postgresql_round_trip_into_a_new_database(city, scratch_database: str, tmp_path: Path):
    before = _pg_digests(connection.settings_dict["NAME"])
    path = tmp_path / "kasane.dump"
    call_command("backup", str(path), stdout=io.StringIO())
    assert path.read_bytes().startswith(b"PGDMP")

    env = {"DATABASE_URL": _pg_url(scratch_database), "KASANE_DATA_DIR": str(tmp_path)}
    done = _run_kasane("restore", str(path), "--yes", env=env)
    assert done.returncode == 0, done.stderr
    assert "Audit log intact" in done.stdout
    after = _pg_digests(scratch_database)
    assert after.keys() == before.keys()
    assert [t for t in before if before[t] != after[t]] == []
    assert before["privacy_auditevent"][0] > 30
    assert _run_kasane("audit_verify", env=env).returncode == 0

    # Restoring again over the restored database (--clean) gives the same tables, and the
    # audit log's triggers came back with it.
    assert _run_kasane("restore", str(path), "--yes", env=env).returncode == 0
    assert _pg_digests(scratch_database) == before
    import psycopg

    with psycopg.connect(_pg_conninfo(scratch_database)) as db:
        triggers = db.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'privacy_auditevent'::regclass "
            "AND NOT tgisinternal"
        ).fetchall()
    assert len(triggers) == 3


@postgresql_only
def test_a_missing_pg_dump_is_named(db, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pg_dump was not found on PATH"):
        call_command("backup", str(tmp_path / "x.dump"))
    assert not (tmp_path / "x.dump").exists()


# --- refusals (both databases) -------------------------------------------------------------


def test_restore_asks_for_confirmation(db, tmp_path: Path):
    with pytest.raises(CommandError, match="run again with --yes"):
        call_command("restore", str(tmp_path / "whatever"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is not a Kasane backup"),
        (b"id,name\n1,x\n", "is not a Kasane backup"),
        # A damaged archive of the other kind is named for what it claims to be.
        (b"PGDMP-not-really", "not a Kasane backup|backup of a PostgreSQL database"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "not a Kasane backup|backup of a SQLite"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_what_is_not_a_kasane_backup_is_refused(content: bytes, message: str, tmp_path: Path):
    path = tmp_path / "suspicious.backup"
    path.write_bytes(content)
    households = Household.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert Household.objects.count() == households


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_another_sqlite_database_is_refused(tmp_path: Path):
    other = tmp_path / "other.sqlite3"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes (id integer primary key, text text)")
    db.commit()
    db.close()
    with pytest.raises(CommandError, match="not a Kasane backup: it has no django_migrations"):
        call_command("restore", str(other), "--yes")


def test_an_existing_file_is_not_overwritten(db, tmp_path: Path):
    path = tmp_path / "kasane.backup"
    path.write_text("last week's backup")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(path))
    assert path.read_text() == "last week's backup"
