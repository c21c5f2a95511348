"""相談受付 pages: find the person first, then record the consultation once."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kasane.accounts.models import Staff
from kasane.audit.models import Purpose
from kasane.core.exports import csv_response, requested_encoding
from kasane.core.row_version import EditConflict
from kasane.core.services import submission_seen
from kasane.core.web import apply_errors, page_number, require_role
from kasane.intake import exports, forms, services
from kasane.intake import selectors as intake_selectors
from kasane.intake.models import Consultation
from kasane.privacy.cases import works_cases
from kasane.registry import selectors
from kasane.registry.forms import PersonSearchForm

if TYPE_CHECKING:  # annotations only: pages read persons through the selectors
    from kasane.registry.models import Household, Person


def start(request: HttpRequest) -> HttpResponse:
    """Search first (名寄せ): the person may already be known. Then record the consultation."""
    actor = require_role(request, works_cases)
    page = intake_selectors.consultation_list_for_user(actor, page_number(request))
    return render(request, "intake/start.html", {"page": page, "form": PersonSearchForm()})


@require_http_methods(["GET"])
def consultation_list_csv(request: HttpRequest) -> HttpResponse:
    """The agency's consultations as CSV (``?encoding=cp932`` for older Excel); audited."""
    actor = require_role(request, works_cases)
    encoding = requested_encoding(request.GET)
    consultations = exports.consultation_list_export_for_user(actor)
    header = [
        _("received at"),
        _("household"),
        _("main complaint"),
        _("needs"),
        _("channel"),
        _("outcome"),
        _("case number"),
        _("received by"),
    ]
    rows = (
        [
            c.received_at,
            # The head as the page shows it (cases/_household_label.html).
            c.household.heads[0].person.name  # type: ignore[attr-defined]
            if c.household and c.household.heads  # type: ignore[attr-defined]
            else None,
            next((n.need_type.name for n in c.needs.all() if n.is_main), None),
            "、".join(n.need_type.name for n in c.needs.all()),
            c.get_channel_display(),
            c.get_outcome_display(),
            c.case.number if c.case else None,
            str(c.staff),
        ]
        for c in consultations
    )
    filename = f"{_('Consultations')}_{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, header, rows, encoding=encoding)


@require_http_methods(["POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Persons found for intake, each with a link to record a consultation for its household."""
    actor = require_role(request, works_cases)
    form = PersonSearchForm(request.POST)
    result = selectors.search_persons(actor, form.cleaned_data["q"]) if form.is_valid() else None
    return render(request, "intake/_pick_results.html", {"form": form, "result": result})


def _duplicates(
    actor: Staff, household_form: forms.NewHouseholdForm, rows: forms.BasePersonRowFormSet
) -> list[Person]:
    """People already registered with the kana and date of birth of a new household's rows.

    Unless the worker confirmed they are not the same, the household form is refused."""
    duplicates: list[Person] = []
    for row in rows.rows():
        duplicates.extend(
            selectors.likely_duplicates(
                actor,
                kana_name=row.cleaned_data["kana"],
                birth_date=row.cleaned_data.get("birth_date"),
            )
        )
    if duplicates and not household_form.cleaned_data.get("confirm_not_duplicate"):
        household_form.add_error(
            None,
            _(
                "A person with the same kana and date of birth is already registered. "
                "Record the consultation for that household instead, or confirm below."
            ),
        )
    return duplicates


def _consultation_record(
    actor: Staff,
    form: forms.ConsultationForm,
    household: Household | None,
    household_form: forms.NewHouseholdForm | None,
    rows: forms.BasePersonRowFormSet | None,
) -> Consultation | None:
    """The consultation recorded from valid forms, or None with the refusal on the form."""
    data = form.cleaned_data
    try:
        return services.consultation_record(
            actor=actor,
            received_at=data["received_at"],
            requester=data["requester"],
            channel=data["channel"],
            household=household,
            persons=list(data.get("persons") or []),
            new_household=rows.new_household(household_form)
            if rows is not None and household_form is not None
            else None,
            needs=list(data["needs"]),
            main_need=data["main_need"],
            domains=data["domains"],
            summary=data["summary"],
            outcome=data["outcome"],
            consent_to_share=data["consent_to_share"],
            consenters=form.consenters_given(rows) if data["consent_to_share"] else None,
            referral=form.referral(),
            coordination_reason=data.get("coordination_reason", ""),
            token=data.get("token"),
        )
    except ValidationError as error:
        apply_errors(form, error)
    except PermissionDenied:
        form.add_error(None, _("Your agency cannot record a consultation for this household."))
    return None


def _record(
    request: HttpRequest,
    actor: Staff,
    *,
    household: Household | None,
    members: list[Person],
) -> HttpResponse:
    form = forms.ConsultationForm(request.POST or None, agency_id=actor.agency_id, members=members)
    new = household is None
    household_form = forms.NewHouseholdForm(request.POST or None, prefix="hh") if new else None
    rows = (
        cast(forms.BasePersonRowFormSet, forms.PersonRowFormSet(request.POST or None, prefix="p"))
        if new
        else None
    )
    duplicates: list[Person] = []
    if request.method == "POST":
        valid = form.is_valid()
        if new:
            assert household_form is not None and rows is not None
            valid = household_form.is_valid() and rows.is_valid() and valid
        token = form.cleaned_data.get("token") if valid else None
        already = submission_seen(token, "consultation")
        if already is not None:
            messages.info(request, _("This form was already sent; the consultation is recorded."))
            return redirect("intake:consultation_detail", already)
        if valid and new:
            assert household_form is not None and rows is not None
            duplicates = _duplicates(actor, household_form, rows)
            valid = not household_form.errors  # refused by _duplicates when unconfirmed
        if valid:
            consultation = _consultation_record(actor, form, household, household_form, rows)
            if consultation is not None:
                messages.success(request, _("The consultation was recorded."))
                if consultation.case is not None:
                    return redirect("cases:case_detail", consultation.case.public_id)
                return redirect("intake:consultation_detail", consultation.public_id)
    if household is not None:
        # The form is shown with the household's members: one view (a saved form is audited
        # by the service that records the consultation, not as a view besides).
        selectors.record_view(actor, household, purpose=Purpose.INTAKE)
    return render(
        request,
        "intake/consultation_form.html",
        {
            "form": form,
            "household": household,
            "members": members,
            "household_form": household_form,
            "rows": rows,
            "duplicates": list(dict.fromkeys(duplicates)),
        },
    )


@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    """A consultation about a household nobody has registered yet."""
    actor = require_role(request, works_cases)
    return _record(request, actor, household=None, members=[])


@require_http_methods(["GET", "POST"])
def record_for_household(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    household = selectors.household_for_user(actor, public_id)
    members = [m.person for m in household.current_memberships]  # type: ignore[attr-defined]
    return _record(request, actor, household=household, members=members)


def consultation_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    consultation: Consultation = intake_selectors.get_consultation_for_user(actor, public_id)
    return render(
        request,
        "intake/consultation_detail.html",
        {
            "consultation": consultation,
            "show_summary": intake_selectors.summary_visible(actor, consultation),
            "may_edit": consultation.agency_id == actor.agency_id,
        },
    )


@require_http_methods(["GET", "POST"])
def consultation_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Correct the 相談受付票 (the receiving agency only; others get 404). Opened at the
    record's ``row_version``: a save after somebody else's is refused, showing what changed."""
    actor = require_role(request, works_cases)
    # Another agency's consultation is refused before it is read: nothing is audited.
    consultation = intake_selectors.own_consultation_for_user(actor, public_id)
    form = forms.ConsultationEditForm(request.POST or None, record=consultation)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consultation_update(
                actor=actor,
                consultation=consultation,
                received_at=data["received_at"],
                requester=data["requester"],
                channel=data["channel"],
                domains=data["domains"],
                summary=data["summary"],
                row_version=data["row_version"],
            )
        except EditConflict:
            consultation = intake_selectors.own_consultation_for_user(actor, public_id)
            conflict = form.conflict(consultation)
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The consultation was saved."))
            return redirect("intake:consultation_detail", consultation.public_id)
    intake_selectors.record_consultation_view(actor, consultation)
    return render(
        request,
        "intake/consultation_edit.html",
        {"consultation": consultation, "form": form, "conflict": conflict},
        status=409 if conflict is not None else 200,
    )
