"""An outreach target becomes a case, with nothing typed twice."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.outreach.error_codes import ErrorCode
from kasane.outreach.models import (
    ChangeKind,
    OutreachTarget,
    Stage,
)
from kasane.outreach.services.base import (
    _change,
    _check_person,
    _lock,
    _now,
    _require_open,
    _target_basis,
)
from kasane.privacy.models import ConsentPurpose
from kasane.privacy.services import ConsentInput, consent_record
from kasane.registry.models import Household, Membership, Person
from kasane.registry.services import PersonInput, household_create


def _household_of(person: Person) -> Household | None:
    membership = (
        Membership.objects.filter(person=person, ended_on__isnull=True)
        .select_related("household")
        .order_by("-started_on")
        .first()
    )
    return membership.household if membership else None


def _household_for(
    actor: Staff, target: OutreachTarget, birth_date: datetime.date | None
) -> tuple[Household, Person]:
    """The registered person's household, or one registered from what the target holds."""
    person = target.person
    if person is None:
        if not target.name or not target.kana:
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("Write the person's name and its kana on the target first."),
                        code=ErrorCode.NO_NAME,
                    )
                }
            )
        household = household_create(
            actor=actor,
            head=PersonInput(
                name=target.name, kana=target.kana, birth_date=birth_date, area=target.area
            ),
            address=target.address,
            area=target.area,
        )
        person = household.memberships.get().person
        target.person = person
        return household, person
    _check_person(actor, person)
    found = _household_of(person)
    if found is None:
        raise ValidationError(
            _("The person belongs to no household in the registry."), code=CoreCode.NO_HOUSEHOLD
        )
    return found, person


def _record_consent(
    actor: Staff, target: OutreachTarget, person: Person, consent: ConsentInput
) -> None:
    """The person's consent as given, always covering outreach and the target's agency."""
    purposes = sorted(set(consent.purposes) | {ConsentPurpose.OUTREACH})
    consent_record(
        actor=actor,
        person=person,
        data=ConsentInput(
            purposes=purposes,
            method=consent.method,
            obtained_on=consent.obtained_on,
            agencies=consent.agencies or [target.agency],
            agency_types=consent.agency_types,
            proxy_name=consent.proxy_name,
            proxy_relation=consent.proxy_relation,
            expires_on=consent.expires_on,
            note=consent.note,
        ),
    )


@transaction.atomic
def target_to_case(
    *,
    actor: Staff,
    target: OutreachTarget,
    consent: ConsentInput,
    birth_date: datetime.date | None = None,
) -> Case:
    """The target becomes a case, with nothing typed twice.

    The registered person's household is used; without one, a household is registered from
    what the target holds (name, kana, address, area). The case is led by the actor's
    agency (or the household's open case the agency is on is reused), the person's consent
    is recorded, and the stage moves to 支援.
    """
    basis = _target_basis(actor, target)
    target = _lock(target)
    _require_open(target)
    if target.case_id is not None:
        raise ValidationError(_("This target is already a case."), code=ErrorCode.ALREADY_CASE)
    household, person = _household_for(actor, target, birth_date)
    case = case_services.open_case_of_household(actor, household) or case_services.case_open(
        actor=actor, household=household
    )
    _record_consent(actor, target, person, consent)
    target.case = case
    previous = target.stage
    target.stage = Stage.SUPPORTED
    target.save(update_fields=["case", "person", "stage", "updated_at"])
    if previous != Stage.SUPPORTED:
        _change(
            target,
            ChangeKind.STAGE,
            actor,
            _now(),
            from_stage=previous,
            to_stage=Stage.SUPPORTED,
            note=_("Case %(number)s opened.") % {"number": case.number},
        )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"case": str(case.public_id), "person": str(person.public_id)},
    )
    return case
