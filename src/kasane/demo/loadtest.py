"""Load test (``kasane bench_load``): the real server under staff sessions of mixed work.

gunicorn serves Kasane under the production settings on a free loopback port. Staff sign in
through the login form, each session with its own cookies, and browse and write as staff do:
the case list, a case, the household list, a household, a person, a name search, and a
progress note on a case. Every request carries its own ``X-Request-ID`` (the middleware keeps
an upstream id and writes it on each audit event), so that afterwards the audit log is
checked request by request: every request that read personal data has its VIEW or SEARCH
event, no other request has one (a note written is no read), and every note written has its
CREATE event. Then
``audit_verify`` checks the hash chain that the concurrent writers extended.

The database is never the one in use unless asked: by default a fresh SQLite file in a
temporary directory, migrated and loaded with the demo city (``seed_demo``), removed after.
"""

from __future__ import annotations

import dataclasses
import http.client
import random
import re
import secrets
import sqlite3
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from kasane.demo.city import DEMO_PASSWORD
from kasane.demo.loadtest_server import Server, kasane, prepare_demo_database, server_env

# Demo staff whose work is with households and cases; 50 sessions share them, as colleagues
# of one agency share a role. Volunteers, analysts, auditors and admins see no person.
ACCOUNTS = [
    "houkatsu",
    "shogai",
    "kodomo",
    "konkyu",
    "csw",
    "coordinator",
    "outreach",
    "sanka",
]
# Kana fragments of common surnames, searched as staff type them.
SEARCHES = ["ヤマ", "サト", "タナカ", "スズキ", "たか", "ｲﾄｳ", "ワタ", "ナカ", "コバヤシ", "カト"]
# The mix of work, by weight.
ACTIONS = {
    "case_list": 12,
    "case_detail": 25,
    "household_list": 8,
    "household_detail": 12,
    "person_detail": 15,
    "search": 13,
    "note": 15,
}
_CASE = re.compile(r'href="/cases/([0-9a-f-]{36})/"')
_HOUSEHOLD = re.compile(r'href="/registry/households/([0-9a-f-]{36})/"')
_PERSON = re.compile(r'href="/registry/persons/([0-9a-f-]{36})/"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclasses.dataclass
class Reply:
    status: int
    body: str
    headers: http.client.HTTPMessage


class Browser:
    """One staff session: its cookies and CSRF token, over plain HTTP on loopback."""

    def __init__(self, port: int, run_id: str) -> None:
        self.port = port
        self.run_id = run_id
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.sent = 0

    def next_id(self, session: int) -> str:
        self.sent += 1
        return f"bench-{self.run_id}-{session}-{self.sent}"

    def request(
        self, method: str, path: str, request_id: str, form: dict[str, str] | None = None
    ) -> Reply:
        headers = {"X-Request-ID": request_id, "Accept-Language": "ja"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        token = _CSRF.search(text)
        if token:
            self.csrf = token.group(1)
        return Reply(response.status, text, response.headers)

    def sign_in(self, session: int, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/", self.next_id(session))
        reply = self.request(
            "POST",
            "/accounts/login/",
            self.next_id(session),
            {"csrfmiddlewaretoken": self.csrf, "username": username, "password": password},
        )
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in: {reply.status}")
        # The token rotates at sign-in: take the new one from a page that shows no person
        # (the home page lists the agency's work, and is audited as a read).
        self.request("GET", "/accounts/password/", self.next_id(session))
        if not self.csrf:
            raise RuntimeError(f"{username}: no CSRF token after signing in")


@dataclasses.dataclass
class Results:
    latencies: list[float] = dataclasses.field(default_factory=list)  # seconds
    kinds: Counter[str] = dataclasses.field(default_factory=Counter)
    errors: list[str] = dataclasses.field(default_factory=list)
    reads: set[str] = dataclasses.field(default_factory=set)  # request ids
    others: set[str] = dataclasses.field(default_factory=set)
    notes: set[str] = dataclasses.field(default_factory=set)
    elapsed: float = 0.0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000


class Worker:
    """One session's loop: pick a piece of work, do it, record how long it took."""

    def __init__(self, n: int, browser: Browser, results: Results, seed: int) -> None:
        self.n = n
        self.browser = browser
        self.results = results
        self.random = random.Random(seed * 1000 + n)
        self.cases: list[str] = []
        self.households: list[str] = []
        self.persons: list[str] = []

    def _remember(self, target: list[str], pattern: re.Pattern[str], text: str) -> bool:
        found = pattern.findall(text)
        for value in found:
            if value not in target:
                target.append(value)
        del target[:-200]
        return bool(found)

    def step(self) -> None:
        kinds, weights = zip(*ACTIONS.items(), strict=True)
        kind = self.random.choices(kinds, weights)[0]
        if kind in ("case_detail", "note") and not self.cases:
            kind = "case_list"
        if kind == "household_detail" and not self.households:
            kind = "household_list"
        if kind == "person_detail" and not self.persons:
            kind = "household_detail" if self.households else "household_list"
        request_id = self.browser.next_id(self.n)
        method, path, form, expected = "GET", "", None, 200
        if kind == "case_list":
            path = "/cases/"
        elif kind == "case_detail":
            path = f"/cases/{self.random.choice(self.cases)}/"
        elif kind == "household_list":
            path = "/registry/households/"
        elif kind == "household_detail":
            path = f"/registry/households/{self.random.choice(self.households)}/"
        elif kind == "person_detail":
            path = f"/registry/persons/{self.random.choice(self.persons)}/"
        elif kind == "search":
            method, path = "POST", "/registry/search/"
            form = {"csrfmiddlewaretoken": self.browser.csrf, "q": self.random.choice(SEARCHES)}
        else:
            method, path, expected = "POST", f"/cases/{self.random.choice(self.cases)}/notes/", 302
            path += "new/"
            form = {
                "csrfmiddlewaretoken": self.browser.csrf,
                "written_on": time.strftime("%Y-%m-%d"),
                "kind": "memo",
                "text": f"負荷試験の記録 {request_id}",
                "visibility": "team",
            }
        started = time.perf_counter()
        try:
            reply = self.browser.request(method, path, request_id, form)
        except OSError as error:
            with self.results.lock:
                self.results.latencies.append(time.perf_counter() - started)
                self.results.errors.append(f"{kind} {path}: {error!r}")
            return
        latency = time.perf_counter() - started
        reads = reply.status == expected and self._reads(kind, reply.body)
        with self.results.lock:
            self.results.latencies.append(latency)
            self.results.kinds[kind] += 1
            if reply.status != expected:
                self.results.errors.append(f"{kind} {method} {path}: {reply.status}")
            (self.results.reads if reads else self.results.others).add(request_id)
            if kind == "note" and reply.status == expected:
                self.results.notes.add(request_id)

    def _reads(self, kind: str, body: str) -> bool:
        """Whether the answer read personal data (and must have been audited)."""
        if kind == "case_list":
            return self._remember(self.cases, _CASE, body)  # audited when it has rows
        if kind == "household_list":
            return self._remember(self.households, _HOUSEHOLD, body)
        if kind == "household_detail":
            self._remember(self.persons, _PERSON, body)
        # A detail page, and a search (audited even when nothing matches). A note written is
        # its CREATE event alone: the check that let it be written records no view (one
        # action, one event; ``kasane.audit.services``).
        return kind != "note"


@dataclasses.dataclass
class AuditCheck:
    read_events: set[str]  # request ids with a VIEW or SEARCH event
    note_events: set[str]  # request ids with a CREATE event of a case note
    chain: str


def audit_check(database: dict[str, Any], env: dict[str, str], run_id: str) -> AuditCheck:
    """The audit events of this run's requests, read straight from the database."""
    from kasane.audit.models import AuditAction, AuditEvent

    table = AuditEvent._meta.db_table
    sql = (
        f"SELECT request_id, action, object_type FROM {table} "  # noqa: S608 - our table name
        "WHERE request_id LIKE %s"
    )
    pattern = f"bench-{run_id}-%"
    if "postgresql" in database["ENGINE"]:
        import psycopg

        with psycopg.connect(
            host=database.get("HOST") or "localhost",
            port=int(database.get("PORT") or 5432),
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            dbname=database["NAME"],
        ) as conn:
            rows = conn.execute(sql, (pattern,)).fetchall()
    else:
        conn3 = sqlite3.connect(str(database["NAME"]), timeout=30)
        try:
            rows = conn3.execute(sql.replace("%s", "?"), (pattern,)).fetchall()
        finally:
            conn3.close()
    reads = {r for r, action, _ in rows if action in (AuditAction.VIEW, AuditAction.SEARCH)}
    notes = {r for r, action, kind in rows if action == AuditAction.CREATE and kind == "case_note"}
    chain = kasane(env, "audit_verify", "--all").strip().splitlines()[-1]
    return AuditCheck(reads, notes, chain)


@dataclasses.dataclass
class Options:
    sessions: int = 50
    duration: float = 120.0
    max_requests: int = 100_000
    workers: int = 4
    seed: int = 1


def run_load(port: int, options: Options, say: Callable[[str], None]) -> tuple[Results, str]:
    """Sign the sessions in, then let them work until the time or the budget runs out."""
    run_id = secrets.token_hex(4)
    browsers = [Browser(port, run_id) for _ in range(options.sessions)]
    for n, browser in enumerate(browsers):
        browser.sign_in(n, ACCOUNTS[n % len(ACCOUNTS)], DEMO_PASSWORD)
    say(f"{options.sessions} sessions signed in; working for {options.duration:g} s")
    results = Results()
    budget = iter(range(options.max_requests))
    budget_lock = threading.Lock()
    start = threading.Barrier(options.sessions + 1)
    deadline = [0.0]

    def work(worker: Worker) -> None:
        start.wait()
        while time.monotonic() < deadline[0]:
            with budget_lock:
                if next(budget, None) is None:
                    return
            worker.step()

    threads = [
        threading.Thread(target=work, args=(Worker(n, b, results, options.seed),), daemon=True)
        for n, b in enumerate(browsers)
    ]
    for t in threads:
        t.start()
    began = time.monotonic()
    deadline[0] = began + options.duration
    start.wait()
    for t in threads:
        t.join(timeout=options.duration + 120)
    results.elapsed = time.monotonic() - began
    return results, run_id


@contextmanager
def temp_demo_database(households: int, say: Callable[[str], None]) -> Iterator[dict[str, Any]]:
    """A fresh SQLite database with the demo city, in a directory removed afterwards."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kasane-bench-") as tmp:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(Path(tmp) / "bench.db")}
        say(f"preparing a temporary SQLite database with the demo city ({households} households)")
        prepare_demo_database(server_env(database, Path(tmp)), households)
        yield database


def bench(
    database: dict[str, Any], data_dir: Path, options: Options, say: Callable[[str], None]
) -> tuple[Results, AuditCheck]:
    env = server_env(database, data_dir)
    server = Server(env, data_dir / "gunicorn.log", options.workers)
    try:
        say(f"gunicorn ({options.workers} workers) on 127.0.0.1:{server.port}")
        results, run_id = run_load(server.port, options, say)
    finally:
        server.stop()
    return results, audit_check(database, env, run_id)


def report(results: Results, audit: AuditCheck, vendor: str) -> tuple[list[str], bool]:
    """The lines to print, and whether the run passed."""
    missing = results.reads - audit.read_events
    unexpected = audit.read_events - results.reads
    unaudited_notes = results.notes - audit.note_events
    rate = results.requests / results.elapsed if results.elapsed else 0.0
    mix = ", ".join(f"{k} {v}" for k, v in sorted(results.kinds.items()))
    lines = [
        f"database: {vendor}",
        f"requests: {results.requests} in {results.elapsed:.1f} s = {rate:.1f} req/s ({mix})",
        f"latency: p50 {results.percentile(50):.1f} ms, p95 {results.percentile(95):.1f} ms, "
        f"p99 {results.percentile(99):.1f} ms, max {results.percentile(100):.1f} ms",
        f"errors: {len(results.errors)}",
        *[f"  {e}" for e in results.errors[:10]],
        f"audit: {len(results.reads)} requests read personal data, "
        f"{len(audit.read_events)} audited reads ({len(missing)} missing, "
        f"{len(unexpected)} unexpected); {len(results.notes)} notes written, "
        f"{len(audit.note_events & results.notes)} audited",
        f"audit chain: {audit.chain}",
    ]
    ok = (
        not results.errors
        and results.requests > 0
        and not missing
        and not unexpected
        and not unaudited_notes
    )
    return lines, ok
