"""事業実績報告: the page that offers the annual report of a 年度, and its downloads.

The workbook holds no name for analysts and no personal data in its URL: ``?fy=2025`` is
all it takes. The case list inside (coordinators) is read and audited by
``evaluation.report.selectors``.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.core.dates import fiscal_year, fiscal_year_label
from kasane.core.exports import content_disposition
from kasane.core.web import require_role
from kasane.evaluation.access import aggregates_only, may_see, published_figures
from kasane.evaluation.computations import REGISTRY
from kasane.evaluation.report.workbook import (
    CASE_SHEET,
    INDICATOR_SHEET,
    PROJECT_SHEETS,
    build_annual_report,
    build_case_list,
)
from kasane.privacy.cases import works_cases

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS_BACK = 10
FIRST_YEAR = 1990


def _years() -> list[int]:
    now = fiscal_year(timezone.localdate())
    return list(range(now, now - YEARS_BACK, -1))


class YearForm(forms.Form):
    fy = forms.TypedChoiceField(label=gettext_lazy("Fiscal year"), coerce=int, choices=())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["fy"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(y, f"{fiscal_year_label(y)}（{y}）") for y in _years()]
        field.error_messages["invalid_choice"] = _(
            "Choose a fiscal year from the list (the last %(count)d years)."
        ) % {"count": YEARS_BACK}


def _page(request: HttpRequest, actor: Staff, form: YearForm, status: int = 200) -> HttpResponse:
    year = form.cleaned_data["fy"] if form.is_valid() else _years()[0]
    by_project = dict.fromkeys(PROJECT_SHEETS, 0)
    for entry in REGISTRY.values():
        by_project[entry.project] = by_project.get(entry.project, 0) + 1
    analyst = aggregates_only(actor)
    return render(
        request,
        "evaluation/report/annual_report.html",
        {
            "form": form,
            "year": year,
            "valid": form.is_valid(),
            "analyst": analyst,
            "with_cases": not analyst and works_cases(actor),
            "sheets": [
                (PROJECT_SHEETS[p], n) for p, n in by_project.items() if p in PROJECT_SHEETS
            ],
            "indicator_sheet": INDICATOR_SHEET,
            "case_sheet": CASE_SHEET,
        },
        status=status,
    )


def _form(request: HttpRequest) -> YearForm:
    data = request.GET.copy()
    data.setdefault("fy", str(_years()[0]))
    return YearForm(data)


@published_figures
@require_GET
def annual_report(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, may_see)
    form = _form(request)
    return _page(request, actor, form, status=200 if form.is_valid() else 400)


def _xlsx(content: bytes, stem: str, year: int) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        f"{stem}_{fiscal_year_label(year)}_{year}.xlsx"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@published_figures
@require_GET
def annual_report_xlsx(request: HttpRequest) -> HttpResponse:
    """The workbook of ``?fy=``; a bad 年度 gets the page back with the error (400)."""
    actor = require_role(request, may_see)
    form = _form(request)
    if not form.is_valid():
        return _page(request, actor, form, status=400)
    year: int = form.cleaned_data["fy"]
    content = build_annual_report(actor=actor, fiscal_year=year)
    audit.record_aggregate(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        object_type=ObjectType.ANNUAL_REPORT,
        filters={"fy": year},
    )
    return _xlsx(content, "事業実績報告", year)


@require_GET
def annual_report_cases_xlsx(request: HttpRequest) -> HttpResponse:
    """The 支援ケース一覧 of ``?fy=`` alone: a list with names, refused (404) to analysts."""
    actor = require_role(request, may_see)
    if aggregates_only(actor) or not works_cases(actor):
        raise Http404
    form = _form(request)
    if not form.is_valid():
        return _page(request, actor, form, status=400)
    year: int = form.cleaned_data["fy"]
    return _xlsx(build_case_list(actor=actor, fiscal_year=year), CASE_SHEET, year)
