"""The household list as CSV."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kasane.core.exports import csv_response, requested_encoding
from kasane.core.web import require_role
from kasane.privacy.policy import may_work_with_persons
from kasane.registry import exports


@require_GET
def household_list_csv(request: HttpRequest) -> HttpResponse:
    """Every household the agency registered (``?encoding=cp932`` for older Excel);
    audited."""
    actor = require_role(request, may_work_with_persons, hide=False)
    header = [
        _("head of household"),
        _("kana"),
        _("members"),
        _("number of members"),
        _("address"),
        _("area"),
        _("phone"),
        _("registered"),
    ]
    rows = []
    for household in exports.household_list_export_for_user(actor):
        members = household.current_memberships  # type: ignore[attr-defined]
        head = next((m for m in members if m.relationship == "head"), None)
        rows.append(
            [
                head.person.name if head else None,
                head.person.kana if head else None,
                "、".join(m.person.name for m in members),
                len(members),
                household.address,
                household.area.name if household.area else None,
                household.phone,
                timezone.localdate(household.created_at),
            ]
        )
    filename = f"{_('Households')}_{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, header, rows, encoding=requested_encoding(request.GET))
