"""Recording, narrowing and withdrawing consents: each a person's own act, with its history.

A consent is recorded for the one person who gave it (or for whom a named proxy gave it);
narrowing removes agencies, agency types or purposes and keeps the rest; withdrawal ends it.
Each change appends a ``ConsentEvent``, refreshes the access grants and writes its audit row
(naming the event and the person's case numbers) in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import SUPPORT_AGENCY_TYPES, Agency, AgencyType, Staff
from kasane.audit.models import LegalBasis
from kasane.core.dates import age_on
from kasane.core.error_codes import ErrorCode as CoreErrorCode
from kasane.privacy import grants
from kasane.privacy.builders import build_consent
from kasane.privacy.consent_events import log_event
from kasane.privacy.error_codes import ErrorCode
from kasane.privacy.models import (
    Consent,
    ConsentEventKind,
    ConsentPurpose,
)
from kasane.privacy.models import ConsentMethod as ConsentMethod  # for pages and the API
from kasane.privacy.policy import basis_for
from kasane.registry.models import Person

# Below this age a person consents through a proxy (親権者 and the like): the guidance on
# the Act on the Protection of Personal Information takes 12 to 15 as the age from which a
# child can judge a consent; Kasane takes the upper end.
PROXY_BELOW_AGE = 15


@dataclass(frozen=True)
class ConsentInput:
    purposes: list[str]
    method: str
    obtained_on: datetime.date
    agencies: list[Agency] = field(default_factory=list)
    agency_types: list[str] = field(default_factory=list)
    proxy_name: str = ""
    proxy_relation: str = ""
    expires_on: datetime.date | None = None
    note: str = ""


@dataclass(frozen=True)
class ConsentChange:
    """What a narrowing takes away; ``entirely`` withdraws the whole consent."""

    agencies: list[Agency] = field(default_factory=list)
    agency_types: list[str] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    entirely: bool = False


def _person_basis(actor: Staff, person: Person) -> LegalBasis:
    basis = basis_for(actor, person)
    if basis is None:
        raise PermissionDenied
    return basis


def _age_on(person: Person, day: datetime.date) -> int | None:
    return None if person.birth_date is None else age_on(person.birth_date, day)


def _validate_agencies(data: ConsentInput, add: Any) -> None:
    if not data.agencies and not data.agency_types:
        add(
            "agencies",
            _("Name the agencies, or the types of agency, that the consent covers."),
            ErrorCode.NO_AGENCY,
        )
    refused = [a.name for a in data.agencies if not a.gives_support]
    if refused:
        add(
            "agencies",
            _(
                "%(names)s gives no support: a consent names only support agencies (not "
                "watch-agreement businesses, the welfare volunteers' council or "
                "administrative offices)."
            )
            % {"names": "、".join(refused)},
            CoreErrorCode.NOT_SUPPORT_AGENCY,
        )
    if set(data.agency_types) - set(AgencyType.values):
        add("agency_types", _("Unknown type of agency."), ErrorCode.BAD_AGENCY_TYPE)
    elif set(data.agency_types) - set(SUPPORT_AGENCY_TYPES):
        add(
            "agency_types",
            _(
                "A consent names only types of agency that give support (not watch-agreement "
                "businesses, the welfare volunteers' council or administrative offices)."
            ),
            CoreErrorCode.NOT_SUPPORT_AGENCY,
        )


def _validate(data: ConsentInput, person: Person, today: datetime.date) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def add(name: str, message: str, code: ErrorCode) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    if not data.purposes:
        add("purposes", _("Choose at least one purpose."), ErrorCode.NO_PURPOSE)
    if set(data.purposes) - set(ConsentPurpose.values):
        add("purposes", _("Unknown purpose."), ErrorCode.BAD_PURPOSE)
    _validate_agencies(data, add)
    if data.method not in ConsentMethod.values:
        add("method", _("Choose how the consent was obtained."), ErrorCode.BAD_METHOD)
    if data.method == ConsentMethod.PROXY:
        if not data.proxy_name.strip():
            add(
                "proxy_name",
                _("A consent given by a proxy needs the proxy's name."),
                ErrorCode.PROXY_REQUIRED,
            )
        if not data.proxy_relation.strip():
            add(
                "proxy_relation",
                _("A consent given by a proxy needs the proxy's relation to the person."),
                ErrorCode.PROXY_REQUIRED,
            )
    age = _age_on(person, data.obtained_on)
    if age is not None and age < PROXY_BELOW_AGE and data.method != ConsentMethod.PROXY:
        add(
            "method",
            _(
                "%(name)s is %(age)d: a child's consent is given by a proxy (a person with "
                "parental authority, a guardian…). Choose “by a proxy” and name them."
            )
            % {"name": person.name, "age": age},
            ErrorCode.CHILD_NEEDS_PROXY,
        )
    if data.obtained_on > today:
        add("obtained_on", _("The consent cannot be dated in the future."), ErrorCode.FUTURE)
    if data.expires_on is not None and data.expires_on < data.obtained_on:
        add(
            "expires_on",
            _("The consent cannot expire before it was obtained."),
            ErrorCode.EXPIRES_BEFORE,
        )
    if errors:
        raise ValidationError(errors)


def _create(*, actor: Staff, person: Person, data: ConsentInput, basis: LegalBasis) -> Consent:
    _validate(data, person, timezone.localdate())
    consent = build_consent(
        person=person,
        actor=actor,
        purposes=data.purposes,
        method=data.method,
        obtained_on=data.obtained_on,
        agency_types=data.agency_types,
        proxy_name=data.proxy_name,
        proxy_relation=data.proxy_relation,
        expires_on=data.expires_on,
        note=data.note,
    )
    consent.save()
    consent.agencies.set({a.pk: a for a in data.agencies}.values())
    log_event(actor=actor, consent=consent, kind=ConsentEventKind.GIVEN, basis=basis)
    return consent


@transaction.atomic
def consent_record(*, actor: Staff, person: Person, data: ConsentInput) -> Consent:
    """Record one person's consent to share, as stated on the 相談受付・申込票: only support
    agencies; a child's (under 15) consent only through a named proxy, whose name and
    relation a consent by proxy always records."""
    basis = _person_basis(actor, person)
    consent = _create(actor=actor, person=person, data=data, basis=basis)
    grants.refresh_person(person)
    return consent


@dataclass(frozen=True)
class GivenHow:
    """How one member gave the consent ticked on the 相談受付・申込票."""

    method: str = ConsentMethod.WRITTEN
    proxy_name: str = ""
    proxy_relation: str = ""


INTAKE_NOTE = "相談受付・申込票（情報共有に同意）"


def consent_from_intake(
    *,
    actor: Staff,
    consenters: Sequence[tuple[Person, GivenHow]],
    agencies: Iterable[Agency],
    obtained_on: datetime.date,
    to_coordination: bool,
) -> list[Consent]:
    """The consents given on the 相談受付・申込票, one per member who gave it — never one
    for a member who did not.

    Covers the receiving agency and the agency the consultation was referred to (and, when
    it goes to coordination, the municipal coordination) for sharing information and for
    the 重層的支援会議. The intake service has already checked the actor's access.
    """
    chosen = list({a.pk: a for a in agencies}.values())
    created = []
    errors: list[ValidationError] = []
    for person, how in consenters:
        data = ConsentInput(
            purposes=[ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.INTEGRATED_MEETING],
            method=how.method,
            obtained_on=obtained_on,
            agencies=chosen,
            agency_types=[AgencyType.MUNICIPALITY] if to_coordination else [],
            proxy_name=how.proxy_name,
            proxy_relation=how.proxy_relation,
            note=INTAKE_NOTE,
        )
        try:
            created.append(
                _create(actor=actor, person=person, data=data, basis=LegalBasis.OWN_AGENCY)
            )
        except ValidationError as error:
            for each in _flat(error):
                message = each.messages[0]
                if person.name not in message:
                    message = f"{person.name}：{message}"
                errors.append(ValidationError(message, code=each.code))
    if errors:
        raise ValidationError({"consenters": errors})
    # The members' households recomputed once, not once per consenting member.
    grants.refresh_persons(person.pk for person, _how in consenters)
    return created


def _flat(error: ValidationError) -> list[ValidationError]:
    lists = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
    return [each for errs in lists for each in errs]


def _removed(consent: Consent, current: list[Agency], change: ConsentChange) -> dict[str, Any]:
    """What the change takes away from what the consent holds now (``current``: its
    agencies; all of it, entirely)."""
    if change.entirely:
        agencies = current
        types = list(consent.agency_types)
        purposes = list(consent.purposes)
    else:
        asked = {a.pk for a in change.agencies}
        agencies = [a for a in current if a.pk in asked]
        types = [t for t in consent.agency_types if t in change.agency_types]
        purposes = [p for p in consent.purposes if p in change.purposes]
    return {
        "agencies": [str(a.public_id) for a in agencies],
        "agency_names": [a.name for a in agencies],
        "agency_types": types,
        "purposes": purposes,
    }


def apply_change(consent: Consent, change: ConsentChange, note: str) -> tuple[str, dict[str, Any]]:
    """Change the consent in the database as the change says: (event kind, what was removed).

    Nothing left to share with, or for, is a withdrawal."""
    if consent.withdrawn_at is not None:
        raise ValidationError(
            _("This consent was already withdrawn."), code=ErrorCode.ALREADY_WITHDRAWN
        )
    current = list(consent.agencies.all())
    removed = _removed(consent, current, change)
    if not (removed["agencies"] or removed["agency_types"] or removed["purposes"]):
        raise ValidationError(
            _("Choose the agencies, types of agency or purposes the person withdraws."),
            code=ErrorCode.NOTHING_TO_WITHDRAW,
        )
    gone = set(removed["agencies"])
    kept_agencies = [a for a in current if str(a.public_id) not in gone]
    kept_types = [t for t in consent.agency_types if t not in removed["agency_types"]]
    purposes = [p for p in consent.purposes if p not in removed["purposes"]]
    if change.entirely or not purposes or not (kept_agencies or kept_types):
        # What the person agreed to stays on the record; the withdrawal ends all of it.
        consent.withdrawn_at = timezone.now()
        consent.withdrawal_note = note.strip()[:500]
        consent.save(update_fields=["withdrawn_at", "withdrawal_note", "updated_at"])
        return ConsentEventKind.WITHDRAWN, removed
    consent.purposes = purposes
    consent.agency_types = kept_types
    consent.save(update_fields=["purposes", "agency_types", "updated_at"])
    consent.agencies.set(kept_agencies)
    return ConsentEventKind.NARROWED, removed


@transaction.atomic
def consent_narrow(
    *, actor: Staff, consent: Consent, change: ConsentChange, note: str = ""
) -> Consent:
    """Withdraw part of a consent (agencies, agency types or purposes), or all of it.

    Access resting on what was withdrawn ends with this transaction: the next request reads
    the refreshed grants. The consent keeps its history; nothing is deleted.
    """
    consent = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    basis = _person_basis(actor, consent.person)
    kind, removed = apply_change(consent, change, note)
    grants.refresh_person(consent.person)
    log_event(
        actor=actor,
        consent=consent,
        kind=kind,
        basis=basis,
        removed=removed,
        note=note.strip()[:500],
    )
    return consent


def consent_withdraw(*, actor: Staff, consent: Consent, note: str = "") -> Consent:
    """Withdraw a consent entirely; every access that rested on it ends with this
    transaction."""
    return consent_narrow(
        actor=actor, consent=consent, change=ConsentChange(entirely=True), note=note
    )
