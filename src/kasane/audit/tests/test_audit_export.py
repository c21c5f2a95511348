"""The auditor exports the audit log and can verify the file away from the database: an
event altered, deleted or moved in the file is named by ``kasane audit_verify --export``.
Only the auditor exports; the export is itself in the log; CSV cells cannot run formulas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.shortcuts import resolve_url
from django.test import Client

from kasane.audit import services as audit
from kasane.audit.chain import payload_hash
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis, ObjectType

pytestmark = pytest.mark.django_db

URL = "/privacy/audit/export/"


@pytest.fixture
def log(db: object) -> None:
    for i in range(6):
        audit.record(
            actor=None,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.NONE,
            object_type=ObjectType.HOUSEHOLD,
            object_id=f"h{i}",
            detail={"note": '=HYPERLINK("http://evil")'} if i == 3 else {},
            actor_username="@someone" if i == 4 else None,
        )


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def _lines(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.decode().splitlines()]


def _verify(tmp_path: Path, lines: list[dict[str, Any]]) -> str:
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", "--all", "--export", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return f"FAILED {exc}\n{err.getvalue()}"
    return out.getvalue()


def test_the_url_is_where_the_page_links(db: object, auditor, login) -> None:
    assert resolve_url("audit:audit_export") == URL
    page = login(auditor).get("/privacy/audit/?action=view").content.decode()
    assert 'href="/privacy/audit/export/?action=view"' in page


def test_only_the_auditor_exports(log: None, caseworker, coordinator, login) -> None:
    for staff in (caseworker, coordinator):
        assert login(staff).get(URL).status_code == 403
    assert login(caseworker).get(URL + "?format=csv").status_code == 403
    assert Client().get(URL).status_code in (302, 403)
    assert not AuditEvent.objects.filter(object_type="audit_log_export").exists()


def test_the_whole_log_exports_and_verifies(log: None, auditor, login, tmp_path: Path) -> None:
    lines = _lines(_body(login(auditor).get(URL)))
    header, events = lines[0], lines[1:]
    assert header["format"] == "kasane-audit-export" and header["contiguous"] is True
    stored = list(AuditEvent.objects.order_by("sequence"))
    # Every event up to the export (the sign-in's too), the export's own event not in it.
    exported = stored[:-1]
    assert [e["sequence"] for e in events] == [e.sequence for e in exported]
    assert [e["hash"] for e in events] == [e.hash for e in exported]
    assert header["count"] == len(exported) and header["last"] == exported[-1].sequence
    own = stored[-1]
    assert (own.object_type, own.actor_username, own.detail["count"]) == (
        "audit_log_export",
        auditor.username,
        len(exported),
    )
    assert "Audit export intact" in _verify(tmp_path, lines)


def test_the_verifier_names_every_tampering_in_the_file(
    log: None, auditor, login, tmp_path: Path
) -> None:
    lines = _lines(_body(login(auditor).get(URL)))
    header, events = lines[0], lines[1:]
    first = events[0]["sequence"]

    altered = [header, *events]
    altered[2] = {**events[1], "object_id": "h999"}
    assert f"#{first + 1}: altered" in _verify(tmp_path, altered)

    deleted = [header, *events[:2], *events[3:]]
    report = _verify(tmp_path, deleted)
    assert f"#{first + 2}: missing: event #{first + 2} was deleted" in report

    swapped = [header, events[0], events[2], events[1], *events[3:]]
    report = _verify(tmp_path, swapped)
    assert f"#{first + 1}: reordered" in report

    # Rewritten with a fresh hash, so it matches itself: the next event's link names it.
    forged = {**events[1], "object_id": "h999"}
    forged["hash"] = payload_hash({k: v for k, v in forged.items() if k != "hash"})
    rewritten = [header, events[0], forged, *events[2:]]
    assert f"#{first + 2}: broken link" in _verify(tmp_path, rewritten)

    # The newest line cut off: the header's count, last event and last hash say so.
    report = _verify(tmp_path, [header, *events[:-1]])
    assert "the header says count" in report and "the header says last_hash" in report

    assert "FAILED" in _verify(tmp_path, [{"format": "something else"}])


def test_a_filtered_export_holds_what_the_filter_chose(
    log: None, auditor, login, tmp_path: Path
) -> None:
    lines = _lines(_body(login(auditor).get(URL + "?object_id=h2")))
    header, events = lines[0], lines[1:]
    assert header["filters"] == {"object_id": "h2"} and header["contiguous"] is False
    assert [e["object_id"] for e in events] == ["h2"]
    assert "Audit export intact" in _verify(tmp_path, lines)
    # A bad filter is refused, not answered with the whole log.
    response = login(auditor).get(URL + "?date_from=2026-05-01&date_to=2026-04-01")
    assert response.status_code == 400


def test_the_csv_defuses_formulas(log: None, auditor, login) -> None:
    body = _body(login(auditor).get(URL + "?format=csv"))
    assert body.startswith("\ufeff".encode()) and body.count("\ufeff".encode()) == 1
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    by_object = {r["object_id"]: r for r in rows}
    assert by_object["h3"]["detail"].startswith("{")  # JSON text, not a formula
    assert by_object["h4"]["actor_username"] == "'@someone"
    assert len(rows) == AuditEvent.objects.exclude(object_type="audit_log_export").count()
    sjis = _body(login(auditor).get(URL + "?format=csv&encoding=cp932"))
    assert sjis.decode("cp932").splitlines()[0].startswith("sequence,")


def test_a_forged_header_does_not_hide_what_is_missing(
    log: None, auditor, login, tmp_path: Path
) -> None:
    """The header is never trusted on its own (the reviewer's forgeries, each refused)."""
    lines = _lines(_body(login(auditor).get(URL)))
    header, events = lines[0], lines[1:]
    assert header["first"] == 1 and header["last_hash"] == events[-1]["hash"]

    def forged(kept: list[dict[str, Any]], **claims: Any) -> str:
        claimed = {**header, **claims}
        for name in [k for k, v in claims.items() if v is None]:
            del claimed[name]
        return _verify(tmp_path, [claimed, *kept])

    # Events from the middle deleted, the header calling the export not contiguous.
    middle = [*events[:2], *events[4:]]
    report = forged(middle, contiguous=False, count=len(middle))
    assert "must be contiguous" in report and "missing: events #3 to #4" in report
    # The first events deleted, the header's first moved on.
    report = forged(events[2:], first=3, count=len(events) - 2)
    assert "starts at event #1" in report
    # Every other event dropped, count and contiguous removed from the header.
    report = forged(events[::2], count=None, contiguous=None)
    assert "header: contiguous, count missing" in report
    # The newest events deleted, only the count corrected.
    report = forged(events[:-2], count=len(events) - 2)
    assert "the header says last " in report and "the header says last_hash" in report
    # Nothing at all.
    assert "holds no event" in forged([], count=0)
    # A line that is not an event is named, not a crash.
    report = forged([{"sequence": [1]}, *events[1:]])
    assert "line 2 is not an audit event" in report


def test_the_export_event_records_the_last_hash(log: None, auditor, login) -> None:
    lines = _lines(_body(login(auditor).get(URL)))
    own = AuditEvent.objects.get(object_type="audit_log_export")
    assert own.detail["last_hash"] == lines[0]["last_hash"] == lines[-1]["hash"]
