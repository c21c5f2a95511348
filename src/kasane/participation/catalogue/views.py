"""Catalogue pages: the staff list, entry, editing, checking, HSDS import and export, and the
public catalogue (no login, no personal data). Thin: forms parse, ``selectors`` read,
``services`` write."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.core.web import apply_errors, page_number, require_role
from kasane.participation.catalogue import forms, hsds, selectors, services
from kasane.participation.models import Opportunity, stale_before
from kasane.privacy.cases import works_cases


def _editor(request: HttpRequest) -> Staff:
    user: Staff = require_role(request, works_cases)
    if not services.can_edit_catalogue(user):
        raise PermissionDenied
    return user


def _filters(
    request: HttpRequest, *, staff: bool
) -> tuple[forms.CatalogueFilterForm, selectors.CatalogueFilter, str]:
    form = forms.CatalogueFilterForm(
        request.GET or None, areas=selectors.filter_areas(), staff=staff
    )
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.CatalogueFilter(
            kind=d["kind"], area=d["area"], stale=bool(d.get("stale")), query=d["q"]
        )
        query = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v])
    else:
        filters, query = selectors.CatalogueFilter(), ""
    return form, filters, query


@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, works_cases)
    form, filters, query = _filters(request, staff=True)
    page = selectors.opportunity_page(filters, page_number(request))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "stale_before": stale_before(),
        "stale_count": selectors.stale_count(),
        "can_edit": services.can_edit_catalogue(actor),
    }
    return render(request, "participation/opportunity_list.html", context)


@require_GET
def opportunity_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    opportunity = selectors.get_opportunity(public_id)
    context = {
        "o": opportunity,
        "stale": selectors.is_stale(opportunity),
        "can_edit": services.can_edit_catalogue(actor),
        "checked_form": forms.CheckedForm(initial={"vacancies": opportunity.vacancies}),
    }
    return render(request, "participation/opportunity_detail.html", context)


def _save(
    request: HttpRequest, form: forms.OpportunityForm, opportunity: Opportunity | None
) -> Opportunity | None:
    if request.method != "POST" or not form.is_valid():
        return None
    actor = _editor(request)
    try:
        if opportunity is None:
            return services.opportunity_create(
                actor=actor, resource=form.resource_input(), data=form.opportunity_input()
            )
        return services.opportunity_update(
            actor=actor,
            opportunity=opportunity,
            resource=form.resource_input(),
            data=form.opportunity_input(keep=opportunity),
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None


@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    _editor(request)
    form = forms.OpportunityForm(request.POST or None)
    saved = _save(request, form, None)
    if saved is not None:
        messages.success(request, _("The place was added to the catalogue."))
        return redirect("participation:opportunity_detail", saved.public_id)
    return render(request, "participation/opportunity_form.html", {"form": form, "o": None})


@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _editor(request)
    opportunity = selectors.get_opportunity(public_id)
    form = forms.OpportunityForm(
        request.POST or None, initial=forms.OpportunityForm.initial_for(opportunity)
    )
    saved = _save(request, form, opportunity)
    if saved is not None:
        messages.success(request, _("The place was saved."))
        return redirect("participation:opportunity_detail", saved.public_id)
    return render(request, "participation/opportunity_form.html", {"form": form, "o": opportunity})


@require_POST
def opportunity_checked(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _editor(request)
    opportunity = selectors.get_opportunity(public_id)
    form = forms.CheckedForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_mark_checked(
                actor=actor, opportunity=opportunity, vacancies=form.cleaned_data["vacancies"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Marked as checked today."))
    else:
        messages.error(request, _("Places free must be a whole number of 0 or more."))
    return redirect("participation:opportunity_detail", opportunity.public_id)


@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest) -> HttpResponse:
    actor = _editor(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    faults: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            records, faults = hsds.read_file(upload.name or "", upload.read())
            if not faults:
                result = services.catalogue_import(actor=actor, records=records)
                messages.success(
                    request,
                    _("Imported: %(created)d new, %(updated)d updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("participation:opportunity_list")
        except hsds.ImportFileError as error:
            faults = [str(error)]
        except ValidationError as error:
            faults = list(error.messages)
    return render(request, "participation/import.html", {"form": form, "faults": faults})


@require_GET
def catalogue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    actor = require_role(request, works_cases)
    records = [hsds.service_record(o) for o in selectors.catalogue_for_export()]
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "json":
        response = HttpResponse(hsds.to_json(records), content_type="application/json")
        name = f"catalogue-hsds-{stamp}.json"
    elif fmt == "csv":
        response = HttpResponse(hsds.to_csv_zip(records), content_type="application/zip")
        name = f"catalogue-hsds-csv-{stamp}.zip"
    else:
        raise Http404
    audit.record_aggregate(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        object_type=ObjectType.PARTICIPATION_CATALOGUE_EXPORT,
        filters={"format": fmt},
        detail={"opportunities": len(records)},
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the public catalogue ---------------------------------------------------------------------


@login_not_required
@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    form, filters, query = _filters(request, staff=False)
    page = selectors.opportunity_page(filters, page_number(request), public=True)
    return render(
        request,
        "participation/public_list.html",
        {"form": form, "page": page, "query": query},
    )


@login_not_required
@require_GET
def public_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    opportunity = selectors.get_opportunity(public_id, public=True)
    return render(request, "participation/public_detail.html", {"o": opportunity})
