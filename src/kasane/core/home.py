"""The start page's panels. Each app with something for the signed-in user's start page (the
case inbox, plans due, outreach, notifications) registers a panel here from its
``AppConfig.ready``, so the page lives in core while core knows no app.

A panel takes the request and returns the template variables it fills (``core/home.html``
names them); panels run in ``order``, as the page reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.http import HttpRequest

Panel = Callable[[HttpRequest], Mapping[str, object]]


@dataclass(frozen=True)
class _Registered:
    order: int
    name: str
    panel: Panel


_panels: dict[str, _Registered] = {}


def register_panel(name: str, panel: Panel, *, order: int) -> None:
    """Add (or, under the same name, replace) a start-page panel."""
    _panels[name] = _Registered(order, name, panel)


def panels_context(request: HttpRequest) -> dict[str, object]:
    """The template variables of every registered panel, for this request."""
    context: dict[str, object] = {}
    for entry in sorted(_panels.values(), key=lambda e: (e.order, e.name)):
        context.update(entry.panel(request))
    return context
