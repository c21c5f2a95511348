"""Before a withdrawal is confirmed: which agencies lose access to which cases, and which
other bases (another member's own consent, a pledged 支援会議, the agency's own record)
still grant it.

The change is tried in a savepoint that is rolled back: the grants it would leave are
computed by the same ``kasane.privacy.grants`` that the confirmed change refreshes, so the
page cannot promise what the next request will not do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit.models import LegalBasis
from kasane.privacy import cases as privacy_cases
from kasane.privacy import grants
from kasane.privacy.consent_events import person_cases
from kasane.privacy.consent_services import ConsentChange, apply_change
from kasane.privacy.models import AccessGrant, Consent, GrantLevel
from kasane.privacy.policy import person_scope
from kasane.registry.models import Person


@dataclass(frozen=True)
class AccessAfter:
    """One agency's access to one case (or, with no case, to the person) after the change:
    ``through`` is empty when it loses it."""

    agency: str
    case: str
    through: list[str]


@dataclass(frozen=True)
class Preview:
    loses: list[AccessAfter]
    keeps: list[AccessAfter]


class _Undo(Exception):
    pass


Key = tuple[str, int | None]


def _grants(holders: list[str], case_ids: list[int], person_id: int) -> dict[Key, set[str]]:
    """(holder, case or None for the person) → the sources of the grants in force now."""
    now = timezone.now()
    rows = AccessGrant.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=now),
        Q(valid_until__isnull=True) | Q(valid_until__gt=now),
        Q(level=GrantLevel.DETAILS, case_id__in=case_ids)
        | Q(level=GrantLevel.PERSON, person_id=person_id, household__isnull=True),
        holder__in=holders,
    ).values_list("holder", "case_id", "basis", "source")
    found: dict[Key, set[str]] = defaultdict(set)
    for holder, case_id, basis, source in rows:
        found[(holder, case_id)].add(source if basis == LegalBasis.CONSENT else basis)
    return found


def _consenters(actor: Staff, found: Iterable[set[str]]) -> dict[int, str]:
    """The names of the persons whose consents are named in ``found``, in one query: a name
    only where the actor may read that person (another member's consent is otherwise just
    "another member's consent")."""
    pks = {int(s.split(":")[1]) for sources in found for s in sources if s.startswith("consent:")}
    readable = person_scope(actor)
    rows = Consent.objects.filter(pk__in=pks)
    if readable is None:
        return {}
    visible = Person.objects.filter(readable).values("pk")
    return dict(rows.filter(person__in=visible).values_list("pk", "person__name"))


def _words(sources: set[str], names: dict[int, str]) -> list[str]:
    consent_pks = [int(s.split(":")[1]) for s in sources if s.startswith("consent:")]
    labels = dict(LegalBasis.choices)
    words = [
        _("the own consent of %(name)s") % {"name": names[pk]}
        if pk in names
        else _("the own consent of another member")
        for pk in consent_pks
    ]
    words += [str(labels.get(s, s)) for s in sorted(sources) if not s.startswith("consent:")]
    return words


def withdrawal_preview(actor: Staff, consent: Consent, change: ConsentChange) -> Preview:
    """What the change would do to access, computed without keeping it, as ``actor`` may
    read it: case numbers of the cases the actor knows of, names of the persons it may read.
    Raises the same ``ValidationError`` as the change itself (nothing chosen, already
    withdrawn)."""
    agencies = {a.pk: a.name for a in consent.agencies.all()}
    for pk, name in Agency.objects.filter(agency_type__in=consent.agency_types).values_list(
        "pk", "name"
    ):
        agencies[pk] = name
    holders = {grants.agency_holder(pk): name for pk, name in agencies.items()}
    cases = person_cases(consent.person_id)
    known = set(
        privacy_cases.grants(actor, GrantLevel.CASE)
        .filter(case_id__in=list(cases))
        .values_list("case_id", flat=True)
    )
    keys = (list(holders), list(cases), consent.person_id)
    with transaction.atomic():
        before = _grants(*keys)
        after: dict[Key, set[str]] = {}
        try:
            with transaction.atomic():
                fresh = Consent.objects.select_for_update().get(pk=consent.pk)
                apply_change(fresh, change, "")
                grants.refresh_person(fresh.person)
                after = _grants(*keys)
                raise _Undo
        except _Undo:
            pass
    loses: list[AccessAfter] = []
    keeps: list[AccessAfter] = []
    own = f"consent:{consent.pk}"
    names = _consenters(actor, after.values())
    for key in sorted(before, key=lambda k: (holders[k[0]], cases.get(k[1] or 0, ""))):
        if own not in before[key]:
            continue  # this consent was no basis of this access: nothing changes
        holder, case_id = key
        label = cases.get(case_id, "") if case_id in known else ""
        remaining = after.get(key, set())
        if own in remaining:
            continue  # the part of this consent that stays still covers it
        entry = AccessAfter(holders[holder], label, _words(remaining, names))
        (keeps if remaining else loses).append(entry)
    return Preview(loses, keeps)
