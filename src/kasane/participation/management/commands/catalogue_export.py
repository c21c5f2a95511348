"""``kasane catalogue_export PATH --format json|csv``: write the catalogue in HSDS 3.0.

JSON is a list of services with everything nested; CSV is the HSDS tabular package, written
as a ZIP when PATH ends in ``.zip`` and as CSV files in the directory PATH otherwise.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kasane.participation.catalogue import hsds, selectors


class Command(BaseCommand):
    help = "Export the places to take part as HSDS 3.0 JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: Any, path: Path, format: str, **options: Any) -> None:
        records = [hsds.service_record(o) for o in selectors.catalogue_for_export()]
        if format == "json":
            path.write_bytes(hsds.to_json(records))
        else:
            package = hsds.to_csv_zip(records)
            if path.suffix.lower() == ".zip":
                path.write_bytes(package)
            else:
                path.mkdir(parents=True, exist_ok=True)
                with zipfile.ZipFile(io.BytesIO(package)) as archive:
                    archive.extractall(path)
        self.stdout.write(self.style.SUCCESS(f"Exported {len(records)} places to {path}."))
