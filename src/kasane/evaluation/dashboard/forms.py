"""Forms of the evaluation pages: they parse; ``evaluation.services`` validates and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.evaluation.models import IndicatorKind, IndicatorLevel, Project


class TargetForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("fiscal year"), min_value=1990, max_value=2200)
    value = forms.DecimalField(
        label=pgettext_lazy("indicator", "target"), max_digits=14, decimal_places=3
    )


class ManualValueForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("fiscal year"), min_value=1990, max_value=2200)
    value = forms.DecimalField(label=_("value"), max_digits=14, decimal_places=3)
    note = forms.CharField(
        label=_("source and note"), required=False, max_length=2000, widget=forms.Textarea
    )


class ManualIndicatorForm(forms.Form):
    """A hand-entered indicator (a resident survey result, say)."""

    code = forms.SlugField(label=_("code"), max_length=60)
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=IndicatorKind.choices)
    level = forms.ChoiceField(label=_("level"), choices=IndicatorLevel.choices)
    unit = forms.CharField(label=_("unit"), max_length=20, required=False)
    project = forms.ChoiceField(label=_("project"), choices=Project.choices)
    description = forms.CharField(
        label=_("description"), required=False, max_length=4000, widget=forms.Textarea
    )
