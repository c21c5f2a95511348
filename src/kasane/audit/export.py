"""The audit log exported for the auditor: JSON Lines that can be verified away from the
database (``kasane audit_verify --export FILE``), or CSV to read in a spreadsheet.

The first JSON line is a header (what was exported, by whom, when, the filters, the count
and the first and last event); each following line is one event: the fields its hash
covers and the hash. An export of the whole log is *contiguous*, so a missing line is
found as well as an altered, moved or rewritten one. Exporting is itself an audited event,
written before the file so the file never holds it.
"""

import csv
import datetime
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.chain import EXPORT_FORMAT, event_payload
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis, ObjectType
from kasane.audit.selectors import filtered_events, may_read_audit_log
from kasane.core.exports import Encoding, encode, neutralise

CSV_COLUMNS = (
    "sequence",
    "at",
    "actor",
    "actor_username",
    "agency_name",
    "action",
    "object_type",
    "object_id",
    "legal_basis",
    "request_id",
    "detail",
    "previous_hash",
    "hash",
)


@dataclass(frozen=True)
class AuditExport:
    header: dict[str, Any]
    events: QuerySet[AuditEvent]


def _json_filters(filters: dict[str, Any]) -> dict[str, str]:
    return {
        key: value.isoformat() if isinstance(value, datetime.date) else str(value)
        for key, value in filters.items()
        if value not in (None, "")
    }


@transaction.atomic
def audit_export_for_user(actor: Staff, filters: dict[str, Any], fmt: str) -> AuditExport:
    """The events the filters choose, oldest first, frozen at the newest event now; the
    export recorded as an event of its own. Auditors only (``PermissionDenied`` otherwise,
    as for the log's page)."""
    if not may_read_audit_log(actor):
        raise PermissionDenied
    chosen = _json_filters(filters)
    events = filtered_events(filters).order_by("sequence")
    # One query: the count and the bounds describe the same events.
    bounds = events.aggregate(first=Min("sequence"), last=Max("sequence"), count=Count("pk"))
    count = bounds["count"]
    last_hash = ""
    if bounds["last"] is not None:
        events = events.filter(sequence__lte=bounds["last"])
        last_hash = (
            AuditEvent.objects.filter(sequence=bounds["last"]).values_list("hash", flat=True).get()
        )
    header = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "exported_at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "exported_by": actor.username,
        "filters": chosen,
        # Only an unfiltered export promises every event from the first to the last.
        "contiguous": not chosen,
        "count": count,
        "first": bounds["first"],
        "last": bounds["last"],
        "last_hash": last_hash,
    }
    audit.record(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.AUDIT_LOG_EXPORT,
        detail={
            "format": fmt,
            "filters": chosen,
            "count": count,
            "first": bounds["first"],
            "last": bounds["last"],
            "last_hash": last_hash,
        },
    )
    return AuditExport(header, events)


def jsonl_lines(export: AuditExport) -> Iterator[bytes]:
    def line(value: dict[str, Any]) -> bytes:
        return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

    yield line(export.header)
    for event in export.events.iterator(chunk_size=2000):
        yield line({**event_payload(event), "hash": event.hash})


def csv_chunks(export: AuditExport, encoding: Encoding) -> Iterator[bytes]:
    """The same events as CSV, formulas neutralised (a detail or a user name beginning with
    ``=`` stays text), in the chosen encoding; chunked so a long log streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    first = True
    for n, event in enumerate(export.events.iterator(chunk_size=2000), start=1):
        payload = {**event_payload(event), "hash": event.hash}
        payload["detail"] = json.dumps(payload["detail"], ensure_ascii=False, sort_keys=True)
        writer.writerow([neutralise(payload[column]) for column in CSV_COLUMNS])
        if n % 1000 == 0:
            yield _chunk(buffer, encoding, first)
            first = False
    yield _chunk(buffer, encoding, first)


def _chunk(buffer: io.StringIO, encoding: Encoding, first: bool) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    data = encode(text, encoding)
    if not first and encoding == "utf-8-sig":
        data = data.removeprefix("\ufeff".encode())  # the BOM once, at the start
    return data


def read_export(stream: io.TextIOBase | Any) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The header and the events of an exported JSON Lines file; ``ValueError`` if it is
    not one."""
    first = stream.readline()
    try:
        header = json.loads(first)
    except json.JSONDecodeError as exc:
        raise ValueError("not a Kasane audit export: the first line is not JSON") from exc
    if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
        raise ValueError("not a Kasane audit export: the first line is not its header")

    def records() -> Iterator[dict[str, Any]]:
        for number, text in enumerate(stream, start=2):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number} is not JSON") from exc
            if not isinstance(record, dict):
                raise ValueError(f"line {number} is not an event")
            yield record

    return header, records()
