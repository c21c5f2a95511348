"""The whole list of consultations for the CSV export: the same records, under the same
rules, as the intake page (its own query), without the paging, and audited as one export
with every record's id in the same transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.intake.models import Consultation
from kasane.intake.selectors import _with_details
from kasane.privacy.cases import agency_id_of, works_cases


@transaction.atomic
def consultation_list_export_for_user(actor: Staff) -> list[Consultation]:
    """Every consultation the actor's agency received, newest first (as on the intake page);
    audited as ``consultation_list_export`` when there is one."""
    if not works_cases(actor):
        raise Http404
    consultations = list(
        _with_details(Consultation.objects.filter(agency_id=agency_id_of(actor)), actor).order_by(
            "-received_at", "-id"
        )
    )
    if consultations:
        audit.record(
            actor=actor,
            action=AuditAction.DOWNLOAD,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.CONSULTATION_LIST_EXPORT,
            detail={"consultations": [str(c.public_id) for c in consultations]},
        )
    return consultations
