"""For tests only: lift the database triggers that keep the audit log append-only.

Production code has no way around them (see privacy migration 0004). Tests need one, to
play the attacker who edits the table by hand, and to let Django's ``flush`` empty the
database after a committing test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from kasane.audit.models import AuditEvent


@contextmanager
def audit_triggers_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Inside: UPDATE, DELETE (and TRUNCATE) reach the audit table; after: refused again.

    PostgreSQL disables the table's user triggers (the table owner may); SQLite drops them
    and recreates them from the schema's own text. Both in one transaction.
    """
    connection = connections[using]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check: run those now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [AuditEvent._meta.db_table],
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        yield
        for _name, sql in triggers:
            cursor.execute(sql, None)


def audit_triggers(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The names of the triggers on the audit table."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [AuditEvent._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEvent._meta.db_table],
            )
        return {row[0] for row in cursor.fetchall()}
