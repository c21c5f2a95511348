"""Who consented on the 相談受付・申込票, and the consent each of them gave."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.privacy.consent_services import GivenHow, consent_from_intake
from kasane.privacy.error_codes import ErrorCode as ConsentCode
from kasane.registry.models import Household, Person

if TYPE_CHECKING:
    from kasane.intake.services import ReferralRequest


@dataclass(frozen=True)
class Consenter:
    """A member who consented on the form, and how: a registered ``person``, or ``row`` of
    the new household met at intake (0 is its head, then the members in order)."""

    person: Person | None = None
    row: int | None = None
    how: GivenHow = field(default_factory=GivenHow)


def consenters_chosen(
    consenters: Sequence[Consenter] | None,
    household: Household | None,
    persons: Sequence[Person],
    new_rows: Sequence[Person],
) -> list[tuple[Person, GivenHow]]:
    """Who consented: the members named (each a current member of the household, or one of
    the persons concerned), by default the persons consulted or a new household's head."""
    if consenters is None:
        # The flag alone names nobody: no consent is recorded for anyone (the API's older
        # clients send it so); the form asks who consented.
        defaults = new_rows[:1] if new_rows else persons
        consenters = [Consenter(person=p) for p in defaults]
        if not consenters:
            return []
    members = (
        set(household.memberships.filter(ended_on__isnull=True).values_list("person_id", flat=True))
        if household is not None
        else {p.pk for p in persons}
    )
    chosen: dict[int, tuple[Person, GivenHow]] = {}
    for consenter in consenters:
        person = consenter.person
        if consenter.row is not None:
            person = new_rows[consenter.row] if 0 <= consenter.row < len(new_rows) else None
        if person is None or person.pk not in members:
            raise ValidationError(
                {
                    "consenters": ValidationError(
                        _("The one who consented must be a member of the household."),
                        code=ConsentCode.CONSENTER_NOT_MEMBER,
                    )
                }
            )
        chosen[person.pk] = (person, consenter.how)
    if not chosen:
        raise ValidationError(
            {
                "consenters": ValidationError(
                    _("Say which member consented to sharing (and how)."),
                    code=ConsentCode.CONSENTER_REQUIRED,
                )
            }
        )
    return list(chosen.values())


def record_consents(
    *,
    actor: Staff,
    chosen: list[tuple[Person, GivenHow]],
    referral: ReferralRequest | None,
    received_at: datetime.datetime,
    to_coordination: bool,
) -> None:
    if not chosen:
        return
    agency = actor.agency
    assert agency is not None
    consent_from_intake(
        actor=actor,
        consenters=chosen,
        agencies=[agency] + ([referral.to_agency] if referral is not None else []),
        obtained_on=timezone.localdate(received_at),
        to_coordination=to_coordination,
    )
