"""``kasane import_residents PATH --user USERNAME [--encoding cp932] [--dry-run]``.

Imports a 住民記録 CSV export on behalf of a municipal coordinator (``--user``): the
records are registered by their agency and every change is audited under their name, as
if they had uploaded the file on the import page. All or nothing; every fault is listed
with its line; running it again with the same file changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kasane.accounts.models import Staff
from kasane.core.uploads import max_upload_bytes
from kasane.registry import resident_import
from kasane.registry.import_services import ResidentImportError, file_digest, residents_import


class Command(BaseCommand):
    help = "Import households and persons from a resident register (住民記録) CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--user", required=True, help="username of the municipal coordinator importing"
        )
        parser.add_argument("--encoding", choices=resident_import.ENCODINGS, default=None)
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args: Any, path: Path, user: str, **options: Any) -> None:
        actor = Staff.objects.select_related("agency").filter(username=user).first()
        if actor is None:
            raise CommandError(f"No staff member is called {user!r}.")
        try:
            if path.stat().st_size > max_upload_bytes():
                raise CommandError(
                    f"{path} is larger than KASANE_UPLOAD_MAX_BYTES ({max_upload_bytes()} bytes)."
                )
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from None
        try:
            parsed = resident_import.parse(data, options["encoding"])
            result = residents_import(
                actor=actor,
                rows=parsed.rows,
                digest=file_digest(data),
                dry_run=options["dry_run"],
                faults=parsed.errors,
                incomplete=parsed.refused_households,
            )
        except resident_import.ImportFileError as error:
            raise CommandError(str(error)) from None
        except PermissionDenied:
            raise CommandError(
                f"{user} may not import: only a coordinator of a municipal office may."
            ) from None
        except ResidentImportError as refused:
            for fault in refused.errors:
                self.stderr.write(f"{path.name}:{fault.line}: {fault.message}")
            raise CommandError(f"Nothing was imported: {len(refused.errors)} fault(s).") from None
        counts = ", ".join(f"{key} {value}" for key, value in result.as_detail().items())
        verb = "Checked (nothing written)" if result.dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(parsed.rows)} rows: {counts}."))
