"""``kasane backup PATH``: a consistent copy of the database while Kasane keeps running."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kasane.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database to PATH while Kasane runs: SQLite's online backup, or pg_dump "
        "(custom format) on PostgreSQL. Restore it with kasane restore."
    )
    # A backup must work on a machine whose code is half-deployed: no system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file to write")
        parser.add_argument("--overwrite", action="store_true", help="replace an existing file")

    def handle(self, *args: Any, path: Path, overwrite: bool, **options: Any) -> None:
        try:
            summary = backup(path, overwrite=overwrite)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up to {summary.path} ({summary.size:,} bytes); the audit log held "
                f"{summary.audit_events} events, the last #{summary.last_sequence}."
            )
        )
        self.stdout.write(
            "The backup holds personal data: store it encrypted, where only operators can read."
        )
