"""A double click on 登録 sends the same form twice at the same moment: one household (or
member) is registered, and neither request fails."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from kasane.core.services import submission_seen as seen
from kasane.registry import services
from kasane.registry.models import Household, Person, Relationship
from kasane.registry.services import PersonInput

# SQLite serialises writers for the whole transaction (BEGIN IMMEDIATE), so the second
# request only starts once the first has committed; two requests truly interleave on
# PostgreSQL, which is what production runs.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]

HEAD = PersonInput(name="森 よし子", kana="モリ ヨシコ", birth_date=None)


def _at_once(monkeypatch, work: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work`` in two threads that both pass the "was this form sent?" check before
    either goes on, as two requests of one double click do."""
    barrier = threading.Barrier(2, timeout=10)

    def seen_together(token: uuid.UUID | None, object_type: str) -> uuid.UUID | None:
        found = seen(token, object_type)
        if token is not None:  # the head added inside household_create carries none
            barrier.wait()
        return found

    monkeypatch.setattr("kasane.registry.services.submission_seen", seen_together)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_double_click_registers_one_household(caseworker, monkeypatch):
    token = uuid.uuid4()
    results, errors = _at_once(
        monkeypatch,
        lambda: services.household_create(actor=caseworker, head=HEAD, token=token).public_id,
    )
    assert errors == []
    assert len(results) == 2
    assert len(set(results)) == 1
    assert list(Household.objects.values_list("public_id", flat=True)) == results[:1]
    assert Person.objects.count() == 1


def test_double_click_adds_one_member(caseworker, monkeypatch):
    household = services.household_create(actor=caseworker, head=HEAD)
    token = uuid.uuid4()
    son = PersonInput(name="森 一郎", kana="モリ イチロウ", birth_date=None)
    results, errors = _at_once(
        monkeypatch,
        lambda: (
            services.member_add(
                actor=caseworker,
                household=household,
                person=son,
                relationship=Relationship.CHILD,
                token=token,
            ).public_id
        ),
    )
    assert errors == []
    assert len(set(results)) == 1
    assert Person.objects.filter(name="森 一郎").count() == 1
