"""Community pages: the area view (places per area, table and chart), the places registry,
and 地域課題 — needs per area without names, and the issues raised from them.
Thin: forms parse, ``community.selectors`` read (and decide who sees what), services write."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.community import charts, forms, selectors, services
from kasane.community.models import CommunityIssue, IssueAction
from kasane.core import publication
from kasane.core.dates import fiscal_year_label
from kasane.core.exports import csv_response, requested_encoding
from kasane.core.web import page_number, require_role, run_service
from kasane.registry.models import AreaKind


def _year_and_level(request: HttpRequest) -> tuple[int, AreaKind]:
    return (
        selectors.parse_fiscal_year(request.GET.get("fy")),
        selectors.parse_level(request.GET.get("level")),
    )


def _choices(year: int, level: AreaKind) -> dict[str, Any]:
    return {
        "fiscal_year": year,
        "level": level,
        "years": [(y, fiscal_year_label(y)) for y in selectors.fiscal_years_offered()],
        "levels": [(k.value, k.label) for k in selectors.LEVELS],
    }


@require_GET
def area_view(request: HttpRequest) -> HttpResponse:
    """Places per 圏域 or 中学校区 in a 年度: a table and a bar chart, no map."""
    actor = require_role(request, selectors.may_see_places)
    year, level = _year_and_level(request)
    table = selectors.places_by_area(level=level, year=year)
    chart = charts.stacked_bars(
        title=_("Community places per area, %(year)s") % {"year": fiscal_year_label(year)},
        labels=[r.area.name for r in table.rows],
        series=[str(k.label) for k in table.kinds],
        values=[r.counts for r in table.rows],
    )
    context = {
        "table": table,
        "chart": chart,
        "may_write": selectors.may_work_issues(actor),
        "may_see_needs": selectors.may_see_needs(actor),
        **_choices(year, level),
    }
    audit.record_aggregate(
        actor=actor,
        object_type=ObjectType.COMMUNITY_PLACES_BY_AREA,
        filters={"fy": year, "level": str(level)},
    )
    return render(request, "community/area_view.html", context)


@require_GET
def place_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, selectors.may_see_places)
    form = forms.PlaceFilterForm(request.GET or None)
    area, kind = None, ""
    if form.is_valid():
        area, kind = form.cleaned_data["area"], form.cleaned_data["kind"]
    page = selectors.place_list(page=page_number(request), area=area, kind=kind)
    query = "&".join(
        f"{k}={v}" for k, v in (("area", area.pk if area else ""), ("kind", kind)) if v
    )
    return render(
        request,
        "community/place_list.html",
        {
            "page": page,
            "form": form,
            "query": query,
            "may_write": selectors.may_work_issues(actor),
        },
    )


@require_GET
def place_list_csv(request: HttpRequest) -> HttpResponse:
    """The places of the list page's choice (area, kind) as CSV (``?encoding=cp932``). Places
    hold no personal data; the download is audited with its filters, as every file is."""
    actor = require_role(request, selectors.may_see_places)
    encoding = requested_encoding(request.GET)
    form = forms.PlaceFilterForm(request.GET or None)
    area, kind = None, ""
    if form.is_valid():
        area, kind = form.cleaned_data["area"], form.cleaned_data["kind"]
    header = [
        pgettext("place", "name"),
        _("kind"),
        _("area"),
        _("run by"),
        _("frequency"),
        _("when"),
        _("venue"),
    ]
    rows = (
        [
            p.name,
            p.get_kind_display(),
            f"{p.area.parent.name} · {p.area.name}"
            if p.area.parent and p.area.kind == AreaKind.BLOCK
            else p.area.name,
            p.organizer,
            p.get_frequency_display(),
            p.schedule,
            p.venue,
        ]
        for p in selectors.places_for(area=area, kind=kind)
    )
    audit.record_aggregate(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        object_type=ObjectType.COMMUNITY_PLACE_LIST_EXPORT,
        filters={"area": area.code if area else None, "kind": kind or None},
    )
    filename = f"{_('Community places')}_{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, header, rows, encoding=encoding)


@require_http_methods(["GET", "POST"])
def place_create(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, selectors.may_work_issues)
    form = forms.PlaceForm(request.POST or None)
    created: list[Any] = []
    if run_service(
        request,
        form,
        lambda data: created.append(services.place_create(actor=actor, **data)),
        _("The place was registered."),
        denied=Http404,
    ):
        return redirect("community:place_detail", created[0].public_id)
    return render(request, "community/place_form.html", {"form": form})


@require_GET
def place_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    require_role(request, selectors.may_see_places)
    place = selectors.get_place(public_id)
    return render(request, "community/place_detail.html", {"place": place})


@publication.published_figures(selectors.exact_figures)
@require_GET
def issues(request: HttpRequest) -> HttpResponse:
    """地域課題: the needs of the 年度's consultations per area, suppressed under five, and
    — for staff who work with households — the issues raised and what is done about them."""
    actor = require_role(request, selectors.may_see_needs)
    year, level = _year_and_level(request)
    table = selectors.need_table(actor=actor, level=level, year=year)
    page = (
        selectors.issue_list(actor=actor, page=page_number(request), year=year)
        if selectors.may_work_issues(actor)
        else None
    )
    context = {
        "table": table,
        "page": page,
        "query": f"fy={year}&level={level}",
        **_choices(year, level),
    }
    return render(request, "community/issues.html", context)


@require_http_methods(["GET", "POST"])
def issue_create(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, selectors.may_work_issues)
    initial = {"fiscal_year": selectors.parse_fiscal_year(request.GET.get("fy"))}
    form = forms.IssueForm(request.POST or None, initial=initial)
    created: list[Any] = []
    if run_service(
        request,
        form,
        lambda data: created.append(services.issue_create(actor=actor, **data)),
        _("The community issue was recorded."),
        denied=Http404,
    ):
        return redirect("community:issue_detail", created[0].public_id)
    return render(request, "community/issue_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def issue_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One 地域課題: its discussions and actions, with the forms to add to them."""
    actor = require_role(request, selectors.may_work_issues)
    issue = selectors.get_issue(actor=actor, public_id=public_id)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" else None
    discussion_form = forms.DiscussionForm(post if step == "discussion" else None)
    action_form = forms.ActionForm(post if step == "action" else None)
    status_form = forms.IssueStatusForm(
        post if step == "status" else None, initial={"status": issue.status}
    )
    done = False
    if step == "discussion":
        done = run_service(
            request,
            discussion_form,
            lambda data: services.discussion_add(actor=actor, issue=issue, **data),
            _("The discussion was recorded."),
            denied=Http404,
        )
    elif step == "action":
        done = run_service(
            request,
            action_form,
            lambda data: services.action_add(actor=actor, issue=issue, **data),
            _("The action was recorded."),
            denied=Http404,
        )
    elif step == "status":
        done = run_service(
            request,
            status_form,
            lambda data: services.issue_status_change(actor=actor, issue=issue, **data),
            _("The status was changed."),
            denied=Http404,
        )
    elif step == "action_status":
        action = _issue_action(issue, request.POST.get("action_id", ""))
        done = run_service(
            request,
            forms.ActionStatusForm(post),
            lambda data: services.action_status_change(actor=actor, action=action, **data),
            _("The action was updated."),
            denied=Http404,
        )
    elif request.method == "POST":
        raise Http404
    if done:
        return redirect("community:issue_detail", issue.public_id)
    context = {
        "issue": issue,
        "discussion_form": discussion_form,
        "action_form": action_form,
        "status_form": status_form,
        "action_statuses": forms.ActionStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
    }
    return render(request, "community/issue_detail.html", context)


def _issue_action(issue: CommunityIssue, public_id: str) -> IssueAction:
    action = next((a for a in issue.actions.all() if str(a.public_id) == public_id), None)
    if action is None:
        raise Http404
    return action
