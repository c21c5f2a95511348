"""``kasane bench_reports``: how long the evaluation dashboard and the annual report take.

Issue #6 sets the targets, on a demo city of 100,000 households
(``kasane seed_demo --households 100000``) and SQLite on this machine: the whole dashboard for
one 年度 under 1 second, the annual report under 10 seconds. The command reads the database
it is pointed at (it writes only the sessions of its two sign-ins), renders the dashboard
through the real view as a coordinator and as an analyst, builds the annual report, and
prints the figures with the size of the city it measured.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from kasane.accounts.models import Role, Staff
from kasane.cases.models import Case, Referral
from kasane.core.dates import current_fiscal_year
from kasane.intake.models import Consultation
from kasane.registry.models import Household, Person

DASHBOARD_TARGET = 1.0
REPORT_TARGET = 10.0


def _times(run: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run. SQLite works inside the process, so on a
    machine others share the CPU time tells what the page costs when the wall clock
    waits for a core."""
    samples, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return samples, cpu


def _line(samples: list[float], cpu: list[float]) -> str:
    ordered = sorted(samples)
    return (
        f"first {samples[0] * 1000:.0f} ms, median {statistics.median(ordered) * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms over {len(samples)} runs "
        f"(CPU median {statistics.median(cpu) * 1000:.0f} ms)"
    )


class Command(BaseCommand):
    help = "Time the evaluation dashboard and the annual report on the current database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fiscal-year", type=int, default=None)
        parser.add_argument("--repeat", type=int, default=5)

    def _staff(self, role: str) -> Staff:
        staff = Staff.objects.filter(role=role, is_active=True).order_by("pk").first()
        if staff is None:
            raise CommandError(f"No active staff member with the role {role}: load the demo.")
        return staff

    def handle(self, *args: Any, fiscal_year: int | None, repeat: int, **options: Any) -> None:
        # The test client's requests come from the host "testserver", and its sign-ins have
        # no second factor: the gate is left out of what is timed.
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], KASANE_2FA=False
        ):
            self._bench(fiscal_year, repeat)

    def _bench(self, fiscal_year: int | None, repeat: int) -> None:
        year = fiscal_year or current_fiscal_year()
        repeat = max(1, repeat)
        out = self.stdout
        out.write(
            f"Database: {connection.vendor}; 年度 {year}. City: "
            f"{Household.objects.count():,} households, {Person.objects.count():,} persons; "
            f"this 年度's records are counted by the dashboard from "
            f"{Consultation.objects.count():,} consultations, {Case.objects.count():,} cases, "
            f"{Referral.objects.count():,} referrals."
        )
        failed = False
        url = reverse("evaluation:dashboard")
        for role in (Role.COORDINATOR, Role.ANALYST):
            client = Client()
            client.force_login(self._staff(role))

            def render(client: Client = client) -> None:
                answer = client.get(url, {"fy": year})
                if answer.status_code != 200:
                    raise CommandError(f"dashboard answered {answer.status_code}")

            queries = _count_queries(render)
            samples, cpu = _times(render, repeat)
            verdict = "OK" if statistics.median(samples) < DASHBOARD_TARGET else "TOO SLOW"
            failed |= verdict != "OK"
            out.write(
                f"Dashboard as {role} ({queries} queries): {_line(samples, cpu)} — "
                f"target < {DASHBOARD_TARGET:.0f} s: {verdict}"
            )
        report_url = _report_url()
        if report_url is None:
            raise CommandError("The annual report is not installed.")
        client = Client()
        client.force_login(self._staff(Role.COORDINATOR))
        size = 0

        def build() -> None:
            nonlocal size
            answer = client.get(report_url, {"fy": year})
            if answer.status_code != 200:
                raise CommandError(f"annual report answered {answer.status_code}")
            size = len(answer.content)

        samples, cpu = _times(build, max(1, min(repeat, 3)))
        verdict = "OK" if statistics.median(samples) < REPORT_TARGET else "TOO SLOW"
        failed |= verdict != "OK"
        out.write(
            f"Annual report workbook ({size:,} bytes): {_line(samples, cpu)} — "
            f"target < {REPORT_TARGET:.0f} s: {verdict}"
        )
        if failed:
            raise CommandError("A target was missed.")


def _count_queries(run: Callable[[], Any]) -> int:
    """The queries ``run`` sends (counted at the cursor: the request cycle empties
    ``connection.queries``)."""
    count = 0

    def counter(execute: Callable[..., Any], *args: Any) -> Any:
        nonlocal count
        count += 1
        return execute(*args)

    with connection.execute_wrapper(counter):
        run()
    return count


def _report_url() -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse("evaluation:annual_report_xlsx")
    except NoReverseMatch:
        return None
