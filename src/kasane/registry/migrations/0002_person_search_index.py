"""The bigram search index over Person.search_tokens, in each database's own full-text engine.

SQLite: an external-content FTS5 table kept in step by triggers. PostgreSQL: a GIN index on
to_tsvector('simple', search_tokens). Both serve one- and two-character queries from an index
(see ENVIRONMENT.md); the tokens are computed in Python by kasane.core.kana.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE registry_person_fts USING fts5(
        search_tokens, content='registry_person', content_rowid='id', tokenize='unicode61'
    )""",
    """CREATE TRIGGER registry_person_fts_insert AFTER INSERT ON registry_person BEGIN
        INSERT INTO registry_person_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens);
    END""",
    """CREATE TRIGGER registry_person_fts_delete AFTER DELETE ON registry_person BEGIN
        INSERT INTO registry_person_fts(registry_person_fts, rowid, search_tokens)
        VALUES ('delete', old.id, old.search_tokens);
    END""",
    """CREATE TRIGGER registry_person_fts_update AFTER UPDATE OF search_tokens ON registry_person
    BEGIN
        INSERT INTO registry_person_fts(registry_person_fts, rowid, search_tokens)
        VALUES ('delete', old.id, old.search_tokens);
        INSERT INTO registry_person_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens);
    END""",
    "INSERT INTO registry_person_fts(registry_person_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_person_fts_update",
    "DROP TRIGGER IF EXISTS registry_person_fts_delete",
    "DROP TRIGGER IF EXISTS registry_person_fts_insert",
    "DROP TABLE IF EXISTS registry_person_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX registry_person_search_tokens ON registry_person "
    "USING gin (to_tsvector('simple', search_tokens))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS registry_person_search_tokens"]


def _run(statements_by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"Kasane supports SQLite and PostgreSQL, not {vendor}.")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
