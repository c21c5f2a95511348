"""The coordinator's board as CSV."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.cases import exports, forms
from kasane.core.dates import fiscal_year, fiscal_year_label, local_date
from kasane.core.exports import csv_response, requested_encoding
from kasane.core.web import require_role
from kasane.privacy.cases import is_coordinator


def board_csv(request: HttpRequest) -> HttpResponse:
    """The cases sent to coordination in the board's 年度 (``?year=``), by triage; 404 to
    anyone but a coordinator whatever the method, as the board."""
    actor = require_role(request, is_coordinator)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    year_form = forms.BoardYearForm(request.GET or None)
    year = fiscal_year(timezone.localdate())
    if year_form.is_valid() and year_form.cleaned_data.get("year"):
        year = year_form.cleaned_data["year"]
    header = [
        _("case number"),
        _("head of household"),
        _("lead agency"),
        _("sent"),
        _("triage"),
        _("support decision"),
        _("status"),
    ]
    rows = (
        [
            case.number,
            # Only heads the actor may read were fetched; the others stay blank.
            case.household.heads[0].person.name if case.household.heads else None,  # type: ignore[attr-defined]
            case.lead_agency.name if case.lead_agency else None,
            local_date(case.sent_to_coordination_at),
            case.get_triage_display() if case.triage else None,
            local_date(case.accepted_at),
            case.get_status_display(),
        ]
        for case in exports.coordination_board_export_for_user(actor, year)
    )
    filename = f"{_('Coordination board')}_{fiscal_year_label(year)}.csv"
    return csv_response(filename, header, rows, encoding=requested_encoding(request.GET))
