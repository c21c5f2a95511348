"""相談受付: recording a consultation, and what it starts (a case, a referral, coordination)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit import services as audit
from kasane.audit.changes import changed
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.core.agencies import not_a_support_agency
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.core.models import Domain
from kasane.core.row_version import compare_and_set
from kasane.core.services import submission_record, submission_seen
from kasane.intake.builders import build_consultation, build_needs
from kasane.intake.consenters import Consenter as Consenter
from kasane.intake.consenters import consenters_chosen, record_consents
from kasane.intake.error_codes import ErrorCode
from kasane.intake.models import Consultation, ConsultationNeed, NeedType, Outcome
from kasane.privacy.cases import require_case_worker
from kasane.registry import selectors
from kasane.registry.models import Area, Household, Person
from kasane.registry.services import PersonInput, household_create, member_add


@dataclass(frozen=True)
class NewHousehold:
    """A household met for the first time at intake: its head and the other members."""

    head: PersonInput
    address: str = ""
    area: Area | None = None
    phone: str = ""
    members: Sequence[tuple[PersonInput, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReferralRequest:
    to_agency: Agency
    reason: str
    request: str


def _current_household(persons: Sequence[Person]) -> Household | None:
    households = {
        m.household
        for p in persons
        for m in p.memberships.filter(ended_on__isnull=True).select_related("household")
    }
    return households.pop() if len(households) == 1 else None


def _validate(
    *,
    received_at: datetime.datetime,
    needs: Sequence[NeedType],
    main_need: NeedType | None,
    domains: Sequence[str],
    summary: str,
    outcome: str,
    referral: ReferralRequest | None,
    coordination_reason: str,
) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def add(name: str, message: str, code: ErrorCode | CoreCode) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        add("received_at", _("The date cannot be in the future."), CoreCode.FUTURE)
    if not needs:
        add("needs", _("Choose at least one need."), ErrorCode.NEEDS_REQUIRED)
    if main_need is None:
        add("main_need", _("Choose the main complaint."), ErrorCode.MAIN_NEED_REQUIRED)
    elif main_need not in needs:
        add(
            "main_need",
            _("The main complaint must be one of the needs."),
            ErrorCode.MAIN_NEED_NOT_IN_NEEDS,
        )
    if any(d not in Domain.values for d in domains):
        add("domains", _("Choose domains from the list."), ErrorCode.BAD_DOMAIN)
    if not summary.strip():
        add("summary", _("Write a summary of the consultation."), ErrorCode.SUMMARY_REQUIRED)
    if outcome not in Outcome.values:
        add("outcome", _("Choose the outcome."), CoreCode.OUTCOME_REQUIRED)
    if outcome == Outcome.REFERRED and referral is None:
        add("referral", _("Choose the agency you refer to."), ErrorCode.REFERRAL_REQUIRED)
    if referral is not None and not referral.to_agency.gives_support:
        errors.setdefault("referral", []).append(not_a_support_agency(referral.to_agency))
    if outcome == Outcome.COORDINATION and not coordination_reason.strip():
        add(
            "coordination_reason",
            _("Say why the case needs multi-agency coordination."),
            CoreCode.REASON_REQUIRED,
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consultation_record(
    *,
    actor: Staff,
    received_at: datetime.datetime,
    requester: str,
    channel: str,
    household: Household | None = None,
    persons: Sequence[Person] = (),
    new_household: NewHousehold | None = None,
    needs: Sequence[NeedType],
    main_need: NeedType | None,
    domains: Sequence[str] = (),
    summary: str,
    outcome: str,
    consent_to_share: bool = False,
    consenters: Sequence[Consenter] | None = None,
    referral: ReferralRequest | None = None,
    coordination_reason: str = "",
    token: UUID | None = None,
) -> Consultation:
    """Record one consultation, taken by the actor's agency whatever its domain.

    A consultation is about a household or at least one person (found first, or registered
    here as a new household). Referring it or sending it to coordination opens a case for
    the household — or uses the open case the agency is already on — so that the ball is in
    someone's hands from the first contact.

    "Consented to sharing" records a consent for each member who gave it (``consenters``;
    by default the persons consulted, or the head of a new household), never for the others.
    """
    require_case_worker(actor)
    assert actor.agency is not None
    previous = submission_seen(token, "consultation")
    if previous is not None:
        # The same form posted again: the consultation it made, if it is this agency's.
        earlier = Consultation.objects.filter(public_id=previous, agency=actor.agency).first()
        if earlier is None:
            raise PermissionDenied
        return earlier
    if household is not None and new_household is not None:
        raise ValidationError(
            _("Choose a registered household or register a new one, not both."),
            code=ErrorCode.TWO_HOUSEHOLDS,
        )
    if household is not None:
        visible = selectors.visible_households(actor).filter(pk=household.pk).exists()
        if not visible:
            raise PermissionDenied
        members = set(
            household.memberships.filter(ended_on__isnull=True).values_list("person_id", flat=True)
        )
        if any(p.pk not in members for p in persons):
            raise ValidationError(
                _("The persons concerned must be current members of the household."),
                code=ErrorCode.PERSON_NOT_IN_HOUSEHOLD,
            )
    if referral is not None and outcome != Outcome.REFERRED:
        raise ValidationError(
            _("A referral goes with the outcome “referred to another agency”."),
            code=ErrorCode.REFERRAL_WITHOUT_OUTCOME,
        )
    if household is None and not persons and new_household is None:
        raise ValidationError(
            _("Choose the household or the person concerned, or register them as new."),
            code=ErrorCode.NO_SUBJECT,
        )
    _validate(
        received_at=received_at,
        needs=needs,
        main_need=main_need,
        domains=domains,
        summary=summary,
        outcome=outcome,
        referral=referral,
        coordination_reason=coordination_reason,
    )
    persons = list(persons)
    new_rows: list[Person] = []
    if new_household is not None:
        household = household_create(
            actor=actor,
            head=new_household.head,
            address=new_household.address,
            area=new_household.area,
            phone=new_household.phone,
            started_on=timezone.localtime(received_at).date(),
        )
        new_rows.extend(m.person for m in household.memberships.select_related("person"))
        for person_input, relationship in new_household.members:
            new_rows.append(
                member_add(
                    actor=actor,
                    household=household,
                    person=person_input,
                    relationship=relationship,
                    started_on=timezone.localtime(received_at).date(),
                )
            )
        persons.extend(new_rows)
    if household is None:
        household = _current_household(persons)
    # A household already in support keeps one timeline: whatever the outcome, the
    # consultation joins the open case the agency is on.
    case: Case | None = (
        case_services.open_case_of_household(actor, household) if household is not None else None
    )
    if outcome in (Outcome.REFERRED, Outcome.COORDINATION) and case is None:
        if household is None:
            raise ValidationError(
                _("To refer or send to coordination, the persons must belong to one household."),
                code=CoreCode.NO_HOUSEHOLD,
            )
        case = case_services.case_open(actor=actor, household=household, opened_at=received_at)
    consultation = build_consultation(
        actor=actor,
        received_at=received_at,
        requester=requester,
        channel=channel,
        household=household,
        domains=domains,
        summary=summary,
        outcome=outcome,
        consent_to_share=consent_to_share or bool(consenters),
        case=case,
    )
    consultation.full_clean()
    consultation.save()
    consultation.persons.set(persons)
    ConsultationNeed.objects.bulk_create(build_needs(consultation, needs, main_need))
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.CONSULTATION,
        object_id=str(consultation.public_id),
        detail={"persons": [str(p.public_id) for p in persons]},
    )
    if consent_to_share or consenters:
        record_consents(
            actor=actor,
            chosen=consenters_chosen(consenters, household, persons, new_rows),
            referral=referral,
            received_at=received_at,
            to_coordination=outcome == Outcome.COORDINATION,
        )
    if case is not None:
        case_services.record_consultation_event(case, consultation, actor)
        if outcome == Outcome.REFERRED and referral is not None:
            case_services.referral_create(
                actor=actor,
                case=case,
                to_agency=referral.to_agency,
                reason=referral.reason,
                request=referral.request,
                consultation=consultation,
            )
        elif outcome == Outcome.COORDINATION and case.sent_to_coordination_at is None:
            case_services.case_send_to_coordination(
                actor=actor, case=case, reason=coordination_reason
            )
    submission_record(token, "consultation", consultation.public_id)
    return consultation


@transaction.atomic
def consultation_update(
    *,
    actor: Staff,
    consultation: Consultation,
    received_at: datetime.datetime,
    requester: str,
    channel: str,
    domains: Sequence[str],
    summary: str,
    row_version: int | None = None,
) -> Consultation:
    """Correct the 相談受付票 afterwards: when, who asked, how, the domains and the summary.
    Only staff of the agency that took the consultation correct it. What it started (a case,
    a referral, coordination) is not undone here: those have their own records.

    With ``row_version`` (the count the editor opened it at) the save is a compare-and-set:
    if somebody saved the consultation since, nothing is saved and ``EditConflict`` is raised
    (kasane.core.row_version)."""
    require_case_worker(actor)
    consultation = Consultation.objects.get(pk=consultation.pk)
    if consultation.agency_id != actor.agency_id:
        raise PermissionDenied
    errors: dict[str, list[ValidationError]] = {}
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["received_at"] = [
            ValidationError(_("The date cannot be in the future."), code=CoreCode.FUTURE)
        ]
    if any(d not in Domain.values for d in domains):
        errors["domains"] = [
            ValidationError(_("Choose domains from the list."), code=ErrorCode.BAD_DOMAIN)
        ]
    if not summary.strip():
        errors["summary"] = [
            ValidationError(
                _("Write a summary of the consultation."), code=ErrorCode.SUMMARY_REQUIRED
            )
        ]
    if errors:
        raise ValidationError(errors)
    values = {
        "received_at": received_at,
        "requester": requester,
        "channel": channel,
        "domains": list(dict.fromkeys(domains)),
        "summary": summary.strip(),
    }
    changed = [name for name, value in values.items() if getattr(consultation, name) != value]
    for name, value in values.items():
        setattr(consultation, name, value)
    consultation.full_clean(exclude=["persons"])
    consultation.row_version = compare_and_set(
        Consultation,
        pk=consultation.pk,
        expected=row_version,
        object_type="consultation",
        values=values,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.CONSULTATION,
        object_id=str(consultation.public_id),
        detail={"fields": changed},
    )
    return consultation


@transaction.atomic
def need_type_create(
    *, code: str, name: str, sort_order: int = 100, actor: Staff | None = None
) -> NeedType:
    """Extend the taxonomy (administrators, through the admin site or a command); audited
    with its values (``actor`` None: a command)."""
    need = NeedType(code=code, name=name, sort_order=sort_order)
    need.full_clean()
    need.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.NEEDTYPE,
        object_id=str(need.public_id),
        detail={"changed": changed({}, {"code": code, "name": name, "sort_order": sort_order})},
        actor_username=None if actor is not None else "system",
    )
    return need
