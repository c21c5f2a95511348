"""Forms of matching: the search, a match's stage, follow-ups, the UCLA scale, unmet needs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kasane.core.forms import DATE_INPUT_FORMATS, DateInput
from kasane.participation.matching.candidates import Constraints
from kasane.participation.matching.services import LonelinessInput
from kasane.participation.models import (
    AccessibilityFeature,
    AgeBand,
    LonelinessAnswer,
    MatchEndReason,
    MatchStage,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)
from kasane.registry.models import Area, AreaKind

WEEKDAY_CHOICES = [(str(i), d) for i, d in enumerate("月火水木金土日")]


class SearchForm(forms.Form):
    """What the worker adds to the recorded interests for this search (posted, never in
    the URL: needs can be health data)."""

    interests = forms.CharField(
        label=_("interests (関心)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    strengths = forms.CharField(
        label=_("strengths (強み)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds of place sought"),
        choices=OpportunityKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weekdays = forms.MultipleChoiceField(
        label=_("days the person can go"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.MultipleChoiceField(
        label=_("accessibility needs"),
        choices=AccessibilityFeature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_cost = forms.IntegerField(
        label=_("cost limit per visit (yen)"), min_value=0, required=False
    )

    def constraints(self) -> Constraints:
        data = self.cleaned_data
        return Constraints(
            weekdays=frozenset(int(d) for d in data["weekdays"]),
            needs=frozenset(data["needs"]),
            kinds=frozenset(data["kinds"]),
            max_cost=data["max_cost"],
        )


class ProposeForm(forms.Form):
    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.filter(status=OpportunityStatus.ACTIVE),
        widget=forms.HiddenInput,
    )
    reasons = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("stage"), choices=MatchStage.choices)
    on = forms.DateField(label=_("date"), input_formats=DATE_INPUT_FORMATS, widget=DateInput())
    end_reason = forms.ChoiceField(
        label=_("reason for ending"),
        choices=[("", "---------"), *MatchEndReason.choices],
        required=False,
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class LonelinessFields(forms.Form):
    """The 3-item UCLA loneliness scale (national survey wording)."""

    lack_companionship = forms.TypedChoiceField(
        label=_("How often do you feel that you lack companionship?"),
        choices=LonelinessAnswer.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    left_out = forms.TypedChoiceField(
        label=_("How often do you feel left out?"),
        choices=LonelinessAnswer.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    isolated = forms.TypedChoiceField(
        label=_("How often do you feel isolated from others?"),
        choices=LonelinessAnswer.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )


class LonelinessForm(LonelinessFields):
    measured_on = forms.DateField(
        label=_("measured on"), input_formats=DATE_INPUT_FORMATS, widget=DateInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measured_on"].initial = timezone.localdate()

    def loneliness_input(self) -> LonelinessInput:
        data = self.cleaned_data
        return LonelinessInput(
            data["lack_companionship"], data["left_out"], data["isolated"], data["measured_on"]
        )


class FollowUpForm(forms.Form):
    done_on = forms.DateField(
        label=_("done on"), input_formats=DATE_INPUT_FORMATS, widget=DateInput()
    )
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate()


class UnmetNeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of place"), choices=OpportunityKind.choices)
    area = forms.ModelChoiceField(
        label=_("area"),
        queryset=Area.objects.filter(kind__in=[AreaKind.SPHERE, AreaKind.SCHOOL_DISTRICT]).order_by(
            "code"
        ),
        required=False,
    )
    age_band = forms.ChoiceField(label=_("for whom (age)"), choices=AgeBand.choices)
    for_whom = forms.CharField(
        label=_("for whom (no names)"),
        max_length=200,
        required=False,
        help_text=_("e.g. a man in his 40s who stayed at home for years — never a name"),
    )
    description = forms.CharField(
        label=_("what is missing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DevelopedForm(forms.Form):
    opportunity = forms.ModelChoiceField(
        label=_("place developed in answer"),
        queryset=Opportunity.objects.filter(status=OpportunityStatus.ACTIVE).order_by("name"),
    )
