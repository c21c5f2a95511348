"""Which cases an actor reaches (``privacy.cases``), and the one-case reads built on it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType, Purpose
from kasane.cases.models import Case
from kasane.privacy.cases import case_basis, case_scope
from kasane.privacy.policy import person_scope
from kasane.registry.models import Membership, Person, Relationship


def household_heads(
    actor: Staff | None = None, path: str = "household__memberships"
) -> Prefetch[Any]:
    """The head of each case's household, for labels, in one extra query.

    With an actor, only heads the actor may read (``person_scope``): a case whose details
    the agency has no basis to read is labelled by its number alone.
    """
    heads = Membership.objects.filter(ended_on__isnull=True, relationship=Relationship.HEAD)
    if actor is not None:
        scope = person_scope(actor)
        heads = (
            heads.none() if scope is None else heads.filter(person__in=Person.objects.filter(scope))
        )
    return Prefetch(path, queryset=heads.select_related("person"), to_attr="heads")


def visible_cases(actor: Staff) -> QuerySet[Case]:
    scope = case_scope(actor)
    return Case.objects.none() if scope is None else Case.objects.filter(scope)


def _get_case(actor: Staff, public_id: UUID | str) -> Case:
    try:
        return (
            visible_cases(actor)
            .select_related("household", "lead_agency")
            .prefetch_related(household_heads(actor))
            .get(public_id=public_id)
        )
    except (Case.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def checked_case(actor: Staff, public_id: UUID | str) -> Case:
    """The case, if the actor may reach it (404 otherwise), for a change or a part of a page.

    Only a check: it writes nothing to the audit log. The service that changes the case
    records the change; a page that shows the case records its view
    (:func:`record_case_view`); a part of the case page records what it shows. So one action
    is one event (the rule is in ``kasane.audit.services``)."""
    case = _get_case(actor, public_id)
    if case_basis(actor, case) is None:  # pragma: no cover - visible_cases applied the same policy
        raise Http404
    return case


def record_case_view(actor: Staff, case: Case, *, purpose: Purpose = Purpose.VIEW) -> None:
    """Record that the actor was shown the case, with the basis it was shown on."""
    basis = case_basis(actor, case)
    if basis is None:  # pragma: no cover - the case came through visible_cases
        raise Http404
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        purpose=purpose,
    )


@transaction.atomic
def get_case_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> Case:
    """One case the actor may read (404 otherwise), its view recorded."""
    case = _get_case(actor, public_id)
    record_case_view(actor, case, purpose=purpose)
    return case


def _get_for_agency(queryset: QuerySet[Any], public_id: UUID | str) -> Any:
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
