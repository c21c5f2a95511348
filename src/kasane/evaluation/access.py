"""Who may see and change what in evaluation. Aggregates only: no page of this app reads a
person; analysts in addition never see a case number, and counts under 5 are hidden from
them (``kasane.core.suppression``)."""

from __future__ import annotations

from kasane.accounts.models import AgencyType, Role, Staff
from kasane.core import publication


def may_see(actor: Staff) -> bool:
    """The dashboard, logic model, report, self-assessment and staffing pages."""
    return actor.is_active and actor.role in (Role.COORDINATOR, Role.ANALYST)


def aggregates_only(actor: Staff) -> bool:
    """True for analysts: no case numbers, no names, small counts suppressed."""
    return actor.role != Role.COORDINATOR


def exact_figures(user: object) -> bool:
    """Coordinators see the figures up to now; everyone else the published ones, which stop
    at the start of the month (``kasane.core.publication``)."""
    return isinstance(user, Staff) and not aggregates_only(user)


# The decorator of every view of figures.
published_figures = publication.published_figures(exact_figures)


def may_edit(actor: Staff) -> bool:
    """Targets, hand-entered values, the self-assessment, PDCA records and staffing
    assumptions: the municipality's coordinators."""
    agency = actor.agency
    return (
        actor.is_active
        and actor.role == Role.COORDINATOR
        and agency is not None
        and agency.agency_type == AgencyType.MUNICIPALITY
    )
