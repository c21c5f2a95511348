"""Community forms: they parse input; ``kasane.community.services`` decides and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.community.models import (
    ActionStatus,
    Frequency,
    IssueStatus,
    OrganizerType,
    PlaceKind,
)
from kasane.community.selectors import (
    areas_for_choice,
    fiscal_years_offered,
    place_areas,
)
from kasane.core.dates import current_fiscal_year, fiscal_year_label
from kasane.core.forms import DATE_INPUT_FORMATS, DateInput, NameField
from kasane.intake.models import NeedType
from kasane.registry.models import Area, AreaKind

NO_NAMES = _("Write about the area, never about a person: no name, address or date of birth.")


class AreaField(forms.ModelChoiceField[Area]):
    """Areas indented under their 圏域, so a 中学校区 and its 町丁目 read as a tree."""

    def label_from_instance(self, obj: Area) -> str:
        indent = {AreaKind.SCHOOL_DISTRICT: "　", AreaKind.BLOCK: "　　"}.get(
            AreaKind(obj.kind), ""
        )
        return f"{indent}{obj.name}"


def fiscal_year_choices() -> list[tuple[int, str]]:
    return [(y, fiscal_year_label(y)) for y in fiscal_years_offered()]


class PlaceForm(forms.Form):
    name = NameField(label=pgettext_lazy("place", "name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=PlaceKind.choices)
    area = AreaField(label=_("area"), queryset=Area.objects.none())
    venue = forms.CharField(
        label=_("venue"),
        max_length=200,
        required=False,
        help_text=_("e.g. the community hall, a temple, a vacant shop"),
    )
    organizer = NameField(
        label=_("run by"),
        max_length=100,
        help_text=_("The group that runs it, not a person's name."),
    )
    organizer_type = forms.ChoiceField(label=_("kind of organizer"), choices=OrganizerType.choices)
    frequency = forms.ChoiceField(label=_("frequency"), choices=Frequency.choices)
    schedule = forms.CharField(
        label=_("when"),
        max_length=100,
        required=False,
        help_text=_("e.g. Wednesdays 10:00–12:00"),
    )
    audience = forms.CharField(label=_("who is welcome"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("contact"),
        max_length=100,
        required=False,
        help_text=_("The group's public contact (e.g. the social welfare council's number)."),
    )
    started_on = forms.DateField(
        label=_("started on"), input_formats=DATE_INPUT_FORMATS, widget=DateInput(), required=False
    )
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = place_areas()  # type: ignore[attr-defined]


class PlaceFilterForm(forms.Form):
    area = AreaField(label=_("area"), queryset=Area.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("all kinds")), *PlaceKind.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_for_choice()  # type: ignore[attr-defined]


class IssueForm(forms.Form):
    area = AreaField(label=_("area"), queryset=Area.objects.none())
    fiscal_year = forms.TypedChoiceField(label=_("fiscal year"), coerce=int, choices=[])
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=NO_NAMES,
    )
    need_types = forms.ModelMultipleChoiceField(
        label=_("related needs"),
        queryset=NeedType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_for_choice()  # type: ignore[attr-defined]
        self.fields["fiscal_year"].choices = fiscal_year_choices()  # type: ignore[attr-defined]
        self.fields["fiscal_year"].initial = current_fiscal_year()
        self.fields["need_types"].queryset = NeedType.objects.filter(is_active=True)  # type: ignore[attr-defined]


class DiscussionForm(forms.Form):
    held_on = forms.DateField(label=_("date"), input_formats=DATE_INPUT_FORMATS, widget=DateInput())
    forum = forms.CharField(
        label=_("forum"),
        max_length=100,
        help_text=_("e.g. community care meeting, neighbourhood association, council"),
    )
    summary = forms.CharField(
        label=pgettext_lazy("discussion", "summary"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=NO_NAMES,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()


class ActionForm(forms.Form):
    who = forms.CharField(
        label=_("who"),
        max_length=100,
        help_text=_("An agency or group, e.g. the social welfare council's CSW."),
    )
    what = forms.CharField(label=_("what"), max_length=500)
    due_on = forms.DateField(
        label=_("by when"), input_formats=DATE_INPUT_FORMATS, widget=DateInput(), required=False
    )


class IssueStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=IssueStatus.choices)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=ActionStatus.choices)
