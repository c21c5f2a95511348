"""A consent's history is append-only: the database refuses to change an event.

No service updates a ``ConsentEvent``; this trigger refuses it to anything that reaches the
table by SQL. Deleting is left to the foreign key (a consent is never deleted: PROTECT).
"""

from django.db import migrations

TABLE = "privacy_consentevent"

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION kasane_consent_event_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'consent events are append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER kasane_consent_event_no_update BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION kasane_consent_event_append_only()
    """,
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS kasane_consent_event_no_update ON {TABLE}",
    "DROP FUNCTION IF EXISTS kasane_consent_event_append_only()",
]
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER kasane_consent_event_no_update BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'consent events are append-only: UPDATE on {TABLE} refused');
    END
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS kasane_consent_event_no_update"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("privacy", "0008_consent_history")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
