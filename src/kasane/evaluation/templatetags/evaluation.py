"""Filters of the evaluation pages: numbers as a reader expects them."""

from __future__ import annotations

from decimal import Decimal

from django import template

from kasane.evaluation.labels import label

register = template.Library()

HIDDEN = "—"


@register.filter
def figure(value: Decimal | int | float | str | None) -> str:
    """12345 → "12,345"; 0.2500 → "0.25"; None, "" or anything not a finite number → "—"
    (no value, or hidden). A template passes "" for a missing attribute (a hand-entered
    indicator without a value this 年度): that must never become an error page."""
    if value is None or isinstance(value, bool):
        return HIDDEN
    try:
        number = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return HIDDEN
    if not number.is_finite():
        return HIDDEN
    if number == number.to_integral_value():
        return f"{int(number):,}"
    text = f"{number.normalize():,f}"
    return text


@register.simple_tag
def key_label(labels: dict[str, str], code: str, key: str) -> str:
    """The word for a breakdown key of computation ``code`` (evaluation.labels.label)."""
    return label(labels, code or "", key)
