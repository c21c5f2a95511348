"""The materialised access policy reads exactly what the rules it replaced read.

For every staff member of two worlds — the authorization matrix's world and a generated demo
city — and at several instants (now; after break-glass expired; past consents' expiry), the
cases known, the cases whose details are read, the households, persons, notes and plans
readable through ``AccessGrant`` equal those of the old query-time rules
(``legacy_rules``, kept here only as this test's oracle), and every single-object check
names the same basis.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.cases.models import Case, CaseNote
from kasane.plans.models import SupportPlan
from kasane.privacy import cases as new_cases
from kasane.privacy import grants
from kasane.privacy import policy as new_policy
from kasane.privacy.tests import legacy_rules as old
from kasane.registry.models import Household, Person
from kasane.testing.matrix import build_world

pytestmark = pytest.mark.django_db


@contextmanager
def instant(at: datetime.datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _ids(model: Any, scope: Q | None) -> set[int]:
    if scope is None:
        return set()
    return set(model.objects.filter(scope).values_list("pk", flat=True))


def _readable(actor: Staff, rules: Any, policy: Any) -> dict[str, set[int]]:
    details = _ids(Case, rules.detail_scope(actor))
    # Which of a case's notes an agency reads (agency-only notes) is the timeline's rule,
    # unchanged: the notes of the cases whose details are read.
    notes = set(CaseNote.objects.filter(case_id__in=details).values_list("pk", flat=True))
    return {
        "cases": _ids(Case, rules.case_scope(actor)),
        "details": details,
        "households": _ids(Household, policy.household_scope(actor)),
        "persons": _ids(Person, policy.person_scope(actor)),
        "notes": notes,
        "plans": set(SupportPlan.objects.filter(case_id__in=details).values_list("pk", flat=True)),
    }


def _compare(staff: list[Staff], moments: list[datetime.datetime]) -> dict[str, int]:
    """Compare both policies; returns how many (persona, instant, object) checks agreed."""
    checked = {"sets": 0, "objects": 0}
    cases = list(Case.objects.select_related("household"))
    households = list(Household.objects.all())
    persons = list(Person.objects.all())
    for at in moments:
        with instant(at):
            for actor in staff:
                was = _readable(actor, old, old)
                now = _readable(actor, new_cases, new_policy)
                for key in was:
                    assert now[key] == was[key], (actor.username, at, key)
                    checked["sets"] += 1
                for case in cases:
                    assert new_cases.case_basis(actor, case) == old.case_basis(actor, case), (
                        actor.username,
                        at,
                        case.number,
                    )
                    if case.pk in was["cases"]:
                        assert new_cases.detail_basis(actor, case) == old.detail_basis(
                            actor, case
                        ), (actor.username, at, case.number)
                        assert new_cases.others_words_basis(actor, case) == (
                            old.others_words_basis(actor, case)
                        ), (actor.username, at, case.number)
                    checked["objects"] += 1
                for record in [*households, *persons]:
                    assert (new_policy.basis_for(actor, record) is None) == (
                        old.basis_for(actor, record) is None
                    ), (actor.username, at, record)
                    checked["objects"] += 1
    return checked


def _moments() -> list[datetime.datetime]:
    now = timezone.now()
    return [
        now,
        now + datetime.timedelta(hours=25),  # break-glass started today has expired
        now + datetime.timedelta(days=400),  # consents with an expiry have expired
    ]


@pytest.fixture(scope="module")
def _matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        build_world()
        yield
        transaction.set_rollback(True)


def test_the_matrix_world_reads_the_same(_matrix_world: None) -> None:
    assert not grants.check()
    checked = _compare(list(Staff.objects.order_by("pk")), _moments())
    assert checked["sets"] > 200 and checked["objects"] > 200


@pytest.fixture(scope="module")
def _city(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", households=60, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_a_generated_city_reads_the_same(_city: None) -> None:
    assert not grants.check()
    staff = list(Staff.objects.filter(agency__isnull=False).order_by("pk"))
    checked = _compare(staff, _moments()[:2])
    assert checked["sets"] > 100
