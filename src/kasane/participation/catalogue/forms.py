"""Catalogue forms: they parse input; ``participation.catalogue.services`` decides and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from kasane.core.forms import DATE_INPUT_FORMATS, DateInput, NameField
from kasane.core.uploads import check_upload
from kasane.participation.catalogue.schedules import schedule_errors
from kasane.participation.catalogue.services import (
    OpportunityInput,
    ResourceInput,
    ScheduleInput,
)
from kasane.participation.models import (
    AccessibilityFeature,
    Language,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    ScheduleFrequency,
    Welcome,
)
from kasane.registry.models import Area, AreaKind


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class AreaChoiceField(forms.ModelChoiceField[Area]):
    def label_from_instance(self, obj: Area) -> str:
        indent = {AreaKind.SCHOOL_DISTRICT: "　", AreaKind.BLOCK: "　　"}.get(
            AreaKind(obj.kind), ""
        )
        return f"{indent}{obj.name}"


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("words"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all kinds")), *OpportunityKind.choices]
    )
    area = AreaChoiceField(
        label=_("area"), required=False, queryset=Area.objects.none(), empty_label=_("all areas")
    )
    stale = forms.BooleanField(label=_("not checked for six months"), required=False)

    def __init__(self, *args: Any, areas: list[Area], staff: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, AreaChoiceField)
        field.queryset = Area.objects.filter(pk__in=[a.pk for a in areas]).order_by("code")
        if not staff:
            del self.fields["stale"]


class OpportunityForm(forms.Form):
    # The hosting organisation.
    resource_name = NameField(label=_("hosting organisation"), max_length=200)
    resource_phone = forms.CharField(label=_("organisation's phone"), max_length=20, required=False)
    resource_email = forms.EmailField(label=_("organisation's email"), required=False)
    resource_url = forms.URLField(
        label=_("organisation's website"), required=False, assume_scheme="https"
    )
    # The place.
    name = NameField(label=_("name of the place"), max_length=200)
    kinds = forms.MultipleChoiceField(
        label=_("kinds"), choices=OpportunityKind.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(
        label=_("status"), choices=OpportunityStatus.choices, initial=OpportunityStatus.ACTIVE
    )
    location_name = NameField(label=_("venue"), max_length=200, required=False)
    area = AreaChoiceField(label=_("area"), queryset=Area.objects.none(), required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("postal code"), max_length=8, required=False)
    latitude = forms.DecimalField(
        label=_("latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("longitude"), max_digits=9, decimal_places=6, required=False
    )
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    url = forms.URLField(label=_("web page"), required=False, assume_scheme="https")
    application_process = forms.CharField(label=_("how to join"), max_length=500, required=False)
    cost_amount = forms.IntegerField(
        label=_("cost per visit (yen)"),
        min_value=0,
        required=False,
        help_text=_("0 for free; empty if not stated."),
    )
    cost_description = forms.CharField(label=_("cost details"), max_length=200, required=False)
    accessibility = forms.MultipleChoiceField(
        label=_("accessibility"),
        choices=AccessibilityFeature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accessibility_note = forms.CharField(
        label=_("accessibility details"), max_length=500, required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=Language.choices,
        required=False,
        initial=["ja"],
        widget=forms.CheckboxSelectMultiple,
    )
    welcomes = forms.MultipleChoiceField(
        label=_("welcomes"),
        choices=Welcome.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_min = forms.IntegerField(label=_("minimum age"), min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label=_("maximum age"), min_value=0, max_value=150, required=False)
    eligibility_description = forms.CharField(
        label=_("who can take part"), max_length=500, required=False
    )
    capacity = forms.IntegerField(
        label=_("capacity"), min_value=0, required=False, help_text=_("Empty if not limited.")
    )
    vacancies = forms.IntegerField(label=_("places free"), min_value=0, required=False)
    # One schedule on the form; HSDS allows several (the import and the API keep them all).
    freq = forms.ChoiceField(
        label=_("frequency"),
        choices=[("", _("no fixed schedule")), *ScheduleFrequency.choices],
        required=False,
    )
    interval = forms.IntegerField(
        label=_("every (weeks or months)"), min_value=1, max_value=12, initial=1, required=False
    )
    byday = forms.CharField(
        label=_("days"),
        max_length=60,
        required=False,
        help_text=_("e.g. TU (every Tuesday), 2TU,4TU (2nd and 4th Tuesday), -1FR (last Friday)"),
    )
    bymonthday = forms.CharField(
        label=_("days of the month"), max_length=60, required=False, help_text=_("e.g. 1,15")
    )
    opens_at = forms.TimeField(label=_("opens at"), required=False, widget=TimeInput())
    closes_at = forms.TimeField(label=_("closes at"), required=False, widget=TimeInput())
    dtstart = forms.DateField(
        label=_("first date"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        help_text=_("Needed when the schedule skips weeks or months."),
    )

    RESOURCE_FIELDS = ("resource_name", "resource_phone", "resource_email", "resource_url")
    SCHEDULE_FIELDS = (
        "freq",
        "interval",
        "byday",
        "bymonthday",
        "opens_at",
        "closes_at",
        "dtstart",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, AreaChoiceField)
        field.queryset = Area.objects.order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("freq"):
            found = schedule_errors(
                freq=data["freq"],
                interval=data.get("interval") or 1,
                byday=(data.get("byday") or "").upper().replace(" ", ""),
                bymonthday=(data.get("bymonthday") or "").replace(" ", ""),
                opens_at=data.get("opens_at"),
                closes_at=data.get("closes_at"),
                dtstart=data.get("dtstart"),
            )
            for name, messages in found.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return data

    @classmethod
    def initial_for(cls, opportunity: Opportunity) -> dict[str, Any]:
        o = opportunity
        initial: dict[str, Any] = {
            "resource_name": o.resource.name,
            "resource_phone": o.resource.phone,
            "resource_email": o.resource.email,
            "resource_url": o.resource.url,
            "kinds": [link.kind for link in o.kind_links.all()],
            "area": o.area_id,
        }
        for name in cls.base_fields:
            if name not in initial and hasattr(o, name) and name not in cls.SCHEDULE_FIELDS:
                initial[name] = getattr(o, name)
        first = next(iter(o.schedules.all()), None)
        if first is not None:
            for name in cls.SCHEDULE_FIELDS:
                initial[name] = getattr(first, name)
        return initial

    def resource_input(self) -> ResourceInput:
        d = self.cleaned_data
        return ResourceInput(
            name=d["resource_name"],
            phone=d["resource_phone"],
            email=d["resource_email"],
            url=d["resource_url"],
        )

    def opportunity_input(self, keep: Opportunity | None = None) -> OpportunityInput:
        """The input for the service; schedules beyond the first (imported) are kept."""
        d = self.cleaned_data
        schedules: list[ScheduleInput] = []
        existing = list(keep.schedules.all()) if keep else []
        if d["freq"]:
            schedules.append(
                ScheduleInput(
                    public_id=existing[0].public_id if existing else None,
                    freq=d["freq"],
                    interval=d["interval"] or 1,
                    byday=d["byday"].upper().replace(" ", ""),
                    bymonthday=d["bymonthday"].replace(" ", ""),
                    opens_at=d["opens_at"],
                    closes_at=d["closes_at"],
                    dtstart=d["dtstart"],
                )
            )
        for other in existing[1:]:
            schedules.append(
                ScheduleInput(
                    public_id=other.public_id,
                    **{
                        n: getattr(other, n)
                        for n in (
                            "freq",
                            "interval",
                            "byday",
                            "bymonthday",
                            "opens_at",
                            "closes_at",
                            "dtstart",
                            "valid_from",
                            "valid_to",
                            "description",
                        )
                    },
                )
            )
        values = {
            n: d[n]
            for n in self.fields
            if n not in self.RESOURCE_FIELDS and n not in self.SCHEDULE_FIELDS
        }
        return OpportunityInput(schedules=schedules, **values)


class CheckedForm(forms.Form):
    vacancies = forms.IntegerField(label=_("places free now"), min_value=0, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS file"), help_text=_("A .json file, or a .zip of HSDS CSV files.")
    )

    def clean_file(self) -> UploadedFile:
        return check_upload(self.cleaned_data["file"], suffixes=(".json", ".zip", ".csv"))
