"""Outreach forms: they parse input; ``kasane.outreach.services`` decides and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kasane.accounts.models import Role, Staff
from kasane.core.forms import DATE_INPUT_FORMATS, DateInput, NameField, OneTimeTokenMixin
from kasane.outreach.models import (
    CloseReason,
    ConcernSign,
    ContactMethod,
    ContactResult,
    ReportStatus,
    Stage,
    Urgency,
)
from kasane.registry.forms import AreaChoiceField, town_blocks
from kasane.registry.validators import validate_not_future


class ConcernReportForm(OneTimeTokenMixin):
    """見守り通報: a few fields, only a place required."""

    area = AreaChoiceField(
        label=_("area (town block)"),
        queryset=town_blocks(),
        required=False,
        help_text=_("Choose the area, or write an address or a landmark below."),
    )
    address = forms.CharField(label=_("address or landmark"), max_length=200, required=False)
    who = forms.CharField(
        label=_("who (as far as known)"),
        max_length=200,
        required=False,
        help_text=_("e.g. an elderly man living alone; the son, in his forties"),
    )
    signs = forms.MultipleChoiceField(
        label=_("what was noticed"),
        choices=ConcernSign.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label=_("details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    noticed_on = forms.DateField(
        label=_("noticed on"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_not_future],
        widget=DateInput(),
    )
    urgency = forms.ChoiceField(
        label=_("urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = town_blocks()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("area") and not (data.get("address") or "").strip():
            self.add_error(
                "address", _("Say where: choose an area, or write an address or a landmark.")
            )
        return data


class ReportStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=ReportStatus.choices)


class WorkerField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return str(obj)


class TargetForm(OneTimeTokenMixin):
    label = forms.CharField(
        label=_("how the target is known"),
        max_length=100,
        help_text=_("e.g. the son at this address, forties, not seen for years"),
    )
    description = forms.CharField(
        label=_("what is known"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    area = AreaChoiceField(label=_("area (town block)"), queryset=town_blocks(), required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    name = NameField(label=_("name, if known"), max_length=100, required=False)
    kana = NameField(label=_("name in kana, if known"), max_length=100, required=False)
    age_band = forms.CharField(
        label=_("age (approximate)"),
        max_length=20,
        required=False,
        help_text=_("e.g. forties"),
    )
    worker = WorkerField(
        label=_("outreach worker in charge"), queryset=Staff.objects.none(), required=False
    )

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = town_blocks()  # type: ignore[attr-defined]
        self.fields["worker"].queryset = Staff.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role=Role.OUTREACH_WORKER, agency_id=agency_id or 0
        ).order_by("display_name", "id")


class AttemptForm(forms.Form):
    attempted_on = forms.DateField(
        label=_("date"),
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_not_future],
        widget=DateInput(),
    )
    method = forms.ChoiceField(label=_("method"), choices=ContactMethod.choices)
    result = forms.ChoiceField(label=_("result"), choices=ContactResult.choices)
    companions = forms.CharField(
        label=_("with"),
        max_length=200,
        required=False,
        help_text=_("who else went, e.g. the commissioned welfare volunteer"),
    )
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attempted_on"].initial = timezone.localdate()


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("stage"), choices=Stage.choices)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason for closing"), choices=CloseReason.choices)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class MonthForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m"], required=False)
