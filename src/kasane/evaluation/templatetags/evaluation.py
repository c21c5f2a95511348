"""Filters of the evaluation pages: numbers as a reader expects them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()

HIDDEN = "—"


@register.filter
def figure(value: Decimal | int | None) -> str:
    """12345 → "12,345"; 0.2500 → "0.25"; None → "—" (no value, or hidden)."""
    if value is None:
        return HIDDEN
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    text = f"{number.normalize():,f}"
    return text


@register.filter
def lookup(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key)
