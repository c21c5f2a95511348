"""The audit log's hash chain: how an event's hash is made, and verifying the stored log
(``kasane audit_verify``) and an export of it away from the database.

Every event's hash covers its own fields and the previous event's hash
(:func:`kasane.audit.services.record` writes them).
"""

import hashlib
import json
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from kasane.audit.models import AuditEvent

GENESIS_HASH = "0" * 64


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


@dataclass
class ExportSeen:
    """What a verification of an export actually read (never what its header claims)."""

    count: int = 0
    first: int | None = None
    last: int | None = None
    last_hash: str = ""


_HEADER_FIELDS = ("filters", "contiguous", "count", "first", "last", "last_hash")


def verify_export(
    header: dict[str, Any], records: Iterable[dict[str, Any]], seen: ExportSeen | None = None
) -> Generator[ChainProblem, None, None]:
    """What is wrong with an exported log (:mod:`kasane.audit.export`), checked away
    from the database. The header is never trusted on its own: every event is checked against
    its own hash, against the one before it when their numbers follow, and for order; what
    was read must agree with the header's count, first and last event and last hash; an
    export without filters must be the whole log from event #1, every number present.

    A file cut short *and* given a header rewritten to match cannot be told from a shorter
    export by the file alone: compare the last hash printed with the export's own event in
    the log (its detail records the same count and last hash)."""
    seen = seen if seen is not None else ExportSeen()
    missing = [name for name in _HEADER_FIELDS if name not in header]
    if missing:
        yield ChainProblem(0, f"header: {', '.join(missing)} missing")
        return
    whole = header["filters"] == {}
    if whole and header["contiguous"] is not True:
        yield ChainProblem(0, "header: an export without filters must be contiguous")
    contiguous = whole or header["contiguous"] is True
    previous: dict[str, Any] | None = None
    for number, record in enumerate(records, start=2):
        try:
            fields = {k: v for k, v in record.items() if k != "hash"}
            sequence = int(fields["sequence"])
            if isinstance(fields["sequence"], bool) or sequence < 1:
                raise ValueError
        except (KeyError, TypeError, ValueError):
            yield ChainProblem(0, f"line {number} is not an audit event")
            continue
        seen.count += 1
        if seen.first is None:
            seen.first = sequence
            if whole and (sequence != 1 or fields.get("previous_hash") != GENESIS_HASH):
                yield ChainProblem(
                    1, f"missing: the whole log starts at event #1; this export at #{sequence}"
                )
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
                continue
            if sequence == before + 1 and fields.get("previous_hash") != previous.get("hash"):
                yield ChainProblem(
                    sequence,
                    f"broken link: it does not follow event #{before} (that event was "
                    "rewritten with a new hash, or this one was moved here)",
                )
            elif sequence > before + 1 and contiguous:
                first, last = before + 1, sequence - 1
                yield ChainProblem(
                    first,
                    f"missing: event #{first} was deleted"
                    if first == last
                    else f"missing: events #{first} to #{last} were deleted",
                )
        previous = record
        seen.last = sequence
        seen.last_hash = str(record.get("hash", ""))
    if seen.count == 0:
        yield ChainProblem(0, "the export holds no event")
        return
    yield from _header_problems(header, seen)


def _header_problems(header: dict[str, Any], seen: ExportSeen) -> Iterator[ChainProblem]:
    """Where the header's count, first and last event and last hash disagree with the file."""
    claims = {
        "count": (header["count"], seen.count),
        "first": (header["first"], seen.first),
        "last": (header["last"], seen.last),
        "last_hash": (header["last_hash"], seen.last_hash),
    }
    for name, (claimed, found) in claims.items():
        if claimed != found:
            yield ChainProblem(
                seen.last or 0,
                f"missing or added events: the header says {name} {claimed}, the file has {found}",
            )
