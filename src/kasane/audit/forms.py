from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.audit.models import AuditAction, LegalBasis


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("user name"), max_length=150, required=False)
    action = forms.ChoiceField(
        label=pgettext_lazy("audit log", "action"),
        choices=[("", "---------"), *AuditAction.choices],
        required=False,
    )
    legal_basis = forms.ChoiceField(
        label=_("legal basis"), choices=[("", "---------"), *LegalBasis.choices], required=False
    )
    object_id = forms.CharField(label=_("object id"), max_length=64, required=False)
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class AlertReviewForm(forms.Form):
    note = forms.CharField(
        label=_("What the review found"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
