"""公表の締め日: the figures published to analysts stop at the start of the current month.

The cell-key method (``kasane.core.cellkey``) keeps every cell's value the same however often
and in whatever combination it is asked for, but a cell that changes from one day to the
next still says that it holds the records added in between: two snapshots around one new
consultation told an analyst its channel, its need and its school district. Statistics
offices publish from fixed snapshots for this reason. Here an analyst's figures count the
records up to 00:00 (Japan time) of the first day of the current month: within a month they
do not change at all, and from one month to the next they change by a month's records at
once. Coordinators, who may read identified data, see the figures up to now.

A view of figures runs inside ``published_until(cutoff(...))`` (the decorator
``published_figures``); every period a computation counts over is then cut by ``clamp``.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils import timezone

_UNTIL: ContextVar[datetime.datetime | None] = ContextVar("kasane_published_until", default=None)

V = TypeVar("V", bound=Callable[..., Any])


def cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """00:00 Japan time of the first day of the month of ``now`` (default: now)."""
    local = timezone.localtime(now or timezone.now())
    first = local.date().replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))


def until() -> datetime.datetime | None:
    """The instant the figures being computed stop at, or None: up to now."""
    return _UNTIL.get()


@contextmanager
def published_until(instant: datetime.datetime | None) -> Iterator[None]:
    token = _UNTIL.set(instant)
    try:
        yield
    finally:
        _UNTIL.reset(token)


def clamp(
    start: datetime.datetime, end: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) cut at the publication cut-off in force (an empty span after it)."""
    instant = _UNTIL.get()
    if instant is None or end <= instant:
        return start, end
    return start, max(start, instant)


def published_figures(exact: Callable[[Any], bool]) -> Callable[[V], V]:
    """A view of figures: for a user ``exact`` does not allow, the figures stop at the
    cut-off of this month."""

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            instant = None if exact(request.user) else cutoff()
            with published_until(instant):
                return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
