"""Helpers for the no-lost-updates tests (kasane.core.row_version): two staff with the same
edit form open, threads with their own database connections, and the audit count."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from kasane.accounts.models import Role, Staff
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import StaffFactory
from kasane.core.row_version import EditConflict, compare_and_set

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two writers at the same moment need a server database; on SQLite "
    "test_two_connections_one_after_the_other covers the same saves",
)


@pytest.fixture
def colleague(caseworker: Staff) -> Staff:
    """A second caseworker of the lead agency: may edit the same records."""
    return StaffFactory.create(username="houkatsu2", agency=caseworker.agency, role=Role.CASEWORKER)


def opened(response: Any, form: str = "form") -> dict[str, str]:
    """What a page's edit form carries hidden: the row_version it was opened at and the
    signed snapshot of the values it showed."""
    assert response.status_code == 200, response.status_code
    bound = response.context[form]
    return {"row_version": str(bound["row_version"].value()), "loaded": bound["loaded"].value()}


def resubmitted(response: Any, form: str = "form") -> dict[str, Any]:
    """The data a refused form carries back to the editor: their values, with the record's
    current row_version and snapshot (so that saving again is a deliberate choice)."""
    data = response.context[form].data
    return {key: data.getlist(key) for key in data}


def update_audits(object_type: str, public_id: object) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type=object_type, object_id=str(public_id)
    ).count()


def _in_thread(call: Callable[[], Any], results: list[Any], i: int, start: Any) -> None:
    try:
        if start is not None:
            start.wait(timeout=10)
        results[i] = call()
    except Exception as exc:  # the refused one: its exception is its result
        results[i] = exc
    finally:
        connection.close()


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads — each its own database connection and transaction —
    released together by a barrier; each gives its result or its exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    threads = [
        threading.Thread(target=_in_thread, args=(c, results, i, barrier))
        for i, c in enumerate(calls)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results


def one_after_the_other(*calls: Callable[[], Any]) -> list[Any]:
    """The same, one thread (and connection) after the other: the second starts when the
    first has committed — how SQLite, which has one writer at a time, meets two editors."""
    results: list[Any] = [None] * len(calls)
    for i, call in enumerate(calls):
        t = threading.Thread(target=_in_thread, args=(call, results, i, None))
        t.start()
        t.join(timeout=30)
    return results


def held_compare_and_set(
    model: Any, pk: Any, expected: int, values: dict[str, Any], hold: float = 0.3
) -> Callable[[], int]:
    """A compare-and-set in its own transaction that stays open ``hold`` seconds after its
    UPDATE, so that the other thread's UPDATE of the same row meets it uncommitted."""

    def call() -> int:
        with transaction.atomic():
            new = compare_and_set(
                model, pk=pk, expected=expected, values=values, object_type="test"
            )
            time.sleep(hold)
            return new

    return call


def outcome(results: list[Any]) -> tuple[list[Any], list[EditConflict]]:
    """(the saves that won, the refused ones); anything else fails the test."""
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, EditConflict)]
    assert len(won) + len(lost) == len(results), results
    return won, lost
