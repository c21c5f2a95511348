"""The staffing estimate page and the form of its assumptions. Thin: ``staffing`` counts
and computes, ``staffing_services`` writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kasane.core.dates import fiscal_year_label
from kasane.core.web import apply_errors, require_role
from kasane.evaluation.access import aggregates_only, may_edit, may_see, published_figures
from kasane.evaluation.models import StaffRole, WorkloadKind
from kasane.evaluation.staffing import defaults
from kasane.evaluation.staffing import estimate as staffing
from kasane.evaluation.staffing.services import NOTE_MAX, AssumptionInput, staffing_assumptions_set
from kasane.evaluation.system.selectors import fiscal_years_offered, parse_fiscal_year


@published_figures
@require_GET
def estimate(request: HttpRequest) -> HttpResponse:
    """The load at the end of the 年度 (now, for the current one), the hours it takes and
    the staff it needs, beside the staff Kasane knows — every assumption shown."""
    actor = require_role(request, may_see)
    year = parse_fiscal_year(request.GET.get("fy"))
    result = staffing.estimate_for(actor=actor, fiscal_year=year)
    roles = [
        (role, [line for line in result.lines if line.done_by == role], result.shown_hours_of(role))
        for role in StaffRole
    ]
    return render(
        request,
        "evaluation/staffing/estimate.html",
        {
            "estimate": result,
            "roles": roles,
            "fiscal_year": year,
            "years": [(y, fiscal_year_label(y)) for y in fiscal_years_offered()],
            "may_edit": may_edit(actor),
            "aggregates_only": aggregates_only(actor),
            "hours_per_fte_basis": defaults.HOURS_PER_FTE_BASIS,
            "months": defaults.CONSULTATION_MONTHS,
        },
    )


class AssumptionsForm(forms.Form):
    hours_per_fte_month = forms.DecimalField(
        label=gettext_lazy("casework hours a month per full-time staff member"),
        max_digits=6,
        decimal_places=2,
        help_text=gettext_lazy("From 20 to 200 hours."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in WorkloadKind:
            self.fields[f"hours_{kind}"] = forms.DecimalField(
                label=kind.label, max_digits=6, decimal_places=2
            )
            self.fields[f"done_by_{kind}"] = forms.ChoiceField(
                label=gettext_lazy("done by"), choices=StaffRole.choices
            )
            self.fields[f"note_{kind}"] = forms.CharField(
                label=gettext_lazy("basis"),
                max_length=NOTE_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[WorkloadKind, Any, Any, Any]]:
        return [
            (k, self[f"hours_{k}"], self[f"done_by_{k}"], self[f"note_{k}"]) for k in WorkloadKind
        ]

    def assumptions(self) -> dict[str, AssumptionInput]:
        data = self.cleaned_data
        return {
            kind: AssumptionInput(
                hours_per_month=data[f"hours_{kind}"],
                done_by=data[f"done_by_{kind}"],
                note=data[f"note_{kind}"],
            )
            for kind in WorkloadKind
        }


def _initial() -> dict[str, Any]:
    current = staffing.assumptions()
    initial: dict[str, Any] = {"hours_per_fte_month": current.hours_per_fte}
    for kind, row in current.rows.items():
        initial[f"hours_{kind}"] = row.hours_per_month
        initial[f"done_by_{kind}"] = row.done_by
        initial[f"note_{kind}"] = row.note
    return initial


@require_http_methods(["GET", "POST"])
def assumptions_edit(request: HttpRequest) -> HttpResponse:
    """The municipality's coordinators set the assumptions; the estimate follows."""
    actor = require_role(request, may_edit)
    form = AssumptionsForm(request.POST or None, initial=_initial())
    if request.method == "POST" and form.is_valid():
        try:
            staffing_assumptions_set(
                actor=actor,
                hours_per_fte_month=Decimal(form.cleaned_data["hours_per_fte_month"]),
                assumptions=form.assumptions(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The assumptions were saved."))
            return redirect("evaluation:staffing")
    return render(request, "evaluation/staffing/assumptions_form.html", {"form": form})
