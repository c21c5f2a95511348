"""The self-assessment pages: a 年度's checklist beside its evidence, the scoring form, the
history of the scores, and the PDCA records. Thin: forms parse, ``system_selectors`` read
(and decide who sees what), ``system_services`` write."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kasane.core.dates import current_fiscal_year, fiscal_year_label
from kasane.core.web import page_number, require_role, run_service
from kasane.evaluation.access import may_edit, may_see, published_figures
from kasane.evaluation.models import PdcaReview, SystemFunction
from kasane.evaluation.system import selectors, services
from kasane.evaluation.system.charts import score_lines
from kasane.evaluation.system.forms import AssessmentForm, PdcaForm


def _offered(fiscal_year: int) -> int:
    if fiscal_year not in selectors.fiscal_years_offered():
        raise Http404
    return fiscal_year


@published_figures
@require_GET
def assessment(request: HttpRequest, fiscal_year: int | None = None) -> HttpResponse:
    """A 年度's self-assessment by function, with the evidence and the history."""
    actor = require_role(request, may_see)
    year = _offered(fiscal_year) if fiscal_year is not None else current_fiscal_year()
    page = selectors.assessment_page(actor=actor, fiscal_year=year)
    rows = selectors.history()
    chart = None
    if rows:
        chart = score_lines(
            title=_("Average score per function"),
            labels=[fiscal_year_label(r.fiscal_year) for r in rows],
            series=[str(f.label) for f in SystemFunction],
            values=[[r.averages[s] for r in rows] for s in range(len(SystemFunction))],
        )
    reviews = selectors.reviews_of_year(year)
    context = {
        "page": page,
        "history": rows,
        "functions": list(SystemFunction),
        "chart": chart,
        "reviews": reviews,
        "years": [(y, fiscal_year_label(y)) for y in selectors.fiscal_years_offered()],
    }
    return render(request, "evaluation/system/assessment.html", context)


@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    """Score every question of the checklist for a 年度 (the municipality's coordinators)."""
    actor = require_role(request, may_edit)
    year = _offered(fiscal_year)
    items = selectors.active_items()
    form = AssessmentForm(
        request.POST or None, items=items, initial=selectors.answers_for_form(year)
    )
    if run_service(
        request,
        form,
        lambda data: services.self_assessment_score(
            actor=actor, fiscal_year=year, answers=form.answers(), note=data["note"]
        ),
        _("The self-assessment was saved."),
        denied=Http404,
    ):
        return redirect("evaluation:self_assessment_year", year)
    sections = [(f, [row for row in form.rows() if row[0].function == f]) for f in SystemFunction]
    return render(
        request,
        "evaluation/system/assessment_form.html",
        {"form": form, "fiscal_year": year, "sections": sections},
    )


@require_GET
def pdca_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, may_see)
    raw = request.GET.get("fy")
    year = selectors.parse_fiscal_year(raw) if raw else None
    page = selectors.pdca_list(actor=actor, page=page_number(request), fiscal_year=year)
    return render(
        request,
        "evaluation/system/pdca_list.html",
        {
            "page": page,
            "fiscal_year": year,
            "query": f"fy={year}" if year else "",
            "years": [(y, fiscal_year_label(y)) for y in selectors.fiscal_years_offered()],
            "may_edit": may_edit(actor),
        },
    )


@require_http_methods(["GET", "POST"])
def pdca_create(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, may_edit)
    initial = {"fiscal_year": selectors.parse_fiscal_year(request.GET.get("fy"))}
    form = PdcaForm(request.POST or None, initial=initial)
    created: list[PdcaReview] = []
    if run_service(
        request,
        form,
        lambda data: created.append(services.pdca_review_record(actor=actor, **data)),
        _("The review was recorded."),
        denied=Http404,
    ):
        return redirect("evaluation:pdca_detail", created[0].public_id)
    return render(request, "evaluation/system/pdca_form.html", {"form": form})


@require_GET
def pdca_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, may_see)
    review = selectors.get_pdca_review(actor=actor, public_id=public_id)
    return render(request, "evaluation/system/pdca_detail.html", {"review": review})
