"""``kasane audit_verify``: check the audit log's hash chain and name what is wrong.

The chain shows an event altered, deleted or moved anywhere before the newest one. Removing
the newest events leaves a shorter chain that is still whole; ``--anchor FILE`` catches that
too: the file, kept where the database's administrators cannot write (another machine, a
write-once share), records the newest event verified, and the next run checks that event is
still there, unchanged, then moves the anchor forward.
"""

import datetime
import itertools
import json
import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kasane.audit.chain import (
    ChainProblem,
    ExportSeen,
    verify_chain,
    verify_export,
    verify_storage_order,
)
from kasane.audit.export import read_export
from kasane.audit.models import AuditEvent


def _read_anchor(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        anchor = json.loads(path.read_text(encoding="utf-8"))
        int(anchor["sequence"])
        str(anchor["hash"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CommandError(f"{path} is not an audit anchor written by audit_verify") from exc
    return dict(anchor)


def _anchor_problems(anchor: dict[str, Any]) -> list[ChainProblem]:
    sequence = int(anchor["sequence"])
    written = anchor.get("written_at", "?")
    event = AuditEvent.objects.filter(sequence=sequence).only("hash").first()
    if event is None:
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
        return [
            ChainProblem(
                sequence,
                f"missing: the anchor written at {written} recorded the log up to event "
                f"#{sequence}; it now ends at #{last or 0}, so the newest events were deleted",
            )
        ]
    if event.hash != anchor["hash"]:
        return [
            ChainProblem(
                sequence,
                f"altered: its hash differs from the one the anchor recorded at {written}; "
                "the chain was rewritten up to here",
            )
        ]
    return []


def _write_anchor(path: Path) -> dict[str, Any]:
    last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
    anchor = {
        "sequence": last.sequence if last else 0,
        "hash": last.hash if last else "",
        "count": AuditEvent.objects.count(),
        "written_at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
    }
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(json.dumps(anchor, indent=2) + "\n", encoding="utf-8")
    os.replace(draft, path)
    return anchor


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain; exit non-zero naming each event that was altered, "
        "deleted or reordered (the first one, or all with --all)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--all", action="store_true", help="list every problem, not the first")
        parser.add_argument(
            "--anchor",
            type=Path,
            help="a file recording the newest verified event, to catch the newest events "
            "being deleted; created on the first run, moved forward on each run that passes",
        )
        parser.add_argument(
            "--export",
            type=Path,
            help="verify an exported audit log (JSON Lines from the auditor's page) instead "
            "of the database",
        )

    def handle(
        self, *args: Any, all: bool, anchor: Path | None, export: Path | None, **options: Any
    ) -> None:
        if export is not None:
            self._verify_export(export, all=all)
            return
        recorded = _read_anchor(anchor) if anchor else None
        chain = verify_chain(AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000))
        order = verify_storage_order(
            AuditEvent.objects.order_by("id").values_list("sequence", flat=True).iterator()
        )
        found = itertools.chain(chain, order, _anchor_problems(recorded) if recorded else [])
        try:
            problems = (
                sorted(found, key=lambda p: p.sequence) if all else list(itertools.islice(found, 1))
            )
        finally:
            # Stopping at the first problem leaves the database cursors open: close them now.
            chain.close()
            order.close()
        self._report(problems, all=all)
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {count} events verified."))
        if anchor:
            written = _write_anchor(anchor)
            since = f" (was #{recorded['sequence']})" if recorded else " (first anchor)"
            self.stdout.write(f"Anchor {anchor}: event #{written['sequence']}{since}.")

    def _report(self, problems: list[ChainProblem], *, all: bool) -> None:
        if not problems:
            return
        for p in problems:
            self.stderr.write(f"audit event #{p.sequence}: {p.reason}")
        more = "" if all else " (run with --all to list every problem)"
        raise CommandError(
            f"audit log chain broken at event #{problems[0].sequence}: "
            f"{len(problems)} problem(s) listed above{more}"
        )

    def _verify_export(self, path: Path, *, all: bool) -> None:
        seen = ExportSeen()
        try:
            with path.open(encoding="utf-8") as stream:
                header, records = read_export(stream)
                found = verify_export(header, records, seen)
                problems = (
                    sorted(found, key=lambda p: p.sequence)
                    if all
                    else list(itertools.islice(found, 1))
                )
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self._report(problems, all=all)
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit export intact: {seen.count} events read and verified (#{seen.first} "
                f"to #{seen.last}, last hash {seen.last_hash}); exported "
                f"{header.get('exported_at')} by {header.get('exported_by')}. Compare the last "
                "hash with the export's own event in the audit log."
            )
        )
