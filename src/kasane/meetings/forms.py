"""Meeting forms: they parse input; ``kasane.meetings.services`` decides and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kasane.accounts.fields import AgencyField, StaffField, support_agencies
from kasane.accounts.models import CASE_ROLES, Agency, Staff
from kasane.core.forms import DATE_INPUT_FORMATS, DateInput, DateTimeInput
from kasane.meetings.models import AgendaItem, Attendee, DecisionKind, MeetingKind


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=MeetingKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    held_at = forms.DateTimeField(
        label=_("date and time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=DateTimeInput(),
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    online = forms.BooleanField(label=_("online"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_at"].initial = timezone.localtime().replace(
            minute=0, second=0, microsecond=0
        )


class AttendeeForm(forms.Form):
    agency = AgencyField(label=_("agency"), queryset=Agency.objects.none())
    staff = StaffField(label=_("staff member"), queryset=Staff.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = support_agencies()  # type: ignore[attr-defined]
        self.fields["staff"].queryset = (  # type: ignore[attr-defined]
            Staff.objects.filter(is_active=True, role__in=CASE_ROLES, agency__is_active=True)
            .select_related("agency")
            .order_by("agency__name", "display_name")
        )


class AttendeeChoiceField(forms.ModelMultipleChoiceField[Attendee]):
    def label_from_instance(self, obj: Attendee) -> str:
        return f"{obj.agency.name} {obj.staff or ''}".strip()


class AgendaForm(forms.Form):
    case_number = forms.CharField(
        label=_("case number"),
        max_length=20,
        help_text=_("The number shown on the case page, e.g. R6-0012."),
    )
    members = AttendeeChoiceField(
        label=_("members for this case"),
        queryset=Attendee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chosen by the chair. Left empty, every attendee with a pledge takes part."),
    )
    to_decide_support = forms.BooleanField(
        label=_("taken up to decide support (support decision)"), required=False
    )
    deidentified_summary = forms.CharField(
        label=_("de-identified summary"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For meetings that see no names: no name, address or date of birth."),
    )

    def __init__(self, *args: Any, meeting: Any, is_chair: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_chair:
            self.fields["members"].queryset = meeting.attendees.select_related(  # type: ignore[attr-defined]
                "agency", "staff"
            )
        else:
            del self.fields["members"]
        if meeting.kind != MeetingKind.INTEGRATED_MEETING:
            del self.fields["to_decide_support"]


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DecisionKind.choices)
    text = forms.CharField(
        label=_("decision"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = AgencyField(
        label=_("owner (for an action)"), queryset=Agency.objects.none(), required=False
    )
    due_on = forms.DateField(
        label=_("due (for an action)"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        required=False,
    )
    next_review_on = forms.DateField(
        label=_("next review (for a review)"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        required=False,
    )

    def __init__(self, *args: Any, item: AgendaItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plan approval and closure are decided on the case's plan and closure pages.
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in DecisionKind.choices
            if value not in (DecisionKind.PLAN_APPROVAL, DecisionKind.CLOSURE)
        ]
        # Listing every agency invites the error; offer the team, the service checks it too.
        # (Any agency may be posted: the service answers with ``owner_not_on_team``.)
        self.fields["owner"].queryset = support_agencies()  # type: ignore[attr-defined]
        team = set(item.case.team.filter(left_at__isnull=True).values_list("agency_id", flat=True))
        self.fields["owner"].widget.choices = [
            ("", "---------"),
            *[(a.pk, a.name) for a in Agency.objects.filter(pk__in=team).order_by("name")],
        ]
