"""The evaluation dashboard, the logic model and the indicators' pages. Thin: selectors
read, services write, ``evaluation.access`` decides who sees what (others get 404)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import ObjectType
from kasane.core.dates import current_fiscal_year, fiscal_year_label
from kasane.core.models import Domain
from kasane.core.web import apply_errors, require_role
from kasane.evaluation import access, labels
from kasane.evaluation.access import published_figures
from kasane.evaluation.computations import Scope
from kasane.evaluation.dashboard import charts, forms, selectors, services
from kasane.evaluation.models import Indicator, IndicatorSource, Target


def _scope(request: HttpRequest) -> Scope:
    domain = request.GET.get("domain") or ""
    return Scope(
        selectors.parse_fiscal_year(request.GET.get("fy")),
        selectors.parse_month(request.GET.get("month")),
        selectors.parse_area(request.GET.get("area")),
        domain if domain in Domain.values else "",
    )


def scope_filters(scope: Scope) -> dict[str, str | int | None]:
    """The filters a page of counts was asked for, as the audit log keeps them."""
    return {
        "fy": scope.fiscal_year,
        "month": scope.month,
        "area": scope.area.code if scope.area is not None else None,
        "domain": scope.domain or None,
    }


def _filters(scope: Scope) -> dict[str, Any]:
    return {
        "scope": scope,
        "years": [(y, fiscal_year_label(y)) for y in selectors.fiscal_years_offered()],
        "months": [(d.month, f"{d.month}月") for d in selectors.months_of(scope.fiscal_year)],
        "areas": selectors.filter_areas(),
        "domains": Domain.choices,
        "year_label": fiscal_year_label(scope.fiscal_year),
        "domain_label": dict(Domain.choices).get(scope.domain, ""),
        "previous_label": fiscal_year_label(scope.fiscal_year - 1),
    }


@published_figures
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The indicators of a 年度 (or one month) against the previous 年度 and the target."""
    actor = require_role(request, access.may_see)
    scope = _scope(request)
    aggregates_only = access.aggregates_only(actor)
    rows = selectors.indicator_rows(scope, aggregates_only=aggregates_only)
    previous = Scope(scope.fiscal_year - 1, None, scope.area, scope.domain)
    this_year = selectors.monthly_consultations(scope)
    last_year = selectors.monthly_consultations(previous)
    if aggregates_only:
        # Each month is a cell of its own, perturbed by its records' keys, as the year's
        # count is: the year minus the other months is off by a few, in no known direction.
        monthly: list[tuple[str, list[int | None]]] = [
            (fiscal_year_label(scope.fiscal_year), this_year.published()),
            (fiscal_year_label(previous.fiscal_year), last_year.published()),
        ]
    else:
        monthly = [
            (fiscal_year_label(scope.fiscal_year), list[int | None](this_year.counts)),
            (fiscal_year_label(previous.fiscal_year), list[int | None](last_year.counts)),
        ]
    month_labels = [f"{d.month}月" for d in selectors.months_of(scope.fiscal_year)]
    with_target = [r for r in rows if r.target is not None]
    previous_targets = {
        t.indicator_id: t.value for t in Target.objects.filter(fiscal_year=scope.fiscal_year - 1)
    }
    achievement_rows = [
        (
            r.indicator.name,
            r.achievement,
            selectors.achievement(
                r.previous.value if r.previous else None,
                previous_targets.get(r.indicator.pk),
            ),
        )
        for r in with_target
    ]
    network = selectors.collaboration_network(scope, aggregates_only=aggregates_only)
    names = {a.pk: a.name for a in network.agencies}
    context = {
        **_filters(scope),
        "sections": selectors.sections(rows),
        "labels": labels.key_labels(),
        "aggregates_only": aggregates_only,
        "may_edit": access.may_edit(actor),
        "monthly_rows": list(zip(month_labels, monthly[0][1], monthly[1][1], strict=True)),
        "monthly_chart": charts.monthly_bars(
            title=_("Consultations received per month"),
            ident="chart-monthly",
            months=month_labels,
            series=monthly,
        ),
        "achievement_chart": charts.achievement_bars(
            title=_("Achievement of targets"),
            ident="chart-targets",
            rows=achievement_rows,
            legend=(fiscal_year_label(scope.fiscal_year), fiscal_year_label(scope.fiscal_year - 1)),
        )
        if achievement_rows
        else None,
        "network": network,
        "network_edges": [(names[a], names[b], n) for a, b, n in network.edges],
        "network_chart": charts.network_graph(
            title=_("Agencies that worked cases together"),
            ident="chart-network",
            network=network,
            names=names,
        ),
    }
    audit.record_aggregate(
        actor=actor, object_type=ObjectType.EVALUATION_DASHBOARD, filters=scope_filters(scope)
    )
    return render(request, "evaluation/dashboard.html", context)


@published_figures
@require_GET
def logic_model(request: HttpRequest) -> HttpResponse:
    """Activities → outputs → outcomes → goals, with each indicator's value and target."""
    actor = require_role(request, access.may_see)
    scope = Scope(selectors.parse_fiscal_year(request.GET.get("fy")))
    rows = selectors.indicator_rows(scope, aggregates_only=access.aggregates_only(actor))
    audit.record_aggregate(
        actor=actor, object_type=ObjectType.LOGIC_MODEL, filters={"fy": scope.fiscal_year}
    )
    return render(
        request,
        "evaluation/logic_model.html",
        {
            **_filters(scope),
            "model": selectors.logic_model(rows),
            "may_edit": access.may_edit(actor),
        },
    )


def _indicator_context(indicator: Indicator, actor: Staff) -> dict[str, Any]:
    years = selectors.fiscal_years_offered()
    targets = {t.fiscal_year: t.value for t in indicator.targets.all()}
    manual = {m.fiscal_year: m for m in indicator.manual_values.select_related("entered_by")}
    history = []
    aggregates_only = access.aggregates_only(actor)
    for year in years:
        value: Decimal | None
        if indicator.source == IndicatorSource.MANUAL:
            entry = manual.get(year)
            value = entry.value if entry else None
        else:
            figure = selectors.indicator_value(indicator, year, aggregates_only=aggregates_only)
            value = figure.value if figure else None
        target = targets.get(year)
        history.append(
            {
                "year": year,
                "label": fiscal_year_label(year),
                "value": value,
                "target": target,
                "achievement": selectors.achievement(value, target),
                "note": manual[year].note if year in manual else "",
            }
        )
    return {"indicator": indicator, "history": history, "may_edit": access.may_edit(actor)}


@published_figures
@require_http_methods(["GET", "POST"])
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator over the 年度 offered; targets (and hand-entered values) are set here."""
    actor = require_role(request, access.may_see)
    indicator = get_object_or_404(Indicator, code=code)
    year = current_fiscal_year()
    target_form = forms.TargetForm(initial={"fiscal_year": year}, prefix="target")
    value_form = forms.ManualValueForm(initial={"fiscal_year": year}, prefix="value")
    if request.method == "POST":
        if not access.may_edit(actor):
            raise Http404
        if "target-value" in request.POST:
            target_form = forms.TargetForm(request.POST, prefix="target")
            if target_form.is_valid():
                try:
                    services.target_set(
                        actor=actor, code=indicator.code, **target_form.cleaned_data
                    )
                except ValidationError as error:
                    apply_errors(target_form, error)
                else:
                    messages.success(request, _("The target was saved."))
                    return redirect("evaluation:indicator_detail", indicator.code)
        else:
            value_form = forms.ManualValueForm(request.POST, prefix="value")
            if value_form.is_valid():
                try:
                    services.manual_value_set(
                        actor=actor, code=indicator.code, **value_form.cleaned_data
                    )
                except ValidationError as error:
                    apply_errors(value_form, error)
                else:
                    messages.success(request, _("The value was saved."))
                    return redirect("evaluation:indicator_detail", indicator.code)
    context = _indicator_context(indicator, actor)
    audit.record_aggregate(
        actor=actor, object_type=ObjectType.INDICATOR, object_id=indicator.code, filters={}
    )
    context.update(
        target_form=target_form,
        value_form=value_form if indicator.source == IndicatorSource.MANUAL else None,
    )
    return render(request, "evaluation/indicator_detail.html", context)


@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest) -> HttpResponse:
    """A hand-entered indicator, for what the records cannot count (a resident survey)."""
    actor = require_role(request, access.may_edit)
    form = forms.ManualIndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.manual_indicator_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The indicator was added."))
            return redirect("evaluation:indicator_detail", indicator.code)
    return render(request, "evaluation/indicator_form.html", {"form": form})
