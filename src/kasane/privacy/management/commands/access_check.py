"""``kasane access_check``: recompute every access grant from the records and compare.

Exits non-zero when a grant is missing (a basis the records give that the table lacks) or
extra (a grant no record justifies), printing each difference without personal data.
``--rebuild`` rewrites the table from the records (after a restore or an upgrade).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kasane.privacy import grants

SHOWN = 20


class Command(BaseCommand):
    help = "Recompute every access grant from the records and report any difference."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="rewrite the grants from the records"
        )

    def handle(self, *args: Any, rebuild: bool, **options: Any) -> None:
        if rebuild:
            count = grants.rebuild()
            self.stdout.write(self.style.SUCCESS(f"Access grants rebuilt: {count} rows."))
            return
        difference = grants.check()
        if not difference:
            self.stdout.write(self.style.SUCCESS("Access grants match the records."))
            return
        for label, rows in (("missing", difference.missing), ("extra", difference.extra)):
            for row in sorted(rows, key=str)[:SHOWN]:
                self.stdout.write(f"{label}: {grants.describe(row)}")
            if len(rows) > SHOWN:
                self.stdout.write(f"{label}: … and {len(rows) - SHOWN} more")
        raise CommandError(
            f"Access grants differ from the records: {len(difference.missing)} missing, "
            f"{len(difference.extra)} extra. Run `kasane access_check --rebuild` after "
            "finding the cause."
        )
