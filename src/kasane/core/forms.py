"""Form pieces shared by every app's forms: date and date-time inputs, and the one-time token
that stops a form posted twice from creating its record twice."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from kasane.core.text import validate_visible_text

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class NameField(forms.CharField):
    """A one-line name (a person's, a household's, a place's): visible characters only
    (``kasane.core.text``), a NUL refused with a message that says so."""

    default_validators = [validate_visible_text]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Django's own NUL check says, in its Japanese catalogue, "enter some text".
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class OneTimeTokenMixin(forms.Form):
    """A hidden one-time token so a form posted twice creates its record once."""

    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
