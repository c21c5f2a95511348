"""Forms for recording consent and break-glass, following the 相談受付・申込票 (with consent)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.accounts.models import Agency, AgencyType
from kasane.privacy.models import ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("purposes"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ConsentPurpose.INFORMATION_SHARING],
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("agencies"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agency_types = forms.MultipleChoiceField(
        label=_("agency types"),
        choices=AgencyType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("how obtained"), choices=ConsentMethod.choices)
    proxy_name = forms.CharField(label=_("proxy"), max_length=100, required=False)
    proxy_relation = forms.CharField(label=_("proxy's relation"), max_length=50, required=False)
    obtained_on = forms.DateField(label=_("obtained on"), widget=DATE)
    expires_on = forms.DateField(label=_("expires on"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["obtained_on"].initial = timezone.localdate()

    def consent_input(self) -> ConsentInput:
        data = self.cleaned_data
        return ConsentInput(
            purposes=list(data["purposes"]),
            method=data["method"],
            obtained_on=data["obtained_on"],
            agencies=list(data["agencies"]),
            agency_types=list(data["agency_types"]),
            proxy_name=data["proxy_name"],
            proxy_relation=data["proxy_relation"],
            expires_on=data["expires_on"],
            note=data["note"],
        )


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("note on withdrawal"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BreakGlassReviewForm(forms.Form):
    note = forms.CharField(
        label=pgettext_lazy("break-glass", "review"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
