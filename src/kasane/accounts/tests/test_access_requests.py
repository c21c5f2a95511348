"""No one grants themselves access (issue 14): the administrator asks, a second person — a
municipal coordinator or the agency's approver, never the requester, never the account —
confirms, and until then the account reads nothing, through pages and API alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kasane.accounts import access_requests as grants
from kasane.accounts.models import (
    AccessRequest,
    AccessRequestKind,
    AccessRequestStatus,
    Agency,
    Notification,
    Role,
    Staff,
)
from kasane.api.services import api_token_create
from kasane.api.tests.conftest import ApiClient
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import StaffFactory, head_of

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-enough-passphrase-2026"
REQUESTS = "/accounts/access-requests/"


def _case_url(case: Any) -> str:
    return f"/cases/{case.public_id}/"


def _add_form(agency: Agency, username: str = "mole", **extra: str) -> dict[str, str]:
    return {
        "username": username,
        "display_name": "新しい職員",
        "agency": str(agency.pk),
        "role": Role.CASEWORKER,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "usable_password": "true",
        **extra,
    }


def _change_form(staff: Staff, **changes: object) -> dict[str, object]:
    joined = timezone.localtime(staff.date_joined)
    data: dict[str, object] = {
        "username": staff.username,
        "display_name": staff.display_name,
        "email": staff.email,
        "agency": staff.agency_id or "",
        "role": staff.role,
        "is_active": "on" if staff.is_active else "",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }
    if staff.access_approver:
        data["access_approver"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def _signed_in(username: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    assert client.login(username=username, password=password)
    return client


def _grant_rows(account: Staff) -> list[dict[str, Any]]:
    return [
        e.detail
        for e in AuditEvent.objects.filter(
            action=AuditAction.GRANT, object_id=str(account.public_id)
        ).order_by("id")
    ]


def _decide(client: Client, request: AccessRequest, decision: str, note: str = "") -> Any:
    return client.post(
        f"{REQUESTS}{request.public_id}/", {"decision": decision, "note": note}, follow=True
    )


def test_the_admin_cannot_create_a_caseworker_and_read_a_case(
    admin_user, agency, open_case, coordinator, login
):
    """The attack: the admin created a caseworker in the lead agency, signed in as it and read
    the case in full. Now the account waits and sees nothing until a second person confirms."""
    response = login(admin_user).post("/admin/accounts/staff/add/", _add_form(agency))
    assert response.status_code == 302, response.context["adminform"].form.errors
    mole = Staff.objects.get(username="mole")
    assert mole.role == Role.PENDING and mole.agency == agency
    request = AccessRequest.objects.get(account=mole)
    assert request.kind == AccessRequestKind.NEW_ACCOUNT
    assert (request.role_after, request.agency_after) == (Role.CASEWORKER, agency)

    as_mole = _signed_in("mole")
    assert as_mole.get(_case_url(open_case)).status_code == 404
    assert as_mole.get("/cases/").status_code == 404
    assert 'data-testid="access-pending"' in as_mole.get("/").content.decode()
    _record, token = api_token_create(staff=mole, name="probe")
    assert ApiClient(token).get(f"/cases/{open_case.public_id}").status_code == 404
    assert ApiClient(token).get("/cases").status_code == 404

    # The admin cannot confirm their own request, nor can the account itself.
    with pytest.raises(ValidationError):
        grants.access_request_confirm(actor=admin_user, request=request)
    with pytest.raises(ValidationError):
        grants.access_request_confirm(actor=mole, request=request)
    assert login(admin_user).get(REQUESTS).status_code == 404
    assert as_mole.post(f"{REQUESTS}{request.public_id}/", {"decision": "confirm"}).status_code == (
        404
    )
    mole.refresh_from_db()
    assert mole.role == Role.PENDING

    # The coordinator was told, without the account's name, and confirms.
    note = Notification.objects.get(recipient=coordinator, kind="access_request")
    assert "mole" not in note.message and "新しい職員" not in note.message
    page = login(coordinator).get(REQUESTS).content.decode()
    assert "mole" in page
    _decide(login(coordinator), request, "confirm", "本人と所属長に確認済み")
    mole.refresh_from_db()
    assert mole.role == Role.CASEWORKER
    name = head_of(open_case.household).name
    assert name in login(mole).get(_case_url(open_case)).content.decode()

    rows = _grant_rows(mole)
    assert [r["operation"] for r in rows] == ["requested", "confirmed"]
    assert rows[0]["role_before"] == "" and rows[0]["role_after"] == Role.CASEWORKER
    assert rows[1]["agency_after"] == agency.name
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(mole.public_id))
    assert created.detail["agency"] == agency.name


def test_an_agencys_approver_confirms_for_their_own_agency_only(
    admin_user, agency, other_agency, caseworker, outsider, login
):
    caseworker.access_approver = True
    caseworker.save()
    for name, where in (("ours", agency), ("theirs", other_agency)):
        login(admin_user).post("/admin/accounts/staff/add/", _add_form(where, username=name))
    ours = AccessRequest.objects.get(account__username="ours")
    theirs = AccessRequest.objects.get(account__username="theirs")
    page = login(caseworker).get(REQUESTS).content.decode()
    assert "ours" in page and "theirs" not in page
    refused = login(caseworker).post(f"{REQUESTS}{theirs.public_id}/", {"decision": "confirm"})
    assert refused.status_code == 404
    # A caseworker who is no approver sees no list at all.
    assert login(outsider).get(REQUESTS).status_code == 404
    _decide(login(caseworker), ours, "confirm")
    ours.refresh_from_db()
    assert ours.status == AccessRequestStatus.CONFIRMED and ours.decided_by == caseworker


def test_a_change_of_agency_waits_and_reads_nothing_meanwhile(
    admin_user, caseworker, other_agency, open_case, coordinator, login
):
    agency = caseworker.agency
    response = login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/change/",
        _change_form(caseworker, agency=other_agency.pk),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    caseworker.refresh_from_db()
    assert caseworker.role == Role.PENDING
    # Neither the old agency's case (the safe choice) nor anything of the new one.
    assert login(caseworker).get(_case_url(open_case)).status_code == 404
    request = AccessRequest.objects.get(account=caseworker, status=AccessRequestStatus.PENDING)
    (requested,) = _grant_rows(caseworker)
    assert requested["agency_before"] == agency.name
    assert requested["agency_after"] == other_agency.name
    assert requested["role_before"] == requested["role_after"] == Role.CASEWORKER

    # Refused: the account is back where it was, and reads its case again.
    assert _decide(login(coordinator), request, "refuse").status_code == 200  # needs a reason
    _decide(login(coordinator), request, "refuse", "異動の予定はない")
    caseworker.refresh_from_db()
    assert (caseworker.role, caseworker.agency) == (Role.CASEWORKER, agency)
    assert login(caseworker).get(_case_url(open_case)).status_code == 200
    assert [r["operation"] for r in _grant_rows(caseworker)] == ["requested", "refused"]


def test_a_role_change_waits_for_confirmation(admin_user, caseworker, coordinator, login):
    login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/change/",
        _change_form(caseworker, role=Role.COORDINATOR),
    )
    caseworker.refresh_from_db()
    assert caseworker.role == Role.PENDING
    assert login(caseworker).get("/cases/board/").status_code == 404
    request = AccessRequest.objects.get(account=caseworker)
    grants.access_request_confirm(actor=coordinator, request=request)
    caseworker.refresh_from_db()
    assert caseworker.role == Role.COORDINATOR
    assert login(caseworker).get("/cases/board/").status_code == 200
    assert _grant_rows(caseworker)[-1]["role_before"] == Role.CASEWORKER


def test_turning_on_the_approver_flag_or_reactivating_waits_too(
    admin_user, caseworker, coordinator, login
):
    login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/change/",
        _change_form(caseworker, access_approver="on"),
    )
    caseworker.refresh_from_db()
    assert caseworker.role == Role.PENDING and not caseworker.access_approver
    grants.access_request_confirm(
        actor=coordinator, request=AccessRequest.objects.get(account=caseworker)
    )
    caseworker.refresh_from_db()
    assert caseworker.access_approver and caseworker.role == Role.CASEWORKER
    # Deactivation takes effect at once; reactivation is a grant.
    login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/change/", _change_form(caseworker, is_active="")
    )
    caseworker.refresh_from_db()
    assert not caseworker.is_active and caseworker.role == Role.CASEWORKER
    login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/change/", _change_form(caseworker, is_active="on")
    )
    caseworker.refresh_from_db()
    assert caseworker.is_active and caseworker.role == Role.PENDING
    assert AccessRequest.objects.filter(
        account=caseworker, kind=AccessRequestKind.REACTIVATION, status="pending"
    ).exists()


def test_an_admin_password_reset_waits_and_needs_a_new_second_factor(
    admin_user, caseworker, open_case, coordinator, login, settings
):
    settings.KASANE_2FA = True
    settings.KASANE_2FA_REQUIRED_ROLES = [Role.CASEWORKER, Role.COORDINATOR]
    TOTPDevice.objects.create(user=caseworker, name="authenticator", confirmed=True)
    StaticDevice.objects.create(user=caseworker, name="recovery", confirmed=True)
    response = login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    # The second factor is gone: the account enrols again.
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert not StaticDevice.objects.filter(user=caseworker).exists()
    caseworker.refresh_from_db()
    assert caseworker.role == Role.PENDING
    # The admin, who knows the password, signs in as the account: nothing to read.
    as_admin = _signed_in(caseworker.username)
    assert as_admin.get(_case_url(open_case)).status_code == 404
    request = AccessRequest.objects.get(account=caseworker)
    assert request.kind == AccessRequestKind.PASSWORD_RESET
    grants.access_request_confirm(actor=coordinator, request=request)
    caseworker.refresh_from_db()
    assert caseworker.role == Role.CASEWORKER
    # Confirmed: the password leads to a new enrolment before any page.
    fresh = Client()
    fresh.post("/accounts/login/", {"username": caseworker.username, "password": NEW_PASSWORD})
    assert fresh.get(_case_url(open_case)).status_code == 302
    assert "/accounts/two-factor/enrol/" in fresh.get(_case_url(open_case))["Location"]
    assert [r["operation"] for r in _grant_rows(caseworker)] == ["requested", "confirmed"]


def test_a_refused_password_reset_leaves_the_admins_password_useless(
    admin_user, caseworker, coordinator, login
):
    login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    request = AccessRequest.objects.get(account=caseworker)
    grants.access_request_refuse(actor=coordinator, request=request, note="本人の依頼がない")
    caseworker.refresh_from_db()
    assert caseworker.role == Role.CASEWORKER
    assert not caseworker.has_usable_password()
    assert not Client().login(username=caseworker.username, password=NEW_PASSWORD)


def test_neither_the_requester_nor_the_account_confirms(agency, coordinator, caseworker):
    """Four eyes in the service and in the database, whoever asked."""
    other = StaffFactory.create(
        username="coordinator2", agency=coordinator.agency, role=Role.COORDINATOR
    )
    caseworker.role = Role.PENDING
    caseworker.save()
    after = grants.Access(Role.CASEWORKER, agency, False)
    request = grants.access_request_open(
        account=caseworker,
        actor=coordinator,
        kind=AccessRequestKind.CHANGE,
        before=None,
        after=after,
    )
    with pytest.raises(ValidationError):
        grants.access_request_confirm(actor=coordinator, request=request)
    with pytest.raises(ValidationError):
        grants.access_request_confirm(actor=caseworker, request=request)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessRequest.objects.filter(pk=request.pk).update(decided_by=coordinator)
    grants.access_request_confirm(actor=other, request=request)
    with pytest.raises(ValidationError):  # answered once only
        grants.access_request_refuse(actor=other, request=request, note="やはり不要")


def test_a_pending_account_cannot_confirm_others(admin_user, agency, coordinator, login):
    """A coordinator whose own access waits (a password reset, say) confirms nothing."""
    login(admin_user).post("/admin/accounts/staff/add/", _add_form(agency))
    request = AccessRequest.objects.get(account__username="mole")
    login(admin_user).post(
        f"/admin/accounts/staff/{coordinator.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    coordinator.refresh_from_db()
    assert coordinator.role == Role.PENDING
    assert login(coordinator).get(REQUESTS).status_code == 404
    with pytest.raises(PermissionDenied):
        grants.access_request_confirm(actor=coordinator, request=request)


def test_the_list_of_requests_costs_the_same_for_more_rows(
    admin_user, agency, coordinator, login, django_assert_max_num_queries
):
    client = login(coordinator)
    for n in range(5):
        login(admin_user).post("/admin/accounts/staff/add/", _add_form(agency, username=f"new{n}"))
        if n == 0:
            with django_assert_max_num_queries(30) as few:
                assert client.get(REQUESTS).status_code == 200
            baseline = len(few.captured_queries)
    with django_assert_max_num_queries(baseline):
        page = client.get(REQUESTS).content.decode()
    assert all(f"new{n}" in page for n in range(5))


def test_a_second_change_replaces_the_waiting_one_and_keeps_what_was_confirmed(
    admin_user, caseworker, other_agency, coordinator, login
):
    agency = caseworker.agency
    url = f"/admin/accounts/staff/{caseworker.pk}/change/"
    login(admin_user).post(url, _change_form(caseworker, role=Role.COORDINATOR))
    caseworker.refresh_from_db()
    login(admin_user).post(
        url, _change_form(caseworker, role=Role.CASEWORKER, agency=other_agency.pk)
    )
    first, second = AccessRequest.objects.filter(account=caseworker).order_by("id")
    assert first.status == AccessRequestStatus.WITHDRAWN
    assert second.status == AccessRequestStatus.PENDING
    assert (second.role_before, second.agency_before) == (Role.CASEWORKER, agency)
    assert [r["operation"] for r in _grant_rows(caseworker)] == [
        "requested",
        "withdrawn",
        "requested",
    ]
    grants.access_request_refuse(actor=coordinator, request=second, note="予定にない")
    caseworker.refresh_from_db()
    assert (caseworker.role, caseworker.agency) == (Role.CASEWORKER, agency)
