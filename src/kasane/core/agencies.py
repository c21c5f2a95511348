"""The one refusal for an agency that gives no support, shared by the services that name an
agency to work on a case: a referral, a hand-over of the lead, the lead named by
coordination, a meeting's attendance, a task in a plan.

Which agencies give support is decided once, in ``kasane.accounts`` (``Agency.gives_support``,
by agency type); ``core`` imports no app, so it takes any object that answers it.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kasane.core.error_codes import ErrorCode


class AnAgency(Protocol):
    name: str

    @property
    def gives_support(self) -> bool: ...


def not_a_support_agency(agency: AnAgency) -> ValidationError:
    return ValidationError(
        _(
            "%(agency)s is not a support agency: watch-agreement businesses, the council of "
            "commissioned welfare volunteers and administrative offices cannot be referred "
            "to, take the lead, attend a meeting or take a task."
        )
        % {"agency": agency.name},
        code=ErrorCode.NOT_SUPPORT_AGENCY,
    )


def require_support_agency(agency: AnAgency) -> None:
    """Refuse an agency that gives no support (``ErrorCode.NOT_SUPPORT_AGENCY``)."""
    if not agency.gives_support:
        raise not_a_support_agency(agency)
