"""Pages of a list whose cost does not grow with the list.

Django's ``Paginator`` counts every row to number the pages; on a city-sized list (an
agency's 4,000 open cases, 20,000 registered households) that count costs more than the page
itself. A ``Window`` fetches one row more than it shows to know whether a next page exists,
and ``bounded_count`` stops counting at ``COUNT_CAP``: the page says "1,000件以上".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

T = TypeVar("T", bound=Model)

# The largest count a list page states exactly; above it, "at least this many".
COUNT_CAP = 1000


@dataclass(frozen=True)
class Count:
    """A count that stops at ``COUNT_CAP``: ``more`` when there are more rows than ``n``."""

    n: int
    more: bool = False


def bounded_count(queryset: QuerySet[T], cap: int | None = None) -> Count:
    """``queryset``'s rows, counted up to ``cap`` (default ``COUNT_CAP``):
    ``SELECT count(*) FROM (… LIMIT cap + 1)``."""
    cap = COUNT_CAP if cap is None else cap
    n = queryset.order_by()[: cap + 1].count()
    return Count(cap, more=True) if n > cap else Count(n)


@dataclass
class Window(Generic[T]):
    """One page of a list, as the pager template reads it (``number``, ``has_previous``,
    ``has_next``); iterating it gives the rows."""

    object_list: list[T]
    number: int
    has_previous: bool
    has_next: bool
    size: int
    # Set by the lists that state their length (``bounded_count``).
    total: Count | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __bool__(self) -> bool:
        return bool(self.object_list)


def window(queryset: QuerySet[T], page: int, size: int, *, counted: bool = False) -> Window[T]:
    """Page ``page`` (from 1) of an ordered queryset: ``size`` rows and one to look ahead;
    with ``counted``, also the list's ``bounded_count``."""
    page = max(1, page)
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    total = bounded_count(queryset) if counted else None
    return Window(rows[:size], page, page > 1, len(rows) > size, size, total)
