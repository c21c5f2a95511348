"""``kasane audit_verify`` names every tampering an auditor must hear about: an event
altered, one deleted from the middle, two swapped in storage, and (with an anchor kept
elsewhere) the newest events deleted — each by its event number and what is wrong."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kasane.audit import services as audit
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis, ObjectType
from kasane.testing.audit import audit_triggers_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(db: object) -> dict[int, AuditEvent]:
    """Ten sign-ins and views, by sequence number."""
    for i in range(10):
        audit.record(
            actor=None,
            action=AuditAction.VIEW if i % 2 else AuditAction.LOGIN,
            legal_basis=LegalBasis.NONE,
            object_type=ObjectType.HOUSEHOLD,
            object_id=f"h{i}",
        )
    return {e.sequence: e for e in AuditEvent.objects.order_by("sequence")}


def _sql(sql: str, params: list[Any]) -> None:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with audit_triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def _alter(event: AuditEvent) -> None:
    _sql("UPDATE {table} SET object_id = %s WHERE id = %s", ["someone-else", event.pk])


def _delete(event: AuditEvent) -> None:
    _sql("DELETE FROM {table} WHERE id = %s", [event.pk])


def _swap_storage(a: AuditEvent, b: AuditEvent) -> None:
    """Exchange the rows' places (primary keys), leaving every hashed field as it was."""
    _sql("UPDATE {table} SET id = %s WHERE id = %s", [-1, a.pk])
    _sql("UPDATE {table} SET id = %s WHERE id = %s", [a.pk, b.pk])
    _sql("UPDATE {table} SET id = %s WHERE id = %s", [b.pk, -1])


def _verify(*args: str) -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def test_alteration_deletion_and_reordering_are_each_named(log):
    _alter(log[3])
    _delete(log[5])
    _swap_storage(log[7], log[8])
    ok, _, err = _verify("--all")
    assert not ok
    lines = [line for line in err.splitlines() if line.startswith("audit event #")]
    assert lines == [
        "audit event #3: altered: its content no longer matches the hash written with it",
        "audit event #5: missing: event #5 was deleted",
        "audit event #7: reordered: it is stored after event #8, which was written later",
    ]
    assert "broken at event #3: 3 problem(s)" in err


def test_without_all_the_first_problem_is_named(log):
    _delete(log[4])
    _alter(log[9])
    ok, _, err = _verify()
    assert not ok
    assert "audit event #4: missing: event #4 was deleted" in err
    assert "#9" not in err
    assert "--all" in err


def test_several_deleted_events_are_named_as_a_range(log):
    for n in (4, 5, 6):
        _delete(log[n])
    ok, _, err = _verify("--all")
    assert "audit event #4: missing: events #4 to #6 were deleted" in err
    assert not ok


def test_an_event_rewritten_with_a_fresh_hash_is_named_by_its_successor(log):
    """The forger recomputes the hash of what they changed: the next event's link shows it."""
    from kasane.audit.chain import event_hash

    forged = AuditEvent.objects.get(pk=log[6].pk)
    forged.object_id = "someone-else"
    _sql(
        "UPDATE {table} SET object_id = %s, hash = %s WHERE id = %s",
        [forged.object_id, event_hash(forged), forged.pk],
    )
    ok, _, err = _verify("--all")
    assert not ok
    assert "audit event #7: broken link: it does not follow event #6" in err


# --- the anchor: the newest events deleted -------------------------------------------------


def test_the_newest_events_deleted_are_caught_by_the_anchor(log, tmp_path: Path):
    anchor = tmp_path / "audit.anchor"
    ok, out, _ = _verify("--anchor", str(anchor))
    assert ok and "first anchor" in out
    assert json.loads(anchor.read_text())["sequence"] == 10

    audit.record(
        actor=None,
        action=AuditAction.LOGOUT,
        legal_basis=LegalBasis.NONE,
    )
    ok, out, _ = _verify("--anchor", str(anchor))
    assert ok and "event #11 (was #10)" in out

    # Without the anchor, a log cut short is a whole chain: nothing to see.
    _delete(AuditEvent.objects.get(sequence=11))
    _delete(log[10])
    assert _verify()[0]
    ok, _, err = _verify("--anchor", str(anchor))
    assert not ok
    assert "audit event #11: missing: the anchor written at" in err
    assert "it now ends at #9, so the newest events were deleted" in err
    # A failed run leaves the anchor where it was.
    assert json.loads(anchor.read_text())["sequence"] == 11


def test_a_rewritten_anchored_event_is_caught(log, tmp_path: Path):
    anchor = tmp_path / "audit.anchor"
    assert _verify("--anchor", str(anchor))[0]
    data = json.loads(anchor.read_text())
    anchor.write_text(json.dumps({**data, "hash": "0" * 64}))
    ok, _, err = _verify("--anchor", str(anchor))
    assert not ok
    assert "audit event #10: altered: its hash differs from the one the anchor recorded" in err


@pytest.mark.parametrize("content", ["not json", "{}", '{"sequence": "x", "hash": 1}', "[]"])
def test_a_file_that_is_not_an_anchor_is_refused(content, log, tmp_path: Path):
    anchor = tmp_path / "audit.anchor"
    anchor.write_text(content)
    ok, _, err = _verify("--anchor", str(anchor))
    assert not ok
    assert "is not an audit anchor written by audit_verify" in err
    assert anchor.read_text() == content
