"""Reference data named in request bodies. Agencies are not personal data: no privacy
selector, no audit; an unknown id is the client's error, reported on its field."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency
from kasane.api.error_codes import ErrorCode


def agency_by_id(public_id: UUID, field: str) -> Agency:
    agency = Agency.objects.filter(public_id=public_id).first()
    if agency is None:
        raise ValidationError(
            {
                field: ValidationError(
                    _("There is no agency with this id."), code=ErrorCode.UNKNOWN_AGENCY
                )
            }
        )
    return agency
