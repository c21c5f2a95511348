"""The concern reports as CSV, for the outreach team."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kasane.core.exports import csv_response, requested_encoding
from kasane.core.web import require_role
from kasane.outreach import exports
from kasane.privacy import outreach as outreach_policy


@require_GET
def report_list_csv(request: HttpRequest) -> HttpResponse:
    """Every concern report, unanswered first, as on the report list; audited."""
    actor = require_role(request, outreach_policy.works_outreach)
    header = [
        _("received"),
        _("from"),
        _("area"),
        _("address"),
        _("what was noticed"),
        _("urgency"),
        _("status"),
    ]
    rows = (
        [
            r.received_at,
            r.reporter_agency.name if r.reporter_agency else None,
            r.area.name if r.area else None,
            r.address,
            "、".join(r.sign_labels()),
            r.get_urgency_display(),
            r.get_status_display(),
        ]
        for r in exports.concern_report_export_for_user(actor)
    )
    filename = f"{_('Concern reports')}_{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, header, rows, encoding=requested_encoding(request.GET))
