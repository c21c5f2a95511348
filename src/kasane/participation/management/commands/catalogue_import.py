"""``kasane catalogue_import PATH``: load places to take part from an HSDS 3.0 file.

PATH is a ``.json`` file of services, a ``.zip`` of the HSDS tabular CSV files, or a
directory holding those CSV files. All or nothing; re-running with the same file is safe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kasane.participation.catalogue import hsds, services


class Command(BaseCommand):
    help = "Import places to take part from an HSDS 3.0 JSON file or CSV package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            if path.is_dir():
                files = {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}
                records, faults = hsds.records_from_tables(files)
            else:
                records, faults = hsds.read_file(path.name, path.read_bytes())
            if not faults:
                result = services.catalogue_import(actor=None, records=records)
        except OSError as error:
            raise CommandError(str(error)) from None
        except hsds.ImportFileError as error:
            raise CommandError(str(error)) from None
        except services.CatalogueImportError as error:
            faults = list(error.messages)
        if faults:
            for fault in faults:
                self.stderr.write(fault)
            raise CommandError(f"Nothing was imported: {len(faults)} fault(s).")
        self.stdout.write(
            self.style.SUCCESS(f"Imported: {result.created} new, {result.updated} updated.")
        )
