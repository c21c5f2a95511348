"""Writing and verifying the hash-chained audit log.

Every event's hash covers its own fields and the previous event's hash. Writers serialise on
the chain's head (an advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions already
hold the single write lock), so two requests never chain onto the same predecessor.
"""

import hashlib
import json
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.core.request_context import current_request_id
from kasane.privacy.models import AuditAction, AuditEvent, LegalBasis

GENESIS_HASH = "0" * 64
# Any constant would do; it names the chain's lock among the application's advisory locks.
_CHAIN_LOCK_KEY = 0x4B415341  # "KASA"

JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """The fields an event's hash covers, as JSON values (what an export carries)."""
    return {
        "sequence": event.sequence,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "agency_name": event.agency_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "legal_basis": event.legal_basis,
        "request_id": event.request_id,
        "detail": event.detail,
        "previous_hash": event.previous_hash,
    }


def payload_hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return payload_hash(event_payload(event))


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def audit_record(
    *,
    actor: Staff | None,
    action: AuditAction,
    legal_basis: LegalBasis,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    actor_username: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Detail holds ids, counts and field names, never the personal data itself: the audit
    log must not become a second copy of the records it watches.
    """
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
        event = AuditEvent(
            sequence=(last.sequence + 1) if last else 1,
            at=timezone.now(),
            actor=actor,
            actor_username=actor_username
            if actor_username is not None
            else (actor.username if actor else ""),
            agency_name=actor.agency.name if actor and actor.agency_id else "",  # type: ignore[union-attr]
            action=action,
            object_type=object_type,
            object_id=object_id,
            legal_basis=legal_basis,
            request_id=current_request_id(),
            detail=detail or {},
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = event_hash(event)
        event.save()
    return event


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with the stored log: the event it concerns and what is wrong."""

    sequence: int
    reason: str


def verify_chain(events: Iterable[AuditEvent]) -> Generator[ChainProblem, None, None]:
    """Every place where the stored chain differs from one written honestly.

    ``events`` come in chain order (by ``sequence``). An event whose fields no longer give
    its hash was *altered*; a gap in the numbers means events were *deleted*; an event whose
    link does not name the hash of the one before it follows an event that was rewritten
    together with its hash (or was itself moved there). See :func:`verify_storage_order`
    for events moved in storage.
    """
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    for event in events:
        gap = event.sequence > expected_sequence
        if gap:
            first, last = expected_sequence, event.sequence - 1
            yield ChainProblem(
                first,
                f"missing: event #{first} was deleted"
                if first == last
                else f"missing: events #{first} to #{last} were deleted",
            )
        if event_hash(event) != event.hash:
            yield ChainProblem(
                event.sequence,
                "altered: its content no longer matches the hash written with it",
            )
        if not gap and event.previous_hash != expected_previous:
            before = f"event #{expected_sequence - 1}" if expected_sequence > 1 else "the start"
            yield ChainProblem(
                event.sequence,
                f"broken link: it does not follow {before} (that event was rewritten with a "
                "new hash, or this one was moved here)",
            )
        expected_previous = event.hash
        expected_sequence = event.sequence + 1


def verify_storage_order(sequences: Iterable[int]) -> Generator[ChainProblem, None, None]:
    """Events are stored in the order they were written, so the sequence numbers, read in
    storage order (by primary key), only ever grow. ``sequences`` come in storage order."""
    highest = 0
    for sequence in sequences:
        if sequence < highest:
            yield ChainProblem(
                sequence,
                f"reordered: it is stored after event #{highest}, which was written later",
            )
        highest = max(highest, sequence)


EXPORT_FORMAT = "kasane-audit-export"


def verify_export(
    header: dict[str, Any], records: Iterable[dict[str, Any]]
) -> Generator[ChainProblem, None, None]:
    """What is wrong with an exported log (:mod:`kasane.privacy.audit_export`), checked away
    from the database: each event against its own hash, each event against the one before
    it when their numbers follow, the order, and — for an export of the whole log or of a
    contiguous stretch — every number from the first to the last present, and the count."""
    previous: dict[str, Any] | None = None
    seen = 0
    for record in records:
        seen += 1
        fields = {k: v for k, v in record.items() if k != "hash"}
        sequence = int(fields.get("sequence", 0))
        if payload_hash(fields) != record.get("hash"):
            yield ChainProblem(
                sequence, "altered: its content no longer matches the hash written with it"
            )
        if previous is not None:
            before = int(previous["sequence"])
            if sequence <= before:
                yield ChainProblem(
                    sequence, f"reordered: it comes after event #{before} in the export"
                )
            elif sequence == before + 1 and fields.get("previous_hash") != previous.get("hash"):
                yield ChainProblem(
                    sequence,
                    f"broken link: it does not follow event #{before} (that event was "
                    "rewritten with a new hash, or this one was moved here)",
                )
            elif sequence > before + 1 and header.get("contiguous"):
                first, last = before + 1, sequence - 1
                yield ChainProblem(
                    first,
                    f"missing: event #{first} was deleted"
                    if first == last
                    else f"missing: events #{first} to #{last} were deleted",
                )
        elif header.get("contiguous") and header.get("first") not in (None, sequence):
            yield ChainProblem(
                int(header["first"]), f"missing: the export began at #{header['first']}"
            )
        if previous is None or sequence > int(previous["sequence"]):
            previous = record
    if header.get("count") is not None and seen != int(header["count"]):
        last = int(previous["sequence"]) if previous else 0
        yield ChainProblem(
            last,
            f"missing: the export said it held {header['count']} events; {seen} are there",
        )
