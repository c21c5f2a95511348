"""Case forms: they parse input; ``kasane.cases.services`` decides and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kasane.accounts.fields import AgencyField, support_agencies
from kasane.accounts.models import Agency
from kasane.cases.models import (
    CaseStatus,
    DeclineReason,
    NoteKind,
    NoteVisibility,
    Triage,
)
from kasane.core.forms import DATE_INPUT_FORMATS, DateInput, OneTimeTokenMixin
from kasane.core.row_version import RowVersionForm


class CaseNoteForm(OneTimeTokenMixin):
    """A note; its hidden one-time token saves it once however often it is sent."""

    written_on = forms.DateField(
        label=_("date"), input_formats=DATE_INPUT_FORMATS, widget=DateInput()
    )
    backdate_reason = forms.CharField(
        label=_("reason for the earlier date"),
        max_length=500,
        required=False,
        help_text=_("Only for a note dated before the case was opened."),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=NoteKind.choices)
    text = forms.CharField(
        label=_("text"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )
    visibility = forms.ChoiceField(
        label=_("visible to"),
        choices=NoteVisibility.choices,
        initial=NoteVisibility.TEAM,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["written_on"].initial = timezone.localdate()


class ReferralForm(forms.Form):
    to_agency = AgencyField(label=_("refer to"), queryset=Agency.objects.none())
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    request = forms.CharField(
        label=_("what you ask of them"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Listing one's own agency would only invite the error; the service refuses it too.
        self.fields["to_agency"].queryset = support_agencies(exclude=agency_id)  # type: ignore[attr-defined]


class ReferralDeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason for declining"), choices=DeclineReason.choices)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReferralCompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HandoverForm(forms.Form):
    to_agency = AgencyField(label=_("new lead agency"), queryset=Agency.objects.none())
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = support_agencies(exclude=agency_id)  # type: ignore[attr-defined]


class HandoverAnswerForm(forms.Form):
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(RowVersionForm):
    """Opened at the case's ``row_version``: a status changed meanwhile is not overwritten."""

    status = forms.ChoiceField(
        label=_("new status"),
        choices=[(s.value, s.label) for s in CaseStatus if s != CaseStatus.CLOSED],
    )


class TriageForm(RowVersionForm):
    """Opened at the case's ``row_version``: two coordinators cannot overwrite each other."""

    triage = forms.ChoiceField(label=_("triage"), choices=Triage.choices, widget=forms.RadioSelect)
    advice = forms.CharField(
        label=_("advice given (required for C)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def record_initial(self, record: Any) -> dict[str, Any]:
        return {"triage": record.triage, "advice": record.triage_advice}


class NameLeadForm(forms.Form):
    agency = AgencyField(label=_("lead agency"), queryset=Agency.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = support_agencies()  # type: ignore[attr-defined]


class BoardYearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
