"""``kasane bench``: p50 / p95, SQL queries, CPU and the SQL floor of the pages users wait
for, on the database it is pointed at (see ``kasane.demo.bench``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from kasane.demo import bench
from kasane.demo.bench_actors import NoDemoCity


class Command(BaseCommand):
    help = (
        "Time the pages users wait for (search, case, home, lists, board, outreach, matching, "
        "dashboard, annual report, CSV export) on the current database, next to their SQL "
        "floor. Needs the demo city (kasane seed_demo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repeat", type=int, default=10, help="timed runs per page, after one warm-up"
        )
        parser.add_argument(
            "--analyze",
            action="store_true",
            help="on PostgreSQL, ANALYZE the database first (a freshly seeded city has no "
            "planner statistics until autovacuum comes by)",
        )
        parser.add_argument(
            "--only",
            action="append",
            metavar="PAGE",
            help="time only this page (repeatable; comma-separated keys allowed): "
            "search-1, search-kanji, search-kana, search-name, case, home, case-list, "
            "households, board, outreach, matching, dashboard, annual-report, export-csv",
        )

    def handle(
        self, *args: Any, repeat: int, only: list[str] | None, analyze: bool, **options: Any
    ) -> None:
        keys = [k.strip() for item in only or [] for k in item.split(",") if k.strip()]
        # The test client's requests come from the host "testserver", and its sign-ins have
        # no second factor: the gate is left out of what is timed (as in bench_reports).
        # Static URLs are not hashed (as bench_load): no collectstatic manifest is needed.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            KASANE_2FA=False,
            STORAGES=storages,
        ):
            try:
                ok = bench.run(self.stdout.write, repeat=repeat, only=keys or None, analyze=analyze)
            except NoDemoCity as error:
                raise CommandError(
                    f"kasane bench measures the demo city, and {error}: "
                    "load it first with `kasane migrate && kasane seed_demo`."
                ) from error
            except ValueError as error:
                raise CommandError(str(error)) from error
        if not ok:
            raise CommandError("A page did not answer 200.")
