"""Forms of the self-assessment pages: they parse input; ``system_services`` decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kasane.core.dates import fiscal_year_label
from kasane.core.forms import DATE_INPUT_FORMATS, DateInput
from kasane.evaluation.models import ChecklistItem, Score
from kasane.evaluation.system.selectors import fiscal_years_offered
from kasane.evaluation.system.services import COMMENT_MAX, NOTE_MAX, Answer


def _year_choices() -> list[tuple[int, str]]:
    return [(y, fiscal_year_label(y)) for y in fiscal_years_offered()]


class AssessmentForm(forms.Form):
    """A score (0–3) and a comment for every active question."""

    note = forms.CharField(
        label=_("overall note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, items: Sequence[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        choices = [("", "—"), *[(value, f"{value} {label}") for value, label in Score.choices]]
        for item in self.items:
            self.fields[f"score_{item.code}"] = forms.TypedChoiceField(
                label=item.text, choices=choices, coerce=int, required=True
            )
            self.fields[f"comment_{item.code}"] = forms.CharField(
                label=_("comment"), max_length=COMMENT_MAX, required=False
            )

    def rows(self) -> list[tuple[ChecklistItem, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"score_{i.code}"], self[f"comment_{i.code}"]) for i in self.items]

    def answers(self) -> dict[str, Answer]:
        data = self.cleaned_data
        return {
            i.code: Answer(score=data[f"score_{i.code}"], comment=data.get(f"comment_{i.code}", ""))
            for i in self.items
        }


class PdcaForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(
        label=_("fiscal year reviewed"), choices=_year_choices, coerce=int
    )
    held_on = forms.DateField(
        label=_("held on"), input_formats=DATE_INPUT_FORMATS, widget=DateInput()
    )
    meeting_name = forms.CharField(
        label=_("review meeting"),
        max_length=200,
        help_text=_("e.g. the integrated support promotion council, the policy meeting"),
    )
    participants = forms.CharField(
        label=_("participants"),
        max_length=500,
        required=False,
        help_text=_("Agencies and sections that took part, not personal names."),
    )
    findings = forms.CharField(
        label=_("findings"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )
    changes = forms.CharField(
        label=_("what will change"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )
    follow_up_on = forms.DateField(
        label=_("check again on"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        required=False,
    )
