"""``kasane bench``: the pages users wait for, timed on the database it is pointed at.

Each page is requested in-process through Django's test client, signed in (``force_login``)
as the demo staff member who uses it: the caseworker of the busiest agency (it leads the most
open cases), the coordinator, the outreach worker with the most open targets, the
participation worker with the most matches. None is named in advance: they are looked up in
the data, so the bench measures any demo city. After one warm-up request, every page is
requested ``repeat`` times and the bench prints per page:

- p50 / p95 of the wall time of a request;
- the SQL statements a request sends, and the time spent inside them (median);
- the Python CPU time of a request (``time.process_time``: on PostgreSQL the database is
  another process, so this is Kasane's own work; on SQLite it includes the database's);
- the SQL floor: the page's rows fetched by one hand-written query (``bench_floors``),
  timed in the same run (p50), and the ratio page p50 / floor p50.

It reads; what it writes is what the pages write (their audit events) and the sessions of
its sign-ins. It refuses a database without the demo city.
"""

from __future__ import annotations

import dataclasses
import math
import os
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from kasane.accounts.models import Role, Staff
from kasane.audit.models import AuditEvent
from kasane.cases.models import Case, CaseEvent
from kasane.core.dates import current_fiscal_year
from kasane.core.process import settle
from kasane.demo import bench_actors
from kasane.demo import bench_floors as floors
from kasane.registry.models import Household, Person

# The annual report takes seconds on a large city: it is built at most this many times.
REPORT_REPEAT = 3


@dataclasses.dataclass
class Target:
    """Who requests a page and what it needs to find its rows."""

    actor: Staff
    fiscal_year: int
    case_id: int | None = None
    person_id: int | None = None
    sees_all_targets: bool = False


@dataclasses.dataclass
class Page:
    key: str
    label: str
    target: Target
    request: Callable[[Client], HttpResponseBase]
    floor: Callable[[Target], int]
    repeat: int | None = None  # at most this many runs


@dataclasses.dataclass
class Figures:
    p50: float  # seconds
    p95: float
    queries: int
    sql: float
    cpu: float
    floor: float
    floor_rows: int
    status: int

    @property
    def ratio(self) -> float:
        return self.p50 / self.floor if self.floor else math.inf


def percentile(samples: Iterable[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


class _SqlMeter:
    """Counts the statements sent through the connection and the time spent in them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(*args)
        finally:
            self.seconds += time.perf_counter() - started


def _get(url: str, **query: Any) -> Callable[[Client], HttpResponseBase]:
    return lambda client: client.get(url, query, secure=True)


def _search(term: str) -> Callable[[Client], HttpResponseBase]:
    url = reverse("registry:person_search")
    return lambda client: client.post(url, {"q": term}, secure=True)


def plan(fiscal_year: int | None = None) -> tuple[list[Page], list[str]]:
    """The pages to time, and lines saying who requests them."""
    bench_actors.require_demo_city()
    year = fiscal_year or current_fiscal_year()
    busy = bench_actors.busiest_caseworker()
    coordinator = bench_actors.first_active(Role.COORDINATOR)
    if coordinator is None:
        raise bench_actors.NoDemoCity("no active coordinator")
    workers = list(Staff.objects.filter(role=Role.CASEWORKER, is_active=True, agency__isnull=False))
    case_worker, case_id = bench_actors.longest_case(workers)
    outreach_worker, sees_all = bench_actors.outreach_worker(coordinator)
    match_worker, person_id = bench_actors.matching_person(busy)
    events = CaseEvent.objects.filter(case_id=case_id).count()
    mine = Target(busy, year)
    coord = Target(coordinator, year)
    case = Case.objects.only("public_id").get(pk=case_id)
    person = Person.objects.only("public_id").get(pk=person_id)
    pages = [
        *_search_pages(mine, bench_actors.search_terms(busy)),
        Page(
            "case",
            f"case page ({events} events)",
            Target(case_worker, year, case_id=case_id),
            _get(reverse("cases:case_detail", args=[case.public_id])),
            floors.case_page,
        ),
        Page("home", "home (busy agency)", mine, _get(reverse("core:home")), floors.home),
        Page("case-list", "case list", mine, _get(reverse("cases:case_list")), floors.case_list),
        Page(
            "households",
            "household list",
            mine,
            _get(reverse("registry:household_list")),
            floors.household_list,
        ),
        Page("board", "coordinator's board", coord, _get(reverse("cases:board")), floors.board),
        Page(
            "outreach",
            "outreach by-name list",
            Target(outreach_worker, year, sees_all_targets=sees_all),
            _get(reverse("outreach:target_list")),
            floors.outreach,
        ),
        Page(
            "matching",
            "matching (one person)",
            Target(match_worker, year, person_id=person_id),
            _get(reverse("matching:person", args=[person.public_id])),
            floors.matching,
        ),
        Page(
            "dashboard",
            "evaluation dashboard",
            coord,
            _get(reverse("evaluation:dashboard"), fy=year),
            floors.dashboard,
        ),
        Page(
            "annual-report",
            "annual report (xlsx)",
            coord,
            _get(reverse("evaluation:annual_report_xlsx"), fy=year),
            floors.annual_report,
            repeat=REPORT_REPEAT,
        ),
        Page(
            "export-csv",
            "household list CSV",
            mine,
            _get(reverse("registry:household_list_csv")),
            floors.household_export,
        ),
    ]
    who = [
        f"busiest agency's caseworker: {busy.username} ({busy.agency})",
        f"coordinator: {coordinator.username}; outreach list: {outreach_worker.username}; "
        f"matching: {match_worker.username}; case page: {case_worker.username}",
    ]
    return pages, who


def _floor_search(term: str) -> Callable[[Target], int]:
    return lambda target: floors.search(target, term)


def _search_pages(target: Target, terms: dict[str, str]) -> list[Page]:
    kinds = {"search-1": "1-char", "search-kanji": "2-kanji", "search-kana": "2-kana"}
    return [
        Page(
            key,
            f"search {kinds.get(key, 'full name')} 「{term}」",
            target,
            _search(term),
            _floor_search(term),
        )
        for key, term in terms.items()
    ]


def measure(page: Page, repeat: int) -> Figures:
    """One warm-up, then ``repeat`` timed requests and ``repeat`` timed floors."""
    client = Client()
    client.force_login(page.target.actor)
    runs = max(1, min(repeat, page.repeat or repeat))
    status = page.request(client).status_code  # warm-up
    walls, cpus, sqls, counts = [], [], [], []
    for _ in range(runs):
        meter = _SqlMeter()
        with connection.execute_wrapper(meter):
            started, started_cpu = time.perf_counter(), time.process_time()
            answer = page.request(client)
            if getattr(answer, "streaming", False):
                b"".join(answer.streaming_content)  # type: ignore[attr-defined]
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - started_cpu)
        status = answer.status_code if status == 200 else status
        sqls.append(meter.seconds)
        counts.append(meter.count)
    rows = page.floor(page.target)  # warm-up
    floor_times = []
    for _ in range(runs):
        started = time.perf_counter()
        page.floor(page.target)
        floor_times.append(time.perf_counter() - started)
    return Figures(
        p50=statistics.median(walls),
        p95=percentile(walls, 95),
        queries=round(statistics.median(counts)),
        sql=statistics.median(sqls),
        cpu=statistics.median(cpus),
        floor=statistics.median(floor_times),
        floor_rows=rows,
        status=status,
    )


HEADER = (
    f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} {'sql ms':>8} "
    f"{'cpu ms':>7} {'floor ms':>9} {'×floor':>7} {'rows':>6}"
)


def line(page: Page, figures: Figures) -> str:
    text = (
        f"{page.label:<34} {figures.p50 * 1000:8.1f} {figures.p95 * 1000:8.1f} "
        f"{figures.queries:7d} {figures.sql * 1000:8.1f} {figures.cpu * 1000:7.1f} "
        f"{figures.floor * 1000:9.2f} {figures.ratio:7.1f} {figures.floor_rows:6d}"
    )
    return text if figures.status == 200 else f"{text}  ANSWERED {figures.status}"


def city_line() -> str:
    return (
        f"city: {Household.objects.count():,} households, {Person.objects.count():,} persons, "
        f"{Case.objects.count():,} cases, {CaseEvent.objects.count():,} case events, "
        f"{AuditEvent.objects.count():,} audit events"
    )


STATISTICS_TABLES = [
    "registry_person",
    "registry_household",
    "registry_membership",
    "cases_case",
    "cases_caseevent",
    "cases_teammember",
    "cases_referral",
    "intake_consultation",
]


def planner_statistics(analyze: bool) -> str | None:
    """On PostgreSQL, ``ANALYZE`` the database when asked; else a warning when the main
    tables were never analysed (a freshly seeded city: the planner guesses, badly, until
    autovacuum comes by)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        if analyze:
            started = time.perf_counter()
            cursor.execute("ANALYZE")
            return f"ANALYZE of the whole database: {time.perf_counter() - started:.1f} s"
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname",
            [STATISTICS_TABLES],
        )
        never = [name for (name,) in cursor.fetchall()]
    if never:
        return (
            f"WARNING: never analysed: {', '.join(never)} — the planner has no statistics "
            "(run with --analyze, or ANALYZE, to measure the city as autovacuum would leave it)"
        )
    return None


def run(
    say: Callable[[str], object],
    *,
    repeat: int,
    only: list[str] | None = None,
    analyze: bool = False,
) -> bool:
    """Time the pages (all, or those keyed in ``only``); whether every page answered 200."""
    pages, who = plan()
    if only:
        unknown = set(only) - {p.key for p in pages}
        if unknown:
            raise ValueError(
                f"unknown page {', '.join(sorted(unknown))}; "
                f"pages: {', '.join(p.key for p in pages)}"
            )
        pages = [p for p in pages if p.key in only]
    settings = connection.settings_dict
    say(f"kasane bench on {connection.vendor} ({settings['NAME']}); {city_line()}")
    for text in who:
        say(text)
    statistics_note = planner_statistics(analyze)
    if statistics_note:
        say(statistics_note)
    grants = floors.write_grants([p.target.actor for p in pages])
    settle()  # as the WSGI entry point does for a server process
    say(
        "readable persons materialised for the floors: "
        + ", ".join(f"{s.username} {grants[s.pk]:,}" for s in _actors(pages))
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    say(
        f"{max(1, repeat)} runs per page after one warm-up (annual report ≤ {REPORT_REPEAT}); "
        f"{os.cpu_count()} CPUs, load average {load}"
    )
    say(HEADER)
    ok = True
    for page in pages:
        figures = measure(page, repeat)
        ok &= figures.status == 200
        say(line(page, figures))
    return ok


def _actors(pages: list[Page]) -> list[Staff]:
    return list({p.target.actor.pk: p.target.actor for p in pages}.values())
