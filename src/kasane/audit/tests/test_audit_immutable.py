"""Audit events cannot be changed or removed: not through the ORM, whatever door of it is
tried, and not by SQL sent straight to the database, where triggers refuse UPDATE and
DELETE (and TRUNCATE on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from kasane.audit import services as audit
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.testing.audit import audit_triggers, audit_triggers_lifted

pytestmark = pytest.mark.django_db

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="TRUNCATE exists on PostgreSQL only"
)


@pytest.fixture
def events(db: object) -> list[AuditEvent]:
    for _ in range(3):
        audit.record(
            actor=None,
            action=AuditAction.LOGIN,
            legal_basis=LegalBasis.NONE,
        )
    return list(AuditEvent.objects.order_by("sequence"))


def _raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params)


def _stored() -> list[tuple[int, str, str]]:
    return list(AuditEvent.objects.order_by("sequence").values_list("sequence", "action", "hash"))


def test_the_database_refuses_sql_that_updates_an_event(events):
    before = _stored()
    for sql, params in [
        ("UPDATE {table} SET action = %s WHERE id = %s", ["delete", events[1].pk]),
        ("UPDATE {table} SET actor_username = %s", ["someone"]),
        ("UPDATE {table} SET sequence = sequence + 100 WHERE id = %s", [events[0].pk]),
    ]:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            _raw(sql, params)
    assert _stored() == before


def test_the_database_refuses_sql_that_deletes_an_event(events):
    before = _stored()
    for sql, params in [
        ("DELETE FROM {table} WHERE id = %s", [events[2].pk]),
        ("DELETE FROM {table}", None),
    ]:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            _raw(sql, params)
    assert _stored() == before


@postgresql_only
def test_postgresql_refuses_to_truncate_the_log(events):
    before = _stored()
    # As in a fresh session: no foreign-key check of this test's inserts still pending.
    _raw("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _raw("TRUNCATE {table}")
    # Truncating a table the log points at, with CASCADE, reaches the log and is refused.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _raw(f"TRUNCATE {connection.ops.quote_name('accounts_staff')} CASCADE")
    assert _stored() == before


def test_new_events_are_still_written(events):
    """The triggers guard change and removal only: the log keeps growing."""
    event = audit.record(
        actor=None,
        action=AuditAction.LOGOUT,
        legal_basis=LegalBasis.NONE,
    )
    assert event.sequence == events[-1].sequence + 1


def test_every_migration_leaves_the_triggers_in_place(db):
    """A later migration that rebuilds the table (SQLite copies it into a new one) would drop
    them silently: this test, on a database built by all the migrations, notices."""
    expected = {"kasane_audit_no_update", "kasane_audit_no_delete"}
    if connection.vendor == "postgresql":
        expected.add("kasane_audit_no_truncate")
    assert audit_triggers() == expected


def test_lifting_the_triggers_in_a_test_is_temporary(events):
    with audit_triggers_lifted():
        _raw("UPDATE {table} SET actor_username = %s WHERE id = %s", ["x", events[0].pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw("UPDATE {table} SET actor_username = %s WHERE id = %s", ["y", events[0].pk])
    assert AuditEvent.objects.get(pk=events[0].pk).actor_username == "x"


# --- the ORM's side doors ------------------------------------------------------------------


def test_the_orm_refuses_every_door(events):
    event = events[0]
    event.action = AuditAction.DELETE
    doors = [
        # Django's own saves and deletes use the base manager, not ``objects``.
        lambda: AuditEvent._base_manager.filter(pk=event.pk).update(action="delete"),
        lambda: AuditEvent._base_manager.all().delete(),
        lambda: AuditEvent.objects.filter(pk=event.pk)._update({"action": "delete"}),
        lambda: AuditEvent.objects.all()._raw_delete(connection.alias),
        lambda: AuditEvent.objects.bulk_update([event], ["action"]),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="delete"),
        lambda: event.save(update_fields=["action"]),
        lambda: event.save(force_update=True),
        event.save,
        event.delete,
    ]
    before = _stored()
    for door in doors:
        with pytest.raises(TypeError, match="append-only"), transaction.atomic():
            door()
    assert _stored() == before
    assert before[0][1] == AuditAction.LOGIN


@pytest.mark.django_db(transaction=True)
def test_a_flush_in_the_test_suite_still_empties_the_log():
    """Committing tests end with Django's flush; the test settings' flush lifts the triggers
    for it and puts them back."""
    audit.record(
        actor=None,
        action=AuditAction.LOGIN,
        legal_basis=LegalBasis.NONE,
    )
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert len(audit_triggers()) >= 2
    audit.record(
        actor=None,
        action=AuditAction.LOGIN,
        legal_basis=LegalBasis.NONE,
    )
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM {table}")
