"""The materialised access grants: consistent with the records after every service, ended on
the next request when a basis ends (pages, API and exports alike), never half-written."""

from __future__ import annotations

import datetime
import functools
import importlib
import inspect
import io
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.api.tests.conftest import api  # noqa: F401 - the API client fixture
from kasane.audit.models import AuditEvent
from kasane.cases import services as case_services
from kasane.conftest import head_of
from kasane.privacy import grants, services
from kasane.privacy.cases import holders
from kasane.privacy.models import AccessGrant, BreakGlass
from kasane.testing.matrix import build_world

pytestmark = pytest.mark.django_db

NAME = "草野 和夫"
SERVICE_MODULES = [
    "kasane.registry.services",
    "kasane.intake.services",
    "kasane.cases.services",
    "kasane.meetings.services",
    "kasane.privacy.services",
    "kasane.plans.services",
    "kasane.outreach.services",
    "kasane.participation.matching.services",
]


@pytest.fixture
def checked_services(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Wrap every public service so that the grants are checked against the records after
    each call that succeeds."""
    called: list[str] = []

    def checking(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = fn(*args, **kwargs)
            difference = grants.check()
            assert not difference, (name, [grants.describe(r) for r in difference.missing])
            called.append(name)
            return result

        return wrapper

    for module_name in SERVICE_MODULES:
        module = importlib.import_module(module_name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__.startswith(module_name) and not name.startswith("_"):
                monkeypatch.setattr(module, name, checking(f"{module_name}.{name}", fn))
    return called


def test_grants_match_the_records_after_every_service_of_the_matrix_world(checked_services):
    with transaction.atomic():
        build_world()
    assert len(set(checked_services)) >= 30, sorted(set(checked_services))


def test_access_check_reports_a_missing_or_extra_grant_and_rebuild_repairs_it(open_case):
    call_command("access_check", stdout=io.StringIO())
    AccessGrant.objects.filter(case=open_case).first().delete()  # type: ignore[union-attr]
    AccessGrant.objects.create(
        holder="agency:999999",
        level="case",
        case=open_case,
        household=open_case.household,
        basis="case_team",
        source="forged",
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 missing, 1 extra"):
        call_command("access_check", stdout=out)
    assert "missing: agency:" in out.getvalue() and "extra: agency:999999" in out.getvalue()
    call_command("access_check", "--rebuild", stdout=io.StringIO())
    call_command("access_check", stdout=io.StringIO())


def test_a_failed_write_leaves_no_half_granted_state(open_case, caseworker, outsider, refer):
    referral = refer(caseworker, open_case, outsider.agency)
    case_services.referral_accept(actor=outsider, referral=referral)
    before = set(AccessGrant.objects.values_list("pk", flat=True))
    with (
        mock.patch("kasane.privacy.services.notify", side_effect=RuntimeError("mail down")),
        pytest.raises(RuntimeError),
    ):
        services.break_glass_start(actor=outsider, case=open_case, reason="安否確認が必要なため")
    assert not BreakGlass.objects.exists()
    assert set(AccessGrant.objects.values_list("pk", flat=True)) == before
    assert not grants.check()


# --- a basis that ends removes access on the next request: page, API and export ----------


@pytest.fixture
def team_case(open_case: Any, caseworker: Staff, outsider: Staff, refer: Any) -> Any:
    referral = refer(caseworker, open_case, outsider.agency)
    case_services.referral_accept(actor=outsider, referral=referral)
    return open_case


def _reads(login: Any, api: Any, staff: Staff, case: Any) -> dict[str, bool]:
    """Whether the household head's name reaches the staff member through each door."""
    page = login(staff).get(resolve_url("cases:case_detail", case.public_id))
    listing = login(staff).get(resolve_url("cases:case_list_csv"))
    data = api(staff).get(f"/cases/{case.public_id}")
    return {
        "page": page.status_code == 200 and NAME in page.content.decode(),
        "export": NAME in listing.content.decode("utf-8-sig", errors="replace"),
        "api": data.status_code == 200 and NAME in data.content.decode(),
    }


ALL = {"page": True, "export": True, "api": True}
NONE = {"page": False, "export": False, "api": False}


def test_consent_withdrawn(team_case, caseworker, outsider, give_consent, login, api):
    consent = give_consent(team_case.household, outsider.agency)
    assert _reads(login, api, outsider, team_case) == ALL
    services.consent_withdraw(actor=caseworker, consent=consent)
    assert _reads(login, api, outsider, team_case) == NONE


def test_break_glass_expired(team_case, outsider, login, api):
    services.break_glass_start(actor=outsider, case=team_case, reason="安否確認が必要なため")
    assert _reads(login, api, outsider, team_case) == ALL
    later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert _reads(login, api, outsider, team_case) == NONE


def test_agency_leaves_the_team(team_case, caseworker, outsider, give_consent, login, api):
    give_consent(team_case.household, outsider.agency)
    assert _reads(login, api, outsider, team_case) == ALL
    case_services.team_member_remove(actor=caseworker, case=team_case, agency=outsider.agency)
    # The referral it accepted is no basis once it left (found by this test: an accepted
    # referral kept the case open to an agency that had left the team).
    assert _reads(login, api, outsider, team_case) == NONE


def test_referral_declined(open_case, caseworker, outsider, give_consent, refer, login, api):
    give_consent(open_case.household, outsider.agency)
    referral = refer(caseworker, open_case, outsider.agency)
    # The addressee reads the case to decide (its own case list, and so the export, lists
    # only the cases it works).
    assert _reads(login, api, outsider, open_case) == {**ALL, "export": False}
    case_services.referral_decline(actor=outsider, referral=referral, reason="no_capacity")
    assert _reads(login, api, outsider, open_case) == NONE


def test_expiry_is_a_condition_on_the_row_not_a_rewrite(team_case, outsider, give_consent):
    """A consent that expires tomorrow grants today and not the day after, with no write."""
    today = timezone.localdate()
    give_consent(team_case.household, outsider.agency, expires_on=today)
    rows = AccessGrant.objects.filter(holder=f"agency:{outsider.agency_id}", level="details")
    assert rows.count() == 1
    row = rows.get()
    assert row.valid_until == grants.day_start(today + datetime.timedelta(days=1))
    assert head_of(team_case.household).pk in set(
        AccessGrant.objects.filter(
            grants.in_force(timezone.now()), holder=row.holder, level="person"
        ).values_list("person_id", flat=True)
    )


# --- break-glass is personal (issue 14) ---------------------------------------------------


def test_break_glass_opens_the_case_to_its_user_not_to_their_colleague(
    team_case, outsider, other_caseworker, login, api
):
    """The attack: a colleague who gave no reason read the case, audited as break-glass."""
    services.break_glass_start(actor=outsider, case=team_case, reason="安否確認が必要なため")
    assert _reads(login, api, outsider, team_case) == ALL
    assert _reads(login, api, other_caseworker, team_case) == NONE
    assert api(other_caseworker).get(f"/cases/{team_case.public_id}/notes").status_code == 404
    # The grant's holder is the user in person; the agency holds only what it held before.
    glass_rows = AccessGrant.objects.filter(basis="break_glass")
    assert glass_rows.exists()
    assert set(glass_rows.values_list("holder", flat=True)) == {f"staff:{outsider.pk}"}
    assert f"staff:{outsider.pk}" in holders(outsider)
    assert f"staff:{outsider.pk}" not in holders(other_caseworker)
    assert not AuditEvent.objects.filter(actor=other_caseworker, legal_basis="break_glass")
    # The colleague may break the glass in their own name, with their own reason.
    services.break_glass_start(
        actor=other_caseworker, case=team_case, reason="別件で本人の安否確認が必要なため"
    )
    assert _reads(login, api, other_caseworker, team_case) == ALL
    assert not grants.check()


def test_a_reviewer_ends_break_glass_early(team_case, outsider, coordinator, auditor, login, api):
    glass = services.break_glass_start(
        actor=outsider, case=team_case, reason="安否確認が必要なため"
    )
    assert _reads(login, api, outsider, team_case) == ALL
    # Not the user themselves, and not a role that reviews none.
    with pytest.raises(PermissionDenied):
        services.break_glass_end(actor=outsider, glass=glass, note="もう不要")
    url = resolve_url("privacy:break_glass_review", glass.public_id)
    page = login(auditor).get(url).content.decode()
    assert 'name="end_now"' in page
    response = login(auditor).post(url, {"note": "安否確認済み、継続不要", "end_now": "1"})
    assert response.status_code == 302
    glass.refresh_from_db()
    assert glass.expires_at <= timezone.now() and glass.reviewed_by == auditor
    assert _reads(login, api, outsider, team_case) == NONE
    event = AuditEvent.objects.filter(actor=auditor, object_type="break_glass").first()
    assert event is not None and event.detail["ended_early"] is True
    assert not grants.check()
    with pytest.raises(ValidationError):  # ended already
        services.break_glass_end(actor=coordinator, glass=glass, note="再度")
