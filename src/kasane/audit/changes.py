"""Before and after of a change to master data, as the audit log keeps it.

Master data (areas, the need taxonomy, agencies, indicators and their targets) holds no
personal data, so an investigator gets the values themselves: ``{"field": [before, after]}``
for the fields that changed, as text ("" for none), the shape the staffing assumptions'
events already use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Model

# Never copied into the log, whatever model they appear on.
WITHHELD = ("password",)
MAX_VALUE_LENGTH = 200


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, Model):
        return str(getattr(value, "code", None) or value.pk)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(sorted(as_text(v) for v in value))
    return str(value)[:MAX_VALUE_LENGTH]


def changed(
    before: Mapping[str, object], after: Mapping[str, object], fields: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """The fields whose text differs, each as ``[before, after]``."""
    names = list(fields) if fields is not None else sorted(set(before) | set(after))
    result: dict[str, list[str]] = {}
    for name in names:
        if any(word in name for word in WITHHELD):
            continue
        old, new = as_text(before.get(name)), as_text(after.get(name))
        if old != new:
            result[name] = [old, new]
    return result


def snapshot(obj: Model | None, fields: Iterable[str]) -> dict[str, object]:
    """The values of ``fields`` on ``obj`` (nothing for a new object)."""
    if obj is None or obj.pk is None:
        return {}
    return {name: getattr(obj, name) for name in fields}


def _plain(value: object) -> object:
    """A form's value as the form's initial data holds it (a related object by its key)."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "model"):
        return [_plain(v) for v in value]  # type: ignore[attr-defined]
    return value


def form_changes(form: Any) -> dict[str, list[str]]:
    """The fields a (model) form changed, each as ``[before, after]``; on a new object the
    "before" is empty."""
    names = list(form.changed_data)
    before = {name: _plain(form.initial.get(name)) for name in names}
    after = {name: _plain(form.cleaned_data.get(name)) for name in names}
    return changed(before, after, names)
