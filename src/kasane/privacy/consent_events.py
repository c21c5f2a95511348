"""A consent's history: each event appended, and audited in words with the case numbers."""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation

from kasane.accounts.models import AgencyType, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.privacy.cases import agency_id_of
from kasane.privacy.models import Consent, ConsentEvent, ConsentEventKind, ConsentPurpose
from kasane.registry.models import Person


def person_cases(person_id: int) -> dict[int, str]:
    """The cases (id → number) of every household the person belongs or belonged to."""
    return dict(
        Case.objects.filter(household__memberships__person_id=person_id)
        .distinct()
        .order_by("number")
        .values_list("pk", "number")
    )


def case_numbers(person: Person) -> list[str]:
    """The numbers of the cases of every household the person belongs or belonged to."""
    return list(person_cases(person.pk).values())


EVENT_WORDS = {
    ConsentEventKind.GIVEN: "同意の記録",
    ConsentEventKind.NARROWED: "同意の一部撤回",
    ConsentEventKind.WITHDRAWN: "同意の撤回",
}


def _words(kind: str, cases: list[str], removed: dict[str, Any]) -> str:
    """The event in Japanese words for the audit page (the log is read in Japanese)."""
    with translation.override("ja"):
        parts = list(removed.get("agency_names", []))
        labels = dict(AgencyType.choices)
        parts += [str(labels.get(t, t)) for t in removed.get("agency_types", [])]
        purposes = dict(ConsentPurpose.choices)
        parts += [str(purposes.get(p, p)) for p in removed.get("purposes", [])]
    words = EVENT_WORDS[ConsentEventKind(kind)]
    if cases:
        words += f"（{'・'.join(cases)}）"
    if parts and kind == ConsentEventKind.NARROWED:
        words += "：" + "、".join(parts)
    return words


def log_event(
    *,
    actor: Staff,
    consent: Consent,
    kind: str,
    basis: LegalBasis,
    removed: dict[str, Any] | None = None,
    note: str = "",
) -> ConsentEvent:
    """The consent's history event and its audit row, named in words with the case numbers."""
    cases = case_numbers(consent.person)
    removed = removed or {}
    event = ConsentEvent.objects.create(
        consent=consent,
        kind=kind,
        at=timezone.now(),
        actor=actor,
        actor_agency_id=agency_id_of(actor),
        removed=removed,
        cases=cases,
        note=note,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if kind == ConsentEventKind.GIVEN else AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.CONSENT,
        object_id=str(consent.public_id),
        detail={
            "event": kind,
            "case": cases[0] if len(cases) == 1 else "、".join(cases),
            "cases": cases,
            "person": str(consent.person.public_id),
            "purposes": list(consent.purposes),
            "removed": {k: v for k, v in removed.items() if k != "agency_names"},
            "words": _words(kind, cases, removed),
        },
    )
    return event
