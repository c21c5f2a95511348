"""Every change of the catalogue of places to take part (参加支援カタログ).

The catalogue holds no personal data — it is published — so its audit events carry
``LegalBasis.NONE``; they are still written, in the same transaction as the change, so that
the city can tell who changed an entry and when. Only participation support workers and
coordinators edit the catalogue (:func:`can_edit_catalogue`); imports from the command line
run as the system (no actor).
"""

from kasane.participation.catalogue.services.entries import (
    opportunity_create,
    opportunity_mark_checked,
    opportunity_update,
    resource_update,
)
from kasane.participation.catalogue.services.hsds_import import (
    CatalogueImportError,
    ImportResult,
    catalogue_import,
)
from kasane.participation.catalogue.services.inputs import (
    EDITOR_ROLES,
    OPPORTUNITY_FIELDS,
    OpportunityInput,
    ResourceInput,
    ScheduleInput,
    can_edit_catalogue,
)

__all__ = [
    "EDITOR_ROLES",
    "OPPORTUNITY_FIELDS",
    "CatalogueImportError",
    "ImportResult",
    "OpportunityInput",
    "ResourceInput",
    "ScheduleInput",
    "can_edit_catalogue",
    "catalogue_import",
    "opportunity_create",
    "opportunity_mark_checked",
    "opportunity_update",
    "resource_update",
]
