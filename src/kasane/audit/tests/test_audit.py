"""The audit log: every read and write of personal data leaves one event, written in the same
transaction, with who did it and on which legal basis; the hash chain shows any event altered,
removed or moved afterwards; the ORM cannot change or delete an event."""

from __future__ import annotations

import datetime
import io
import itertools
import uuid
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.shortcuts import resolve_url

from kasane.audit import services as audit
from kasane.audit.chain import GENESIS_HASH, event_hash, verify_chain
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.conftest import head_of, make_household
from kasane.registry import selectors, services
from kasane.registry.models import Household, Person, Relationship
from kasane.registry.services import PersonInput
from kasane.testing.audit import audit_triggers_lifted

pytestmark = pytest.mark.django_db


def _new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=since).order_by("sequence"))


def _last() -> int:
    last = AuditEvent.objects.order_by("-sequence").first()
    return last.sequence if last else 0


# --- every read ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "object_type"),
    [
        ("registry:household_detail", "household"),
        ("registry:household_edit", "household"),
        ("registry:member_add", "household"),
        ("registry:relation_add", "household"),
        ("registry:person_detail", "person"),
        ("registry:person_edit", "person"),
    ],
)
def test_each_page_showing_a_record_writes_one_view_event(
    page, object_type, household, caseworker, login
):
    record = household if object_type == "household" else head_of(household)
    start = _last()
    response = login(caseworker).get(resolve_url(page, record.public_id))
    assert response.status_code == 200
    [event] = _new_events(start)
    assert event.action == AuditAction.VIEW
    assert (event.object_type, event.object_id) == (object_type, str(record.public_id))
    assert event.actor == caseworker
    assert event.actor_username == caseworker.username
    assert event.agency_name == caseworker.agency.name
    assert event.legal_basis == LegalBasis.OWN_AGENCY
    # The event names the request, so the auditor can match it to the proxy's access log.
    assert event.request_id == response["X-Request-ID"]


def test_household_detail_event_lists_the_members_shown(household, caseworker, login):
    son = services.member_add(
        actor=caseworker,
        household=household,
        person=PersonInput(name="草野 一郎", kana="クサノ イチロウ", birth_date=None),
        relationship=Relationship.CHILD,
    )
    start = _last()
    login(caseworker).get(resolve_url("registry:household_detail", household.public_id))
    [event] = _new_events(start)
    assert sorted(event.detail["persons"]) == sorted(
        [str(head_of_current(household).public_id), str(son.public_id)]
    )


def head_of_current(household: Household) -> Person:
    return household.memberships.get(relationship=Relationship.HEAD).person


def test_household_list_is_audited_with_the_households_listed(household, caseworker, login):
    start = _last()
    login(caseworker).get(resolve_url("registry:household_list"))
    [event] = _new_events(start)
    assert event.object_type == "household_list"
    assert event.detail["households"] == [str(household.public_id)]
    assert event.legal_basis == LegalBasis.OWN_AGENCY


def test_search_is_audited(household, caseworker, login):
    start = _last()
    login(caseworker).post(resolve_url("registry:person_search"), {"q": "くさの"})
    [event] = _new_events(start)
    assert event.action == AuditAction.SEARCH
    assert event.actor == caseworker
    assert event.detail["persons"] == [str(head_of(household).public_id)]


def test_a_refused_read_writes_no_read_only_the_refusal(household, outsider, login):
    start = _last()
    client = login(outsider)
    assert (
        client.get(resolve_url("registry:household_detail", household.public_id)).status_code == 404
    )
    [event] = _new_events(start)
    assert event.action == AuditAction.REFUSED and event.object_type == ""
    assert event.object_id == str(household.public_id)
    assert event.legal_basis == LegalBasis.NONE


# --- every write ---------------------------------------------------------------------------


def test_every_write_is_audited_with_actor_and_basis(household, caseworker, agency):
    head = head_of(household)
    start = _last()
    created = services.household_create(
        actor=caseworker,
        head=PersonInput(name="森 よし子", kana="モリ ヨシコ", birth_date=None),
        address="かさね市南町2-3",
    )
    son = services.member_add(
        actor=caseworker,
        household=household,
        person=PersonInput(name="草野 一郎", kana="クサノ イチロウ", birth_date=None),
        relationship=Relationship.CHILD,
        started_on=datetime.date(2020, 4, 1),
    )
    services.household_update(
        actor=caseworker,
        household=household,
        address="かさね市北町",
        area=None,
        phone="",
        note="",
    )
    services.person_update(
        actor=caseworker,
        person=head,
        data=PersonInput(name="草野 和夫", kana="クサノ カズオ", birth_date=None, phone=""),
    )
    relation = services.relation_create(
        actor=caseworker, from_person=head, to_person=son, kind="parent"
    )
    membership = son.memberships.get()
    services.membership_end(
        actor=caseworker, membership=membership, ended_on=datetime.date(2024, 3, 31)
    )
    events = _new_events(start)
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "household"),
        ("create", "person"),
        ("create", "person"),
        ("update", "household"),
        ("update", "person"),
        ("create", "relation"),
        ("update", "membership"),
    ]
    assert [e.object_id for e in events] == [
        str(created.public_id),
        str(head_of(created).public_id),
        str(son.public_id),
        str(household.public_id),
        str(head.public_id),
        str(relation.public_id),
        str(membership.public_id),
    ]
    for event in events:
        assert event.actor == caseworker
        assert event.legal_basis == LegalBasis.OWN_AGENCY
    assert events[3].detail == {"fields": ["address"]}
    assert events[4].detail == {"fields": ["birth_date"]}


def test_the_demo_loader_writes_as_the_system(agency):
    start = _last()
    make_household(agency)
    events = _new_events(start)
    assert [e.legal_basis for e in events] == [LegalBasis.SYSTEM, LegalBasis.SYSTEM]
    assert all(e.actor is None and e.actor_username == "" for e in events)


def _failing_audit(monkeypatch, after: int = 0):
    """Make the n+1-th audit write fail, as a full disk or a lost connection would."""
    calls = {"n": 0}
    record = audit.record

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise RuntimeError("audit log unavailable")
        return record(**kwargs)

    monkeypatch.setattr(audit, "record", failing)


def test_no_write_without_its_audit_event(household, caseworker, monkeypatch):
    """The change and its event commit together or not at all."""
    _failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        services.household_update(
            actor=caseworker,
            household=household,
            address="変更後",
            area=None,
            phone="",
            note="",
        )
    household.refresh_from_db()
    assert household.address == "かさね市中央一丁目1-1"
    before = (Household.objects.count(), Person.objects.count())
    with pytest.raises(RuntimeError):
        services.household_create(
            actor=caseworker,
            head=PersonInput(name="森 よし子", kana="モリ ヨシコ", birth_date=None),
        )
    assert (Household.objects.count(), Person.objects.count()) == before


def test_a_household_is_not_left_without_its_head(caseworker, monkeypatch):
    """The household's event is written, the head's fails: neither remains."""
    _failing_audit(monkeypatch, after=1)
    start = _last()
    with pytest.raises(RuntimeError):
        services.household_create(
            actor=caseworker,
            head=PersonInput(name="森 よし子", kana="モリ ヨシコ", birth_date=None),
        )
    assert not Household.objects.exists()
    assert _new_events(start) == []


def test_no_read_without_its_audit_event(household, caseworker, monkeypatch):
    _failing_audit(monkeypatch)
    for read in (
        lambda: selectors.household_detail_for_user(caseworker, household.public_id),
        lambda: selectors.get_person_for_user(caseworker, head_of(household).public_id),
        lambda: selectors.search_persons(caseworker, "くさの"),
        lambda: selectors.household_list_for_user(caseworker, 1),
    ):
        with pytest.raises(RuntimeError):
            read()


# --- the chain -----------------------------------------------------------------------------


@pytest.fixture
def history(household, caseworker, login) -> list[AuditEvent]:
    """A morning's work: a few reads and writes by a caseworker."""
    client = login(caseworker)
    client.get(resolve_url("registry:household_detail", household.public_id))
    client.post(resolve_url("registry:person_search"), {"q": "くさの"})
    client.get(resolve_url("registry:person_detail", head_of(household).public_id))
    services.household_update(
        actor=caseworker, household=household, address="北町", area=None, phone="", note=""
    )
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) >= 6
    return events


def _verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_an_intact_chain_verifies(history):
    assert list(verify_chain(AuditEvent.objects.order_by("id"))) == []
    assert history[0].previous_hash == GENESIS_HASH
    for before, after in itertools.pairwise(history):
        assert after.previous_hash == before.hash
        assert after.sequence == before.sequence + 1
    assert f"{len(history)} events" in _verify()


def test_an_empty_log_verifies(db):
    assert "0 events" in _verify()


def _tamper(sql: str, params: list[Any]) -> None:
    """Raw SQL on the audit table, as the table's owner would run it after lifting the
    append-only triggers (which refuse it otherwise: test_audit_immutable)."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with audit_triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def _update(pk: int, column: str, value: object) -> None:
    _tamper(f"UPDATE {{table}} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def _delete(pk: int) -> None:
    _tamper("DELETE FROM {table} WHERE id = %s", [pk])


def _assert_broken(at: int) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError, match=f"#{at}"):
        call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    assert f"#{at}" in err.getvalue()


def test_an_altered_event_is_found(history):
    third = history[2]
    _update(third.pk, "actor_username", "someone")
    _assert_broken(third.sequence)


def test_an_altered_event_with_a_recomputed_hash_is_found(history):
    """Rewriting an event and its own hash breaks the link from the event after it."""
    third = history[2]
    third.object_id = str(uuid.uuid4())
    forged = event_hash(third)
    _update(third.pk, "object_id", third.object_id)
    _update(third.pk, "hash", forged)
    _assert_broken(history[3].sequence)


def test_a_deleted_event_is_found(history):
    _delete(history[2].pk)
    _assert_broken(history[2].sequence)


def test_a_deleted_first_event_is_found(history):
    _delete(history[0].pk)
    _assert_broken(history[0].sequence)


def test_reordered_events_are_found(history):
    """Two events swapped (their sequence numbers exchanged) to hide when one happened."""
    a, b = history[1], history[2]
    _update(a.pk, "sequence", 10**9)
    _update(b.pk, "sequence", a.sequence)
    _update(a.pk, "sequence", b.sequence)
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=io.StringIO(), stderr=io.StringIO())


def test_all_problems_are_listed_on_request(history):
    for event in (history[1], history[3]):
        _update(event.pk, "action", "delete")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", "--all", stdout=io.StringIO(), stderr=err)
    assert f"#{history[1].sequence}" in err.getvalue()
    assert f"#{history[3].sequence}" in err.getvalue()


# --- append-only through the ORM -----------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_events(history):
    event = history[0]
    original = (event.action, event.object_id, event.hash)
    event.object_id = "changed"
    attempts = [
        event.save,
        event.delete,
        lambda: AuditEvent.objects.filter(pk=event.pk).update(object_id="changed"),
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.bulk_update([event], ["object_id"]),
        lambda: AuditEvent.objects.filter(pk=event.pk).select_for_update().update(action="x"),
        lambda: AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": "x"}),
    ]
    for attempt in attempts:
        with pytest.raises(TypeError), transaction.atomic():
            attempt()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.object_id, stored.hash) == original
    assert AuditEvent.objects.count() == len(history)


def test_an_event_built_over_an_existing_one_does_not_overwrite_it(history):
    """Django saves a new instance with an existing primary key as an UPDATE: not here."""
    victim = history[0]
    impostor = AuditEvent(
        pk=victim.pk,
        sequence=victim.sequence,
        at=victim.at,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.SYSTEM,
        previous_hash=victim.previous_hash,
        hash="f" * 64,
    )
    with pytest.raises((IntegrityError, TypeError)), transaction.atomic():
        impostor.save()
    stored = AuditEvent.objects.get(pk=victim.pk)
    assert (stored.hash, stored.legal_basis) == (victim.hash, victim.legal_basis)


def test_staff_with_events_cannot_be_deleted(history, caseworker):
    with pytest.raises(ProtectedError):
        caseworker.delete()
    assert AuditEvent.objects.filter(actor=caseworker).exists()
