"""Reads of consultations: the receiving agency sees its own; another agency sees those on a
case whose details it may read (``detail_scope``: a recorded basis, DESIGN.md "Meetings and the
legal basis of sharing"), and their summary only where that basis covers the agency itself.

An agency on the case's team without a basis (it accepted a referral, say) gets the same 404
as a stranger, and the refused read is not audited as a read.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.cases.selectors import household_heads
from kasane.intake.models import Consultation, ConsultationNeed
from kasane.privacy.cases import (
    agency_id_of,
    detail_basis,
    detail_scope,
    others_words_basis,
    works_cases,
)

LIST_PAGE_SIZE = 50


def visible_consultations(actor: Staff) -> QuerySet[Consultation]:
    """The agency's own consultations, and those on a case whose details it may read."""
    scope = detail_scope(actor)
    if scope is None:
        return Consultation.objects.none()
    return Consultation.objects.filter(
        Q(agency_id=actor.agency_id) | Q(case__in=Case.objects.filter(scope))
    )


def _with_details(queryset: QuerySet[Consultation], actor: Staff) -> QuerySet[Consultation]:
    """Agency, staff, case, needs and the household's head — only a head the actor may read
    (``person_scope``, as ``cases.selectors.household_heads``): a label never names someone
    the actor has no basis for."""
    return queryset.select_related(
        "agency", "staff", "household", "case__household"
    ).prefetch_related(
        Prefetch(
            "needs",
            queryset=ConsultationNeed.objects.select_related("need_type"),
        ),
        household_heads(actor),
    )


@transaction.atomic
def consultation_list_for_user(actor: Staff, page: int = 1) -> Page[Consultation]:
    """The consultations the actor's agency received, newest first; audited."""
    if not works_cases(actor):
        raise Http404
    consultations = _with_details(
        Consultation.objects.filter(agency_id=agency_id_of(actor)), actor
    ).order_by("-received_at", "-id")
    result = Paginator(consultations, LIST_PAGE_SIZE).get_page(page)
    if result.object_list:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.CONSULTATION_LIST,
            detail={"consultations": [str(c.public_id) for c in result.object_list]},
        )
    return result


def _get(
    actor: Staff, consultations: QuerySet[Consultation], public_id: UUID | str
) -> Consultation:
    try:
        return (
            _with_details(consultations, actor).prefetch_related("persons").get(public_id=public_id)
        )
    except (Consultation.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


@transaction.atomic
def get_consultation_for_user(actor: Staff, public_id: UUID | str) -> Consultation:
    """One consultation the actor may read (404 otherwise); audited with its basis."""
    consultation = _get(actor, visible_consultations(actor), public_id)
    if consultation.agency_id == actor.agency_id:
        basis: LegalBasis | None = LegalBasis.OWN_AGENCY
    else:
        assert consultation.case is not None
        basis = detail_basis(actor, consultation.case)
    if basis is None:  # pragma: no cover - visible_consultations applied the same policy
        raise Http404
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.CONSULTATION,
        object_id=consultation.public_id,
        detail={"persons": [str(p.public_id) for p in consultation.persons.all()]},
    )
    return consultation


@transaction.atomic
def own_consultation_for_user(actor: Staff, public_id: UUID | str) -> Consultation:
    """A consultation the actor's agency received, to correct it: any other is 404, refused
    before anything is read or audited. Not audited itself: a correction is audited by its
    service, the page by ``record_consultation_view``."""
    if not works_cases(actor):
        raise Http404
    own = Consultation.objects.filter(agency_id=agency_id_of(actor))
    consultation: Consultation = _get(actor, own, public_id)
    return consultation


def record_consultation_view(actor: Staff, consultation: Consultation) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.CONSULTATION,
        object_id=consultation.public_id,
        detail={"persons": [str(p.public_id) for p in consultation.persons.all()]},
    )


@transaction.atomic
def get_own_consultation_for_user(actor: Staff, public_id: UUID | str) -> Consultation:
    """``own_consultation_for_user``, its view recorded."""
    consultation = own_consultation_for_user(actor, public_id)
    record_consultation_view(actor, consultation)
    return consultation


def summary_basis(actor: Staff, consultation: Consultation) -> LegalBasis | None:
    """The basis on which the actor reads the consultation's summary — what the person told
    the receiving agency — or None.

    The receiving agency reads its own. Another agency only on a basis that covers the agency
    itself for this household: a consent in force naming it (or its type) for information
    sharing, a pledged 支援会議 that took up the case, or its break-glass. Ticking "consented to
    sharing" is no basis by itself (the consent it records names the agencies it covers), and
    leading the case or coordinating it reads the case, not the person's words to another
    agency. Call only for a consultation the actor may read (``get_consultation_for_user``).
    """
    if consultation.agency_id == actor.agency_id:
        return LegalBasis.OWN_AGENCY
    if consultation.case is None:
        return None
    return others_words_basis(actor, consultation.case)


def summary_visible(actor: Staff, consultation: Consultation) -> bool:
    return summary_basis(actor, consultation) is not None
