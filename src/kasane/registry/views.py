"""Registry pages: person search, households and their members. Thin: forms parse,
``kasane.registry.selectors`` read, ``kasane.registry.services`` write."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kasane.audit.models import Purpose
from kasane.core.services import submission_seen
from kasane.core.web import apply_errors, page_number, require_role
from kasane.privacy.policy import may_work_with_persons
from kasane.registry import forms, selectors, services
from kasane.registry.error_codes import ErrorCode
from kasane.registry.import_services import may_import_residents

# A page whose address names a household, person or membership answers 404 to a role that
# does not work with persons, as to a caseworker of another agency: no role learns that an
# id exists (require_role hides by default); the other pages answer 403 (hide=False).


@require_http_methods(["GET", "POST"])
def person_search(request: HttpRequest) -> HttpResponse:
    """Search by part of a name or kana. POSTed, so names never enter a URL or a proxy log."""
    actor = require_role(request, may_work_with_persons, hide=False)
    form = forms.PersonSearchForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = selectors.search_persons(actor, form.cleaned_data["q"])
    htmx = bool(getattr(request, "htmx", None))
    template = "registry/_search_results.html" if htmx else "registry/person_search.html"
    return render(request, template, {"form": form, "result": result})


def household_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, may_work_with_persons, hide=False)
    page = selectors.household_list_for_user(actor, page_number(request))
    return render(
        request,
        "registry/household_list.html",
        {"page": page, "may_import": may_import_residents(actor)},
    )


@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, may_work_with_persons, hide=False)
    form = forms.HouseholdCreateForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        already = submission_seen(data.get("token"), "household")
        if already is not None:
            messages.info(request, _("This form was already sent; the household is registered."))
            return redirect("registry:household_detail", already)
        duplicates = selectors.likely_duplicates(
            actor, kana_name=data["kana"], birth_date=data.get("birth_date")
        )
        if duplicates and not data.get("confirm_not_duplicate"):
            form.add_error(
                None,
                ValidationError(
                    _(
                        "A person with the same kana and date of birth is already registered. "
                        "Check the list below before registering a new household."
                    ),
                    code=ErrorCode.POSSIBLE_DUPLICATE,
                ),
            )
        else:
            try:
                household = services.household_create(
                    actor=actor,
                    head=form.person_input(),
                    address=data.get("address", ""),
                    area=data.get("area"),
                    phone=data.get("phone", ""),
                    note=data.get("note", ""),
                    started_on=data.get("started_on"),
                    token=data.get("token"),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The household was registered."))
                return redirect("registry:household_detail", household.public_id)
    return render(request, "registry/household_form.html", {"form": form, "duplicates": duplicates})


def household_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, may_work_with_persons)
    detail = selectors.household_detail_for_user(actor, public_id)
    return render(request, "registry/household_detail.html", {"detail": detail})


@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, may_work_with_persons)
    household = selectors.household_for_user(actor, public_id)
    form = forms.HouseholdEditForm(
        request.POST or None,
        initial={
            "address": household.address,
            "area": household.area,
            "phone": household.phone,
            "note": household.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.household_update(
                actor=actor,
                household=household,
                address=data.get("address", ""),
                area=data.get("area"),
                phone=data.get("phone", ""),
                note=data.get("note", ""),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The household was updated."))
            return redirect("registry:household_detail", household.public_id)
    selectors.record_view(actor, household, purpose=Purpose.EDIT)
    return render(request, "registry/household_edit.html", {"form": form, "household": household})


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, may_work_with_persons)
    household = selectors.household_for_user(actor, public_id)
    form = forms.MemberAddForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submission_seen(data.get("token"), "person") is not None:
            messages.info(request, _("This form was already sent; the member is registered."))
            return redirect("registry:household_detail", household.public_id)
        duplicates = selectors.likely_duplicates(
            actor, kana_name=data["kana"], birth_date=data.get("birth_date")
        )
        if duplicates and not data.get("confirm_not_duplicate"):
            form.add_error(
                None,
                ValidationError(
                    _(
                        "A person with the same kana and date of birth is already registered. "
                        "Check the list below before registering a new person."
                    ),
                    code=ErrorCode.POSSIBLE_DUPLICATE,
                ),
            )
        else:
            try:
                services.member_add(
                    actor=actor,
                    household=household,
                    person=form.person_input(),
                    relationship=data["relationship"],
                    started_on=data.get("started_on"),
                    token=data.get("token"),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The member was added."))
                return redirect("registry:household_detail", household.public_id)
    selectors.record_view(actor, household, purpose=Purpose.ADD_MEMBER)
    return render(
        request,
        "registry/member_form.html",
        {"form": form, "household": household, "duplicates": duplicates},
    )


def person_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, may_work_with_persons)
    detail = selectors.person_detail_for_user(actor, public_id)
    return render(
        request, "registry/person_detail.html", {"person": detail.person, "detail": detail}
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, may_work_with_persons)
    person = selectors.person_for_user(actor, public_id)
    form = forms.PersonEditForm(
        request.POST or None,
        initial={
            "name": person.name,
            "kana": person.kana,
            "birth_date": person.birth_date,
            "sex": person.sex,
            "person_area": person.area,
            "person_phone": person.phone,
            "died_on": person.died_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=actor, person=person, data=form.person_input())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The person's details were updated."))
            return redirect("registry:person_detail", person.public_id)
    selectors.record_view(actor, person, purpose=Purpose.EDIT)
    return render(request, "registry/person_edit.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, public_id: UUID, membership_id: UUID) -> HttpResponse:
    actor = require_role(request, may_work_with_persons)
    household = selectors.household_for_user(actor, public_id)
    current = household.current_memberships  # type: ignore[attr-defined]
    membership = next((m for m in current if m.public_id == membership_id), None)
    if membership is None:
        raise Http404
    form = forms.MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(
                actor=actor, membership=membership, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The member's leaving was recorded."))
            return redirect("registry:household_detail", household.public_id)
    selectors.record_view(actor, household, purpose=Purpose.END_MEMBERSHIP)
    return render(
        request,
        "registry/membership_end.html",
        {"form": form, "household": household, "membership": membership},
    )


@require_http_methods(["GET", "POST"])
def relation_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, may_work_with_persons)
    household = selectors.household_for_user(actor, public_id)
    current = household.current_memberships  # type: ignore[attr-defined]
    members = [m.person for m in current]
    form = forms.RelationForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        from_person, to_person = form.persons()
        try:
            services.relation_create(
                actor=actor,
                from_person=from_person,
                to_person=to_person,
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        except IntegrityError:
            form.add_error(
                None,
                ValidationError(
                    _("This relation is already recorded."), code=ErrorCode.RELATION_EXISTS
                ),
            )
        else:
            messages.success(request, _("The family relation was recorded."))
            return redirect("registry:household_detail", household.public_id)
    selectors.record_view(actor, household, purpose=Purpose.ADD_RELATION)
    return render(request, "registry/relation_form.html", {"form": form, "household": household})
