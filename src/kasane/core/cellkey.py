"""Cell-key perturbation (セルキー法) of published counts: the method of the Australian Bureau of
Statistics' TableBuilder and of the ONS for the 2021 Census.

Hiding small counts view by view (``core.suppression``) cannot hold when views overlap: a
圏域 minus its 中学校区, a year minus its months, or two days around one new consultation
give a hidden count back by subtraction. Here every count an analyst sees is published as
``true count + perturbation``, and the perturbation is a function of *which records* are in
the cell, not of the view that asked:

* Every counted record has a fixed random **record key**: a keyed hash of its model and
  primary key (``record_key``) whose parameters come from a server secret (HMAC-SHA256 of
  ``SECRET_KEY`` — or ``CELL_KEY_SECRET`` when set — with a fixed label). No column, no
  migration: the database computes it in the aggregate query (``key_sum``), Python the
  same number where a computation counts in Python (``Tally``).
* A cell's **cell key** is the sum of its records' keys modulo ``N``. The same records give
  the same key in every view (page, workbook, CSV, API) and every time, so a repeated or an
  overlapping query adds nothing; one record more or less gives an unrelated key.
* The published value is looked up in a fixed **perturbation table** by (true count, cell
  key) (``perturb``): zero stays zero; 1–4 are published as 0 or 5 — never 1–4 — with the
  chance of 5 equal to ``count / 5``, so the published value is the true count on average;
  5 stays 5; 6 becomes 5, 6 or 7; 7 or more moves by at most ±2, symmetrically. Totals are
  cells of their own, perturbed from their records, never the sum of perturbed cells.

What an analyst can do with the differences of published counts: each is off by a few in
an unknown direction, and a published 0 or 5 stands for several true counts, so no
difference says with certainty that a count is 1–4, nor which (``preimage`` gives, for a
published value, every true count it can come from).

Pure functions on integers, plus one aggregate expression; no app is imported.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import BigIntegerField, F, Func, Q, Sum

THRESHOLD = 5
# Cell keys run over 0..N-1. 240 is divisible by 5 (the chance of 1–4 becoming 5 is a
# multiple of 1/5), by 4 and by 10, so every row of the table is exactly unbiased.
N = 240
# The largest change of a count of 5 or more; counts of 1–4 move to 0 or THRESHOLD.
BOUND = 2
# A measurement (a median, a mean) is shown to an analyst only when every published count
# of its indicator is 0 or at least this: it describes enough people not to describe one.
RELIABLE = 10
# Arithmetic of the record key stays below 2**62, so neither SQLite (which turns an
# overflowing product into a float) nor PostgreSQL (which raises) ever overflows.
_P = 2**31 - 1
_LABEL = b"kasane.cellkey.v1"
_ONE = 1 << 32


# --- the perturbation table -----------------------------------------------------------------


def _row(count: int) -> list[int]:
    """The published values of ``count`` for the cell keys 0..N-1, in key order."""
    if count <= 0:
        return [0] * N
    if count < THRESHOLD:
        fives = N * count // THRESHOLD  # exact: N is a multiple of THRESHOLD
        return [THRESHOLD] * fives + [0] * (N - fives)
    if count == THRESHOLD:
        return [THRESHOLD] * N
    if count == THRESHOLD + 1:
        quarter = N // 4
        return [count - 1] * quarter + [count] * (N - 2 * quarter) + [count + 1] * quarter
    # 1 : 2 : 4 : 2 : 1 over count-2 .. count+2.
    tenth = N // 10
    weights = [(count - 2, tenth), (count - 1, 2 * tenth), (count, 4 * tenth)]
    weights += [(count + 1, 2 * tenth), (count + 2, tenth)]
    return [value for value, times in weights for _ in range(times)]


@functools.lru_cache(maxsize=64)
def _row_cached(count: int) -> tuple[int, ...]:
    return tuple(_row(count))


def perturb(count: int, cell_key: int) -> int:
    """The published value of a cell of ``count`` records whose cell key is ``cell_key``."""
    if count <= 0:
        return 0
    # Rows of counts above 7 are the same shape shifted: look up one of them.
    if count > THRESHOLD + BOUND:
        return count + _row_cached(THRESHOLD + BOUND)[cell_key % N] - (THRESHOLD + BOUND)
    return _row_cached(count)[cell_key % N]


def preimage(published: int, *, up_to: int = 1000) -> list[int]:
    """Every true count (up to ``up_to``) that the table can publish as ``published``: what
    an analyst who knows the table, but not the keys, can tell from one published value."""
    low = max(0, published - BOUND - THRESHOLD)
    return [c for c in range(low, min(up_to, published + THRESHOLD) + 1) if published in _row(c)]


# --- record keys ----------------------------------------------------------------------------


def _secret() -> bytes:
    return _derive(str(getattr(settings, "CELL_KEY_SECRET", "") or settings.SECRET_KEY))


@functools.lru_cache(maxsize=4)
def _derive(base: str) -> bytes:
    return hmac.new(base.encode(), _LABEL, hashlib.sha256).digest()


@functools.lru_cache(maxsize=128)
def _parameters(secret: bytes, label: str) -> tuple[int, ...]:
    """Six numbers below 2**31 for ``label`` (a model's label): three multipliers (never 0),
    two offsets, and two masks."""
    digest = hmac.new(secret, label.encode(), hashlib.sha256).digest()
    words = [int.from_bytes(digest[i : i + 4], "big") & 0x7FFFFFFF for i in range(0, 32, 4)]
    a1, a2, a3 = (w % (_P - 1) + 1 for w in words[:3])
    return (a1, a2, a3, words[3] % _P, words[4] % _P, words[5], words[6])


def parameters(label: str) -> tuple[int, ...]:
    return _parameters(_secret(), label)


def record_key(label: str, pk: int) -> int:
    """The raw key (0 ≤ key < 2**31) of the record ``pk`` of the model ``label``; its key in
    the table is this modulo ``N``. Three affine steps modulo a prime with two XORs between
    them, keyed by the secret: the same arithmetic as ``key_expression``."""
    a1, a2, a3, b1, b2, m1, m2 = parameters(label)
    x = (pk * a1 + b1) % _P
    x = ((x ^ m1) * a2 + b2) % _P
    return ((x ^ m2) * a3) % _P  # as RecordKey.as_sql


class RecordKey(Func):
    """``record_key(label, <expression>)`` computed by the database, for each row. One SQL
    fragment with the parameters written in as integers: an expression tree of the same
    arithmetic costs Django more to compile than SQLite to run."""

    arity = 1
    output_field = BigIntegerField()

    def __init__(self, expression: Any, label: str, packed: bool = False) -> None:
        super().__init__(expression)
        self.label = label
        self.packed = packed

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.get_source_expressions()[0])
        a1, a2, a3, b1, b2, m1, m2 = (int(n) for n in parameters(self.label))
        # XOR as (x | m) - (x & m): both databases have these operators, not one XOR.
        # "%%" is the modulo operator escaped as Django's own MOD writes it (the driver's
        # parameter style turns it back into "%").
        x = f"((({column}) * {a1} + {b1}) %% {_P})"
        x = f"(((({x} | {m1}) - ({x} & {m1})) * {a2} + {b2}) %% {_P})"
        x = f"(((({x} | {m2}) - ({x} & {m2})) * {a3}) %% {_P})"
        occurrences = x.count(f"({column})")
        if self.packed:
            x = f"({x} %% {N} + {_ONE})"
        return x, list(params) * occurrences


def key_expression(field_name: str, label: str) -> RecordKey:
    """``record_key(label, <field>)`` computed by the database, for each row."""
    return RecordKey(F(field_name), label)


def key_sum(
    label: str, field_name: str = "pk", *, filter: Q | None = None, distinct: bool = False
) -> Sum:
    """The sum of the raw keys of the records counted beside it (``Count(field_name, ...)``
    with the same ``filter`` and ``distinct``); ``cell_key`` of it is the cell's key. A
    distinct sum adds distinct raw keys: two records of a cell sharing one of 2**31 keys
    would be taken once — the cell's key then differs from Python's, the same in every view."""
    return Sum(
        key_expression(field_name, label),
        filter=filter,
        distinct=distinct,
        output_field=BigIntegerField(),
    )


def counted(label: str, field_name: str = "pk", *, filter: Q | None = None) -> Sum:
    """The count of the records and their key sum in one aggregate (``unpack`` it): each
    row adds 2**32 plus its key modulo N, so the high bits count the rows and the low ones
    sum the keys — one filter for both, where ``Count`` beside ``key_sum`` resolves it
    twice. Exact below 2**24 records a cell."""
    return Sum(
        RecordKey(F(field_name), label, packed=True),
        filter=filter,
        output_field=BigIntegerField(),
    )


def unpack(value: int | None) -> tuple[int, int]:
    """(count, raw key sum) of a ``counted`` aggregate."""
    total = int(value or 0)
    return total >> 32, total & (_ONE - 1)


def cell_key(raw_sum: int | None) -> int:
    return int(raw_sum or 0) % N


def combined(*raw_sums: int | None) -> int:
    """The raw key of the union of disjoint cells: the sum of theirs."""
    return sum(int(k or 0) for k in raw_sums)


@dataclass
class Tally:
    """Cells counted in Python: ``add(cell, pk)`` once per record and cell; each cell's
    count and raw key sum, distinct records only."""

    label: str
    seen: defaultdict[Hashable, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, cell: Hashable, pk: int) -> None:
        self.seen[cell].add(pk)

    def add_all(self, cell: Hashable, pks: Iterable[int]) -> None:
        self.seen[cell].update(pks)

    def count(self, cell: Hashable) -> int:
        return len(self.seen.get(cell, ()))

    def key(self, cell: Hashable) -> int:
        return sum(record_key(self.label, pk) for pk in self.seen.get(cell, ()))


def publish(count: int, raw_key: int | None) -> int:
    """The published value of a cell of ``count`` records with the raw key sum ``raw_key``."""
    return perturb(count, cell_key(raw_key))
