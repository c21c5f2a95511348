"""The meeting list as CSV."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kasane.core.exports import csv_response, requested_encoding
from kasane.core.web import require_role
from kasane.meetings import exports
from kasane.privacy.cases import works_cases


@require_GET
def meeting_list_csv(request: HttpRequest) -> HttpResponse:
    """Every meeting the agency holds or attends, as on the list: no case is named."""
    actor = require_role(request, works_cases)
    header = [
        _("date and time"),
        _("kind"),
        _("title"),
        _("held by"),
        _("place"),
        _("online"),
        _("cases"),
        _("status"),
    ]
    rows = (
        [
            m.held_at,
            m.get_kind_display(),
            m.title,
            m.organizer.name,
            m.place,
            m.online,
            m.cases,  # type: ignore[attr-defined]
            m.get_status_display(),
        ]
        for m in exports.meeting_list_export_for_user(actor)
    )
    filename = f"{_('Meetings')}_{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, header, rows, encoding=requested_encoding(request.GET))
