"""``kasane bench`` times every page on a small demo city, and refuses a database without one."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

PAGES = [
    "search 1-char",
    "search 2-kanji",
    "search 2-kana",
    "search full name",
    "case page",
    "home (busy agency)",
    "case list",
    "household list",
    "coordinator's board",
    "outreach by-name list",
    "matching (one person)",
    "evaluation dashboard",
    "annual report (xlsx)",
    "household list CSV",
]
# p50, p95, queries, sql ms, cpu ms, floor ms, ratio, floor rows
FIGURES = re.compile(
    r"\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+)\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+\.\d\d)\s+(\d+\.\d)\s+(\d+)$"
)


def bench(**options: object) -> str:
    out = io.StringIO()
    call_command("bench", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_bench_prints_every_page_with_figures() -> None:
    call_command("seed_demo", households=30, stdout=io.StringIO())
    output = bench(repeat=1)
    lines = output.splitlines()
    assert lines[0].startswith(f"kasane bench on {connection.vendor}")
    for label in PAGES:
        line = next((x for x in lines if x.startswith(label)), None)
        assert line is not None, f"no line for {label}:\n{output}"
        figures = FIGURES.search(line)
        assert figures is not None, line
        assert int(figures[3]) > 0, line  # the page sent SQL
        assert "ANSWERED" not in line
    # --only keeps the pages asked for.
    only = bench(repeat=1, only=["board,case-list"])
    assert "coordinator's board" in only and "case list" in only
    assert "household list" not in only
    with pytest.raises(CommandError, match="unknown page"):
        bench(repeat=1, only=["nope"])


@pytest.mark.django_db
def test_bench_refuses_a_database_without_the_demo_city() -> None:
    with pytest.raises(CommandError, match="holds no demo city"):
        bench(repeat=1)
