"""Master data in the audit log with its values before and after (issue 14, "What must be
true" 5): areas, the need taxonomy, agencies, indicators, their targets and hand-entered
values. Every table of counts is cut by them, so a quiet change is a way to move a count."""

from __future__ import annotations

import json

import pytest

from kasane.accounts.models import Agency, Role
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _events(object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=object_type).order_by("sequence"))


@pytest.fixture
def municipal_coordinator(db: object) -> object:
    agency = AgencyFactory.create(name="かさね市福祉政策課", agency_type="municipality")
    return StaffFactory.create(username="shiyakusho", agency=agency, role=Role.COORDINATOR)


def test_a_target_set_then_changed_is_a_create_then_an_update_with_before_and_after(
    municipal_coordinator, login
):
    client = login(municipal_coordinator)
    url = "/evaluation/indicators/consultations_received/"
    for value in ("120", "150"):
        response = client.post(url, {"target-fiscal_year": "2026", "target-value": value})
        assert response.status_code == 302
    created, updated = _events("indicator_target")
    assert created.action == AuditAction.CREATE and updated.action == AuditAction.UPDATE
    assert created.object_id == updated.object_id == "consultations_received:2026"
    assert created.detail == {"changed": {"value": ["", "120"]}}
    assert updated.detail == {"changed": {"value": ["120", "150"]}}
    assert updated.actor == municipal_coordinator


def test_a_hand_entered_value_is_audited_with_before_and_after(municipal_coordinator):
    from kasane.evaluation.dashboard import services

    services.manual_indicator_create(
        actor=municipal_coordinator,
        code="survey",
        name="住民意識調査",
        kind="KPI",
        level="outcome",
        project="community",
    )
    services.manual_value_set(
        actor=municipal_coordinator, code="survey", fiscal_year=2025, value=41
    )
    services.manual_value_set(
        actor=municipal_coordinator, code="survey", fiscal_year=2025, value="43.5", note="再集計"
    )
    (indicator,) = _events("indicator")
    assert indicator.action == AuditAction.CREATE
    assert indicator.detail["changed"]["name"] == ["", "住民意識調査"]
    first, second = _events("indicator_value")
    assert first.detail == {"changed": {"value": ["", "41"]}}
    assert second.detail == {"changed": {"value": ["41", "43.5"], "note": ["", "再集計"]}}


def test_an_area_and_a_need_type_created_are_audited_with_their_values(admin_user):
    from kasane.intake.services import need_type_create
    from kasane.registry.models import AreaKind
    from kasane.registry.services import area_create

    city = area_create(code="X", name="かさね市", kind=AreaKind.CITY)
    area_create(code="X1", name="東部圏域", kind=AreaKind.SPHERE, parent=city, actor=admin_user)
    need_type_create(code="gambling", name="ギャンブル依存", actor=admin_user)
    system, east = _events("area")
    assert system.actor_username == "system" and system.actor is None
    assert east.action == AuditAction.CREATE and east.object_id == "X1"
    assert east.detail == {
        "changed": {
            "code": ["", "X1"],
            "name": ["", "東部圏域"],
            "kind": ["", "sphere"],
            "parent": ["", "X"],
        }
    }
    (need,) = _events("needtype")
    assert need.detail["changed"]["name"] == ["", "ギャンブル依存"]


def test_an_agency_changed_in_the_admin_is_audited_with_before_and_after(admin_user, login):
    agency = AgencyFactory.create(name="北部地域包括支援センター", domains=["elderly"])
    client = login(admin_user)
    response = client.post(
        f"/admin/accounts/agency/{agency.pk}/change/",
        {
            "name": "北部地域包括支援センター（本所）",
            "agency_type": agency.agency_type,
            "domains": json.dumps(["elderly", "disability"]),
            "area": "",
            "confidentiality_basis": "public_servant",
            "confidentiality_note": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:800]
    (event,) = _events("agency")
    assert event.action == AuditAction.UPDATE and event.object_id == str(agency.public_id)
    changed = event.detail["changed"]
    assert changed["name"] == ["北部地域包括支援センター", "北部地域包括支援センター（本所）"]
    assert changed["domains"] == ["elderly", "disability,elderly"]
    assert Agency.objects.get(pk=agency.pk).name.endswith("（本所）")


def test_a_need_type_changed_from_the_admin_list_is_audited_with_before_and_after(
    admin_user, login
):
    from kasane.intake.models import NeedType

    need = NeedType.objects.order_by("sort_order").first()
    assert need is not None
    client = login(admin_user)
    page = client.get("/admin/intake/needtype/")
    formset = page.context["cl"].formset
    data = {
        "form-TOTAL_FORMS": str(formset.total_form_count()),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "_save": "Save",
    }
    for i, form in enumerate(formset.forms):
        data[f"form-{i}-id"] = str(form.instance.pk)
        data[f"form-{i}-sort_order"] = str(
            999 if form.instance.pk == need.pk else form.instance.sort_order
        )
        if form.instance.is_active:
            data[f"form-{i}-is_active"] = "on"
    response = client.post("/admin/intake/needtype/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    (event,) = _events("needtype")
    assert event.action == AuditAction.UPDATE
    assert event.detail["changed"] == {"sort_order": [str(need.sort_order), "999"]}
