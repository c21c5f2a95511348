"""No lost updates: optimistic locking by ``row_version``.

A record that staff edit in a form carries ``row_version``, a count of the saves of its row
(not to be confused with ``SupportPlan.version``, the plan's 版). The edit form carries the
count it was opened with as a hidden field; the update service saves with one conditional
``UPDATE … SET …, row_version = row_version + 1 WHERE pk = %s AND row_version = %s``. When
no row matches, somebody else saved in between: the service raises ``EditConflict`` and the
transaction rolls back. The database decides — two transactions racing with the same count
cannot both match, on SQLite (one writer at a time) or PostgreSQL (the second UPDATE waits
for the first's row lock and then re-checks its WHERE against the committed row).

The form also carries a signed snapshot of the values it showed, so that a refused save can
name the fields somebody else changed since it was opened (their current values beside the
editor's). The snapshot holds only what the page already showed its reader, and it never
reaches a log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kasane.core.error_codes import ErrorCode

_SALT = "kasane.row_version.loaded"

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this record while you were editing it. Your changes were not saved."
)


class EditConflict(Exception):
    """The row's ``row_version`` is no longer the one the editor opened: nothing was saved."""

    code = ErrorCode.EDIT_CONFLICT

    def __init__(self, *, object_type: str, current_row_version: int | None) -> None:
        super().__init__(str(CONFLICT_MESSAGE))
        self.object_type = object_type
        self.current_row_version = current_row_version


def compare_and_set(
    model: type[models.Model],
    *,
    pk: Any,
    expected: int | None,
    values: Mapping[str, Any],
    object_type: str,
) -> int:
    """Write ``values`` to the row and add one to its ``row_version`` — only if the row is
    still at ``expected``; returns the new ``row_version``.

    ``expected=None`` (a caller that did not open the record in a form, e.g. a service
    building a new plan version) writes unconditionally but still counts the save, so that
    every editor holding the old count is refused afterwards.
    """
    manager = model._default_manager
    rows = manager.filter(pk=pk)
    if expected is not None:
        rows = rows.filter(row_version=expected)
    changes = dict(values)
    if any(f.name == "updated_at" for f in model._meta.get_fields()):
        changes.setdefault("updated_at", timezone.now())
    if rows.update(**changes, row_version=F("row_version") + 1) == 0:
        current = manager.filter(pk=pk).values_list("row_version", flat=True).first()
        raise EditConflict(object_type=object_type, current_row_version=current)
    new: int = manager.filter(pk=pk).values_list("row_version", flat=True).get()
    return new


# --- forms ---------------------------------------------------------------------------------


def _norm(value: Any) -> Any:
    """A JSON-able form of a field's value, equal for equal values whatever their type."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(second=0, microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return sorted(str(_norm(v)) for v in value)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    """One field of a refused save: its label, the value saved now and the editor's."""

    name: str
    label: str
    current: str
    yours: str


class RowVersionForm(forms.Form):
    """An edit form of a versioned record: ``row_version`` as opened, and the snapshot of the
    values shown (``loaded``). Give ``record`` (the instance) when the form is built to show
    it; the edited fields are the form's other fields, named as the model's."""

    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, record: models.Model | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if record is not None and not self.is_bound:
            self.initial.update(self.record_initial(record))
            self.initial["row_version"] = record.row_version  # type: ignore[attr-defined]
            self.initial["loaded"] = self.sign(self.initial)

    def edited_fields(self) -> list[str]:
        return [n for n in self.fields if n not in ("row_version", "loaded")]

    def record_initial(self, record: models.Model) -> dict[str, Any]:
        """The form's initial values from the record (override for fields that differ)."""
        return {name: getattr(record, name) for name in self.edited_fields()}

    def sign(self, values: Mapping[str, Any]) -> str:
        return signing.dumps(
            {name: _norm(values.get(name)) for name in self.edited_fields()},
            salt=_SALT,
            compress=True,
        )

    def loaded_values(self) -> dict[str, Any] | None:
        raw = self.cleaned_data.get("loaded") or ""
        try:
            loaded = signing.loads(raw, salt=_SALT)
        except signing.BadSignature:
            return None
        return loaded if isinstance(loaded, dict) else None

    def _display(self, name: str, value: Any) -> str:
        field = self.fields[name]
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(field, forms.BooleanField):
            return str(_("yes") if value else _("no"))
        choices = getattr(field, "choices", None)
        if choices is not None and not isinstance(field, forms.ModelChoiceField):
            labels = {str(k): str(v) for k, v in choices}
            if isinstance(value, list | tuple):
                return "、".join(labels.get(str(v), str(v)) for v in value)
            return labels.get(str(value), str(value))
        if isinstance(value, list | tuple | set | models.QuerySet):
            return "、".join(str(v) for v in value)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    def conflict(self, record: models.Model) -> list[FieldChange]:
        """After a refused save: the fields the record changed since the form was opened,
        with their current values and the editor's. The form then carries the record's
        current ``row_version`` and snapshot, so that saving again is a deliberate choice.

        Without a valid snapshot, the fields where the record and the editor differ."""
        current = self.record_initial(record)
        loaded = self.loaded_values()
        changes = []
        for name in self.edited_fields():
            now = _norm(current.get(name))
            if loaded is not None and name in loaded:
                changed = loaded[name] != now
            else:
                changed = _norm(self.cleaned_data.get(name)) != now
            if changed:
                changes.append(
                    FieldChange(
                        name=name,
                        label=str(self.fields[name].label or name),
                        current=self._display(name, current.get(name)),
                        yours=self._display(name, self.cleaned_data.get(name)),
                    )
                )
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
        data[self.add_prefix("row_version")] = str(record.row_version)  # type: ignore[attr-defined]
        data[self.add_prefix("loaded")] = self.sign(current)
        self.data = data
        return changes


def changes_text(changes: Iterable[FieldChange]) -> list[str]:
    """The changes as lines for a flash message (a form shown inline on another page)."""
    return [
        _("%(field)s: saved now “%(current)s”, yours “%(yours)s”")
        % {"field": c.label, "current": c.current, "yours": c.yours}
        for c in changes
    ]
