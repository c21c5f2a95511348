"""The database itself refuses to change or remove audit events.

The model refuses UPDATE and DELETE through the ORM; these triggers refuse them to anything
that reaches the table by SQL (a script, a database console, a future bug in raw SQL). On
PostgreSQL TRUNCATE is refused too. Both raise an integrity error naming the operation.

An owner of the table can still drop the triggers: they stop accidents and anyone with only
row privileges, and the hash chain (``kasane audit_verify``) shows what an owner did.
"""

from django.db import migrations

TABLE = "privacy_auditevent"

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION kasane_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER kasane_audit_no_update BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION kasane_audit_append_only()
    """,
    f"""
    CREATE TRIGGER kasane_audit_no_delete BEFORE DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION kasane_audit_append_only()
    """,
    f"""
    CREATE TRIGGER kasane_audit_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION kasane_audit_append_only()
    """,
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS kasane_audit_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS kasane_audit_no_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS kasane_audit_no_update ON {TABLE}",
    "DROP FUNCTION IF EXISTS kasane_audit_append_only()",
]

# SQLite has no TRUNCATE: "DELETE FROM t" without WHERE fires the DELETE trigger per row.
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER kasane_audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: UPDATE on {TABLE} refused');
    END
    """,
    f"""
    CREATE TRIGGER kasane_audit_no_delete BEFORE DELETE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: DELETE on {TABLE} refused');
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS kasane_audit_no_delete",
    "DROP TRIGGER IF EXISTS kasane_audit_no_update",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_breakglass_consent")]

    operations = [
        # Django's own saves and deletes go through the base manager: the refusing one.
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "base_manager_name": "objects",
                "ordering": ["-sequence"],
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
