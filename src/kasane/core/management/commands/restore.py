"""``kasane restore PATH --yes``: replace the database's content with a Kasane backup."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kasane.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the database from a backup made by kasane backup, replacing everything in it. "
        "Stop Kasane first. Needs --yes."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="a file written by kasane backup")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm that the database's current content is to be replaced",
        )

    def handle(self, *args: Any, path: Path, yes: bool, **options: Any) -> None:
        if not yes:
            raise CommandError(
                "Restoring replaces everything in the database with the backup. "
                "Stop Kasane, then run again with --yes."
            )
        try:
            kept = restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored from {path}."))
        if kept:
            self.stdout.write(f"The database as it was before is kept in {kept}.")
        # A restored log that does not verify must be known now, not at the next audit.
        call_command("audit_verify", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("Run kasane migrate if the backup comes from an older version.")
