"""Reads of consultations: the receiving agency sees its own; a case team sees those on its
case, and their summary only where the person consented to sharing."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kasane.accounts.models import Staff
from kasane.intake.models import Consultation, ConsultationNeed
from kasane.privacy.audit import audit_record
from kasane.privacy.cases import agency_id_of, case_scope, works_cases
from kasane.privacy.models import AuditAction, LegalBasis
from kasane.registry.models import Membership, Relationship

LIST_PAGE_SIZE = 50


def visible_consultations(actor: Staff) -> QuerySet[Consultation]:
    scope = case_scope(actor)
    if scope is None:
        return Consultation.objects.none()
    from kasane.cases.models import Case

    return Consultation.objects.filter(
        Q(agency_id=actor.agency_id) | Q(case__in=Case.objects.filter(scope))
    )


def _with_details(queryset: QuerySet[Consultation]) -> QuerySet[Consultation]:
    return queryset.select_related("agency", "staff", "household", "case").prefetch_related(
        Prefetch(
            "needs",
            queryset=ConsultationNeed.objects.select_related("need_type"),
        ),
        Prefetch(
            "household__memberships",
            queryset=Membership.objects.filter(
                ended_on__isnull=True, relationship=Relationship.HEAD
            ).select_related("person"),
            to_attr="heads",
        ),
    )


@transaction.atomic
def consultation_list_for_user(actor: Staff, page: int = 1) -> Page[Consultation]:
    """The consultations the actor's agency received, newest first; audited."""
    if not works_cases(actor):
        raise Http404
    consultations = _with_details(
        Consultation.objects.filter(agency_id=agency_id_of(actor))
    ).order_by("-received_at", "-id")
    result = Paginator(consultations, LIST_PAGE_SIZE).get_page(page)
    if result.object_list:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type="consultation_list",
            detail={"consultations": [str(c.public_id) for c in result.object_list]},
        )
    return result


@transaction.atomic
def get_consultation_for_user(actor: Staff, public_id: UUID | str) -> Consultation:
    try:
        consultation = (
            _with_details(visible_consultations(actor))
            .prefetch_related("persons")
            .get(public_id=public_id)
        )
    except (Consultation.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    basis = (
        LegalBasis.OWN_AGENCY if consultation.agency_id == actor.agency_id else LegalBasis.CASE_TEAM
    )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type="consultation",
        object_id=str(consultation.public_id),
        detail={"persons": [str(p.public_id) for p in consultation.persons.all()]},
    )
    return consultation


def summary_visible(actor: Staff, consultation: Consultation) -> bool:
    """Within the team, the summary travels only with the person's consent."""
    return bool(consultation.agency_id == actor.agency_id or consultation.consent_to_share)
