"""Forms of the インテーク・アセスメントシート, the プラン兼利用申込書 and the 評価シート. They
parse input; ``kasane.plans.services`` decides and saves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kasane.accounts.fields import AgencyField, StaffField, support_agencies
from kasane.accounts.models import Agency, Staff
from kasane.cases.models import Case
from kasane.core.forms import DATE_INPUT_FORMATS, DateInput
from kasane.core.row_version import RowVersionForm
from kasane.meetings.models import AgendaItem
from kasane.plans.models import (
    AgreementMethod,
    ClosureReason,
    GoalResult,
    GoalTerm,
    LifeArea,
    PlanGoal,
    Severity,
    Trend,
)
from kasane.plans.services import AreaInput
from kasane.registry.models import Membership


def _date(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        required=required,
        **kwargs,
    )


def _text(label: Any, *, rows: int = 3, max_length: int = 4000, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=kwargs.pop("required", False),
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class AssessmentForm(forms.Form):
    """インテーク・アセスメントシート: per life area the situation and its severity; the
    person's strengths, interests and wishes in their own words."""

    person = forms.ChoiceField(label=_("member"), required=False)
    assessed_on = _date(_("assessed on"))
    strengths = _text(_("strengths"))
    interests = _text(_("interests"))
    wishes = _text(
        _("wishes (in the person's words)"),
        help_text=_("Write what the person said, in their own words."),
    )

    def __init__(self, *args: Any, members: Sequence[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.person.public_id): m.person for m in members}
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", _("the household as a whole")),
            *[
                (str(m.person.public_id), f"{m.person.name}（{m.get_relationship_display()}）")
                for m in members
            ],
        ]
        self.fields["assessed_on"].initial = timezone.localdate()
        for code, label in LifeArea.choices:
            self.fields[f"{code}_situation"] = _text(label, rows=2)
            self.fields[f"{code}_severity"] = forms.TypedChoiceField(
                label=_("severity"),
                choices=Severity.choices,
                coerce=int,
                initial=Severity.NONE,
                required=False,
                empty_value=None,
            )

    def area_rows(self) -> list[tuple[str, Any, forms.BoundField, forms.BoundField]]:
        return [
            (code, label, self[f"{code}_situation"], self[f"{code}_severity"])
            for code, label in LifeArea.choices
        ]

    def head_fields(self) -> list[forms.BoundField]:
        return [self["person"], self["assessed_on"]]

    def words_fields(self) -> list[forms.BoundField]:
        return [self["strengths"], self["interests"], self["wishes"]]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "person": self.members.get(data.get("person") or ""),
            "assessed_on": data["assessed_on"],
            "areas": [
                AreaInput(
                    code,
                    data.get(f"{code}_situation", ""),
                    data.get(f"{code}_severity") or Severity.NONE,
                )
                for code in LifeArea.values
            ],
            "strengths": data.get("strengths", ""),
            "interests": data.get("interests", ""),
            "wishes": data.get("wishes", ""),
        }


class PlanHeaderForm(RowVersionForm):
    """The draft's header, opened at the plan's ``row_version`` (no lost updates)."""

    participation_requested = forms.BooleanField(
        label=_("participation support requested"), required=False
    )
    outreach_requested = forms.BooleanField(label=_("outreach requested"), required=False)
    agreed_on = _date(_("agreed by the person on"), required=False)
    agreement_method = forms.ChoiceField(
        label=_("how the person agreed"),
        choices=[("", "---------"), *AgreementMethod.choices],
        required=False,
    )
    review_due_on = _date(_("next review"), required=False)


class GoalForm(forms.Form):
    term = forms.ChoiceField(label=_("term"), choices=GoalTerm.choices)
    text = _text(_("goal (in the person's words)"), rows=2, max_length=2000, required=True)


class ActionForm(forms.Form):
    """役割分担. Any agency may be posted (the service refuses one not on the team with its
    reason); the list offers the team."""

    goal = forms.TypedChoiceField(label=_("goal"), coerce=int)
    what = _text(_("what"), rows=2, max_length=2000, required=True)
    agency = AgencyField(label=_("agency"), queryset=Agency.objects.none())
    staff = StaffField(label=_("staff member"), queryset=Staff.objects.none(), required=False)
    due_on = _date(_("by"), required=False)

    def __init__(self, *args: Any, case: Case, goals: Iterable[PlanGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [  # type: ignore[attr-defined]
            (g.pk, f"{g.get_term_display()}: {g.text[:40]}") for g in goals
        ]
        self.fields["agency"].queryset = support_agencies()  # type: ignore[attr-defined]
        team = list(case.team.filter(left_at__isnull=True).select_related("agency").order_by("id"))
        self.fields["agency"].widget.choices = [("", "---------")] + [
            (t.agency_id, t.agency.name) for t in team
        ]
        self.fields["staff"].queryset = (  # type: ignore[attr-defined]
            Staff.objects.filter(is_active=True, agency_id__in=[t.agency_id for t in team])
            .select_related("agency")
            .order_by("agency__name", "display_name")
        )


class ItemField(forms.ModelChoiceField[AgendaItem]):
    def label_from_instance(self, obj: AgendaItem) -> str:
        meeting = obj.meeting
        when = timezone.localtime(meeting.held_at).strftime("%Y-%m-%d %H:%M")
        return f"{meeting.get_kind_display()} {when} {meeting.title}".strip()


def _items_field(required: bool, **kwargs: Any) -> ItemField:
    return ItemField(
        label=_("meeting"), queryset=AgendaItem.objects.none(), required=required, **kwargs
    )


def _offer_items(field: forms.Field, agency_id: int | None, items: Sequence[AgendaItem]) -> None:
    """Accept any item of a meeting the agency held (the service names what is wrong with
    it); offer the integrated meetings that took up this case."""
    assert isinstance(field, ItemField)
    field.queryset = AgendaItem.objects.filter(meeting__organizer_id=agency_id).select_related(
        "meeting"
    )
    field.widget.choices = [("", "---------")] + [
        (i.pk, field.label_from_instance(i)) for i in items
    ]


class ApproveForm(forms.Form):
    item = _items_field(
        True, help_text=_("The integrated support meeting that took up this case and approved it.")
    )
    review_due_on = _date(_("next review"), required=False)
    # The plan's row_version when the approver opened it: the plan approved is the one seen.
    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self, *args: Any, agency_id: int | None, items: Sequence[AgendaItem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer_items(self.fields["item"], agency_id, items)


class EvaluationForm(forms.Form):
    """評価シート: each goal achieved / partly / not, each life area better / same / worse,
    and the person's own view."""

    held_on = _date(_("held on"))
    person_view = _text(_("the person's own view"))

    def __init__(
        self, *args: Any, goals: Sequence[PlanGoal], goals_required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        self.fields["held_on"].initial = timezone.localdate()
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"{goal.get_term_display()}: {goal.text}",
                choices=[("", "---------"), *GoalResult.choices],
                required=goals_required,
            )
        for code, label in LifeArea.choices:
            self.fields[f"area_{code}"] = forms.ChoiceField(
                label=label, choices=[("", "—"), *Trend.choices], required=False
            )

    def goal_fields(self) -> list[forms.BoundField]:
        return [self[f"goal_{g.pk}"] for g in self.goals]

    def area_fields(self) -> list[forms.BoundField]:
        return [self[f"area_{code}"] for code in LifeArea.values]

    def evaluation_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "person_view": data.get("person_view", ""),
            "goal_results": {
                g.pk: data[f"goal_{g.pk}"] for g in self.goals if data.get(f"goal_{g.pk}")
            },
            "area_results": {
                code: data[f"area_{code}"] for code in LifeArea.values if data.get(f"area_{code}")
            },
        }


class ReviewForm(EvaluationForm):
    next_review_on = _date(_("next review"))

    def service_kwargs(self) -> dict[str, Any]:
        return {**self.evaluation_kwargs(), "next_review_on": self.cleaned_data["next_review_on"]}


class ClosureForm(EvaluationForm):
    reason = forms.ChoiceField(
        label=_("reason"), choices=ClosureReason.choices, widget=forms.RadioSelect
    )
    note = _text(_("note"), max_length=2000)
    item = _items_field(
        False,
        help_text=_(
            "For a case with a support decision: the integrated support meeting that decided "
            "the closure."
        ),
    )

    field_order = ["reason", "note", "item", "held_on"]

    def __init__(
        self,
        *args: Any,
        agency_id: int | None,
        items: Sequence[AgendaItem],
        goals: Sequence[PlanGoal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, goals=goals, goals_required=False, **kwargs)
        _offer_items(self.fields["item"], agency_id, items)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.evaluation_kwargs(),
            "reason": data["reason"],
            "note": data.get("note", ""),
            "item": data.get("item"),
        }
