"""Django's admin site: for the administrator only, and only for agencies and staff."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.accounts.services import staff_create
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.conftest import PASSWORD, AgencyFactory, StaffFactory


def constraint_message(name: str) -> str:
    """The message a check constraint of Staff shows, in the active language."""
    constraint = next(c for c in Staff._meta.constraints if c.name == name)
    return str(constraint.violation_error_message)


def test_admin_site_registers_only_agencies_staff_and_master_data() -> None:
    from kasane.intake.models import NeedType

    # Master data without personal data (the need taxonomy) is an administrator's too.
    from kasane.outreach.models import WatchAgreement

    assert set(admin.site._registry) == {Agency, Staff, NeedType, WatchAgreement}


@pytest.fixture
def plain_admin(db: object) -> Staff:
    """An administrator as the demo city and the staff service make one: no superuser flag."""
    return staff_create(
        username="sysadmin", password=PASSWORD, role=Role.ADMIN, agency=None, display_name="管理者"
    )


@pytest.mark.parametrize("who", ["admin_user", "plain_admin"])
def test_administrator_sees_agencies_and_staff_only(who: str, request, login) -> None:
    staff: Staff = request.getfixturevalue(who)
    response = login(staff).get("/admin/")
    assert response.status_code == 200
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert models == {"Agency", "Staff", "NeedType", "WatchAgreement"}
    html = response.content.decode()
    assert "/admin/accounts/agency/" in html
    assert "/admin/accounts/staff/" in html
    assert "/admin/auth/group/" not in html


@pytest.mark.parametrize("who", ["admin_user", "plain_admin"])
def test_administrator_can_open_and_change_agencies_and_staff(who: str, request, login) -> None:
    staff: Staff = request.getfixturevalue(who)
    agency = AgencyFactory.create(name="テスト機関")
    client = login(staff)
    assert client.get("/admin/accounts/agency/").status_code == 200
    assert client.get(f"/admin/accounts/agency/{agency.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/staff/").status_code == 200
    assert client.get("/admin/accounts/staff/add/").status_code == 200
    assert client.get("/admin/intake/needtype/").status_code == 200
    added = client.post(
        "/admin/intake/needtype/add/",
        {"code": "gambling", "name": "ギャンブル依存", "sort_order": "300", "is_active": "on"},
    )
    assert added.status_code == 302
    from kasane.intake.models import NeedType

    assert NeedType.objects.filter(code="gambling", name="ギャンブル依存").exists()
    # 見守り協定: a business's agreement, registered with its date.
    business = AgencyFactory.create(name="かさね新聞販売所", agency_type="watch_business")
    assert client.get("/admin/outreach/watchagreement/").status_code == 200
    added = client.post(
        "/admin/outreach/watchagreement/add/",
        {"agency": business.pk, "kind": "newspaper", "agreed_on": "2025-04-01"},
    )
    assert added.status_code == 302, added.content.decode()[:500]
    from kasane.outreach.models import WatchAgreement

    assert WatchAgreement.objects.filter(agency=business).exists()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_other_roles_cannot_enter_the_admin_site(role: Role, agency: Agency, login) -> None:
    staff = StaffFactory.create(role=role, agency=agency)
    client = login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/staff/").status_code == 302
    assert client.get(f"/admin/accounts/staff/{staff.pk}/change/").status_code == 302


def test_anonymous_cannot_enter_the_admin_site(db: object) -> None:
    response = Client().get("/admin/accounts/staff/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_superuser_flag_does_not_open_the_admin_site_to_a_caseworker(
    caseworker: Staff, login
) -> None:
    """is_staff is what the admin site checks, and only administrators may have it."""
    Staff.objects.filter(pk=caseworker.pk).update(is_superuser=True)
    caseworker.refresh_from_db()
    assert login(caseworker).get("/admin/").status_code == 302


def test_only_administrators_may_have_is_staff(caseworker: Staff) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.filter(pk=caseworker.pk).update(is_staff=True)


def test_is_staff_constraint_is_checked_by_full_clean(agency: Agency) -> None:
    from django.core.exceptions import ValidationError

    staff = Staff(username="x", role=Role.ANALYST, agency=agency, is_staff=True)
    staff.set_password(PASSWORD)
    with pytest.raises(ValidationError) as caught:
        staff.full_clean()
    assert caught.value.messages == [constraint_message("staff_only_admins_enter_django_admin")]


def test_every_non_admin_needs_an_agency(db: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffFactory.create(username="lost", role=Role.CASEWORKER, agency=None)


def test_staff_create_gives_admin_site_access_to_administrators_only(agency: Agency) -> None:
    admin_staff = staff_create(username="sysadmin", password=PASSWORD, role=Role.ADMIN, agency=None)
    worker = staff_create(username="worker", password=PASSWORD, role=Role.CASEWORKER, agency=agency)
    assert admin_staff.is_staff
    assert not worker.is_staff
    assert worker.check_password(PASSWORD)


def _change_form_data(staff: Staff, **changes: object) -> dict[str, object]:
    joined = timezone.localtime(staff.date_joined)
    data: dict[str, object] = {
        "username": staff.username,
        "display_name": staff.display_name,
        "email": "",
        "agency": staff.agency_id or "",
        "role": staff.role,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return data


def test_admin_site_access_follows_the_role_set_in_the_form(
    admin_user: Staff, caseworker: Staff, login
) -> None:
    client = login(admin_user)
    # A forged is_staff field is ignored: the role decides.
    response = client.post(
        f"/admin/accounts/staff/{caseworker.pk}/change/",
        _change_form_data(caseworker, is_staff="on", display_name="改名"),
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.display_name == "改名"
    assert not caseworker.is_staff

    response = client.post(
        f"/admin/accounts/staff/{caseworker.pk}/change/",
        _change_form_data(caseworker, role=Role.ADMIN),
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.role == Role.ADMIN
    assert caseworker.is_staff
    assert login(caseworker).get("/admin/").status_code == 200


def test_administrator_added_in_the_admin_site_can_use_it(admin_user: Staff, login) -> None:
    response = login(admin_user).post(
        "/admin/accounts/staff/add/",
        {
            "username": "newadmin",
            "display_name": "新しい管理者",
            "agency": "",
            "role": Role.ADMIN,
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Staff.objects.get(username="newadmin")
    assert created.is_staff
    client = Client()
    assert client.login(username="newadmin", password="a-long-enough-passphrase-2026")
    assert client.get("/admin/").status_code == 200


def test_caseworker_added_in_the_admin_site_needs_an_agency(admin_user: Staff, login) -> None:
    response = login(admin_user).post(
        "/admin/accounts/staff/add/",
        {
            "username": "noagency",
            "agency": "",
            "role": Role.CASEWORKER,
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        constraint_message("staff_agency_required_unless_admin")
    ]
    assert not Staff.objects.filter(username="noagency").exists()


def test_staff_create_refuses_a_weak_password(agency: Agency) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        staff_create(username="weak", password="short", role=Role.CASEWORKER, agency=agency)
    with pytest.raises(ValidationError):
        staff_create(username="weak", password="password1234", role=Role.CASEWORKER, agency=agency)
    assert not Staff.objects.filter(username="weak").exists()


def test_staff_create_refuses_a_taken_user_name(caseworker: Staff, agency: Agency) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="username"):
        staff_create(username="houkatsu", password=PASSWORD, role=Role.CASEWORKER, agency=agency)


# --- the audit log sees what administrators do ---------------------------------------------


def test_changing_a_role_in_the_admin_site_is_audited(
    admin_user: Staff, caseworker: Staff, login
) -> None:
    login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/change/",
        _change_form_data(caseworker, role=Role.COORDINATOR),
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == admin_user
    assert event.object_type == "staff"
    assert event.object_id == str(caseworker.public_id)
    assert event.legal_basis == LegalBasis.SYSTEM
    assert event.detail["via"] == "admin"
    # Django writes the labels untranslated, whatever the administrator's language.
    assert "Role" in event.detail["fields"]
    assert "coordinator" not in str(event.detail)  # which field, never the value


def test_resetting_a_password_in_the_admin_site_is_audited_without_it(
    admin_user: Staff, caseworker: Staff, login
) -> None:
    new_password = "a-new-long-passphrase-2026"
    response = login(admin_user).post(
        f"/admin/accounts/staff/{caseworker.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.check_password(new_password)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == admin_user
    assert event.object_id == str(caseworker.public_id)
    assert new_password not in str(vars(event))


def test_adding_and_deleting_an_agency_in_the_admin_site_is_audited(
    admin_user: Staff, login
) -> None:
    client = login(admin_user)
    response = client.post(
        "/admin/accounts/agency/add/",
        {
            "name": "NPO法人 まちのえんがわ",
            "agency_type": "npo",
            "domains": '["youth"]',
            "area": "",
            "confidentiality_basis": "contract",
            "confidentiality_note": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    agency = Agency.objects.get(name="NPO法人 まちのえんがわ")
    created = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert (created.object_type, created.object_id) == ("agency", str(agency.public_id))

    response = client.post(f"/admin/accounts/agency/{agency.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Agency.objects.filter(pk=agency.pk).exists()
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert deleted.object_id == str(agency.public_id)
    assert deleted.actor == admin_user
