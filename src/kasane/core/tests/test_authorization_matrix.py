"""The authorization matrix (issue #7): every URL pattern of the resolver and every
operation of the OpenAPI schema, called as every persona, compared cell by cell with the
table in ``kasane.testing.matrix_expected``; and every response an unauthorised persona
gets is read for the names and case content it may not see.

The world is built once for the module (``kasane.testing.matrix.build_world``); each
request runs in a savepoint that is rolled back, so POSTs leave nothing behind (checked).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from kasane.testing import matrix as mx
from kasane.testing import matrix_expected as expected
from kasane.testing.matrix import World, build_world


@pytest.fixture(scope="module")
def _world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world: World, db: None) -> World:
    return _world


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@dataclass
class Run:
    """What the matrix saw: one outcome per (row, persona), and the leaks found."""

    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str | None] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)
    seen_by_readers: set[str] = field(default_factory=set)
    requests: int = 0

    def read(self, key: str, persona: str, response: Any) -> None:
        text = mx.response_text(response)
        for family in mx.leaked_names(persona, text):
            self.leaks.append(f"{key} as {persona} ({response.status_code}): {family}")
        for family, (tokens, readers) in mx.NAME_FAMILIES.items():
            if persona in readers and any(token in text for token in tokens):
                self.seen_by_readers.add(family)


def _run_site(world: World, run: Run, clients: dict[str, Client]) -> int:
    routes = mx.site_routes()
    for route in routes:
        path = mx.site_path(route, world)
        assert mx.resolves_to(path, route), f"{route.key}: {path} reaches another route"
        run.rules[route.key] = mx.match_rule(route.key, [p for p, _ in expected.SITE])
        for persona in mx.PERSONAS:
            response = mx.probe(clients[persona], "GET", path)
            run.requests += 1
            method = "GET"
            if response.status_code == 405:
                response = mx.probe(clients[persona], "POST", path)
                run.requests += 1
                method = "POST"
            run.methods[route.key] = method
            run.cells[route.key, persona] = mx.outcome_of(response)
            run.read(route.key, persona, response)
    return len(routes)


def _run_api(world: World, run: Run) -> int:
    schema = mx.session_client(None).get("/api/v1/openapi.json").json()
    clients = {p: mx.api_client(world.tokens.get(p)) for p in mx.PERSONAS}
    operations = list(mx.iter_operations(schema))
    for operation in operations:
        path = mx.api_path(operation, world)
        body = mx.api_body(operation, world)
        extra = (
            {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
        )
        run.rules[operation.key] = mx.match_rule(operation.key, [p for p, _ in expected.API])
        run.methods[operation.key] = operation.method
        for persona in mx.PERSONAS:
            response = mx.probe(clients[persona], operation.method, path, **extra)
            run.requests += 1
            run.cells[operation.key, persona] = mx.outcome_of(response)
            run.read(operation.key, persona, response)
    return len(operations)


def _expected(key: str, rule: str) -> dict[str, str]:
    is_api = key.split(" ", 1)[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    table = dict(expected.API if is_api else expected.SITE)
    return expected.parse(table[rule], mx.PERSONAS, anon_default="401" if is_api else "login")


def test_every_route_answers_every_persona_as_the_table_says(world: World) -> None:
    started = time.monotonic()
    clients = {p: mx.session_client(world.staff.get(p)) for p in mx.PERSONAS}
    before = _row_counts()  # after signing in: the sessions are the clients' own
    run = Run()
    n_routes = _run_site(world, run, clients)
    n_operations = _run_api(world, run)
    elapsed = time.monotonic() - started
    rows = n_routes + n_operations
    print(  # noqa: T201 — the issue asks the test to report the matrix's size
        f"\nauthorization matrix: ({n_routes} URL patterns + {n_operations} API operations)"
        f" × {len(mx.PERSONAS)} personas = {rows * len(mx.PERSONAS)} cells,"
        f" {run.requests} requests in {elapsed:.1f} s"
    )

    problems: list[str] = []
    unmatched = sorted(key for key, rule in run.rules.items() if rule is None)
    problems += [f"no rule in matrix_expected for {key}: add one" for key in unmatched]
    used = set(run.rules.values())
    problems += [
        f"rule {pattern!r} matches no route: remove it"
        for pattern, _ in expected.SITE + expected.API
        if pattern not in used
    ]
    unexpected_ok: list[str] = []
    for key, rule in run.rules.items():
        if rule is None:
            continue
        want = _expected(key, rule)
        for persona in mx.PERSONAS:
            got = run.cells[key, persona]
            if got != want[persona]:
                shown = key if " /" in key else f"{run.methods[key]} {key}"
                line = f"{shown} as {persona}: got {got}, table says {want[persona]}"
                (unexpected_ok if got == mx.OK else problems).append(line)
    problems = [f"UNEXPECTED OK: {line}" for line in unexpected_ok] + problems
    problems += [f"LEAK: {leak}" for leak in run.leaks]
    # The scan reads what it should: each family shows up for some persona allowed it.
    problems += [
        f"nobody allowed to read {family} was shown it: the leak scan reads nothing"
        for family in mx.NAME_FAMILIES
        if family not in run.seen_by_readers
    ]
    after = _row_counts()
    problems += [
        f"{label}: {before[label]} rows before the matrix, {after[label]} after"
        for label in before
        if before[label] != after[label]
    ]
    assert not problems, f"{len(problems)} unexpected cells or leaks:\n" + "\n".join(problems)
