"""``kasane bench_load``: staff sessions against the real server; throughput, latency, audit.

By default the command builds its own database (a temporary SQLite file with the demo city,
removed afterwards), so it never touches real data. ``--database current`` runs against the
database the settings name instead, which must already hold the demo city (its staff sign in
with the demo password); the load writes progress notes into it.
"""

from __future__ import annotations

import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kasane.demo import loadtest


class Command(BaseCommand):
    help = (
        "Run concurrent staff sessions of mixed reads and writes against gunicorn on "
        "loopback; print throughput, p50/p95/p99 latency, errors and the audit check. "
        "Exits non-zero on any error or any read without its audit event."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--sessions", type=int, default=50)
        parser.add_argument("--duration", type=float, default=120.0, help="seconds")
        parser.add_argument(
            "--max-requests", type=int, default=100_000, help="stop after this many requests"
        )
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
        parser.add_argument("--seed", type=int, default=1, help="of each session's work mix")
        parser.add_argument(
            "--database",
            choices=["temp", "current"],
            default="temp",
            help="temp: a fresh SQLite database with the demo city (default); current: the "
            "database of the settings, already loaded with the demo city",
        )
        parser.add_argument(
            "--households", type=int, default=400, help="of the temporary demo city"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        settings = loadtest.Options(
            sessions=options["sessions"],
            duration=options["duration"],
            max_requests=options["max_requests"],
            workers=options["workers"],
            seed=options["seed"],
        )
        if settings.sessions < 1 or settings.duration <= 0 or settings.max_requests < 1:
            raise CommandError("--sessions, --duration and --max-requests must be positive")

        def say(text: str) -> None:
            self.stdout.write(text)
            self.stdout.flush()

        with tempfile.TemporaryDirectory(prefix="kasane-bench-run-") as tmp:
            if options["database"] == "current":
                from kasane.accounts.models import Staff

                if not Staff.objects.filter(username__in=loadtest.ACCOUNTS).exists():
                    raise CommandError("This database has no demo staff: load seed_demo first.")
                database = dict(connection.settings_dict)
                vendor = f"{connection.vendor} (current database {database['NAME']})"
                connection.close()  # the server owns the database while it runs
                results, audit = loadtest.bench(database, Path(tmp), settings, say)
            else:
                with loadtest.temp_demo_database(options["households"], say) as database:
                    vendor = f"sqlite (temporary, demo city of {options['households']} households)"
                    results, audit = loadtest.bench(database, Path(tmp), settings, say)
        lines, ok = loadtest.report(results, audit, vendor)
        for line in lines:
            say(line)
        if not ok:
            raise CommandError("bench_load failed: errors, or reads without their audit event")
        self.stdout.write(self.style.SUCCESS("bench_load passed"))
