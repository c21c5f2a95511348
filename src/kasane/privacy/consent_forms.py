"""Forms for recording consent and break-glass, following the 相談受付・申込票 (with consent)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.accounts.fields import support_agencies
from kasane.accounts.models import SUPPORT_AGENCY_TYPES, AgencyType
from kasane.privacy.models import Consent, ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentChange, ConsentInput

PROXY_RELATIONS = ["親権者", "成年後見人", "保佐人", "補助人", "任意後見人", "家族"]

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
        queryset=support_agencies(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agency_types = forms.MultipleChoiceField(
        label=_("agency types"),
        choices=[(t.value, t.label) for t in AgencyType if t in SUPPORT_AGENCY_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("how obtained"), choices=ConsentMethod.choices)
    proxy_name = forms.CharField(label=_("proxy"), max_length=100, required=False)
    proxy_relation = forms.CharField(
        label=_("proxy's relation"),
        max_length=50,
        required=False,
        help_text=_("親権者, 成年後見人, a family member…"),
        widget=forms.TextInput(attrs={"list": "proxy-relations"}),
    )
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
    """What the person withdraws: everything, or some agencies, types or purposes."""

    entirely = forms.BooleanField(label=_("withdraw the whole consent"), required=False)
    agencies = forms.MultipleChoiceField(
        label=_("agencies"), required=False, widget=forms.CheckboxSelectMultiple
    )
    agency_types = forms.MultipleChoiceField(
        label=_("agency types"), required=False, widget=forms.CheckboxSelectMultiple
    )
    purposes = forms.MultipleChoiceField(
        label=_("purposes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("note on withdrawal"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, consent: Consent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consent = consent
        self._agencies = {str(a.public_id): a for a in consent.agencies.all()}
        self.fields["agencies"].choices = [(k, a.name) for k, a in self._agencies.items()]  # type: ignore[attr-defined]
        self.fields["agency_types"].choices = list(  # type: ignore[attr-defined]
            zip(consent.agency_types, consent.agency_type_labels, strict=True)
        )
        self.fields["purposes"].choices = list(  # type: ignore[attr-defined]
            zip(consent.purposes, consent.purpose_labels, strict=True)
        )

    def change(self) -> ConsentChange:
        data = self.cleaned_data
        return ConsentChange(
            agencies=[self._agencies[k] for k in data["agencies"]],
            agency_types=list(data["agency_types"]),
            purposes=list(data["purposes"]),
            entirely=data["entirely"],
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
