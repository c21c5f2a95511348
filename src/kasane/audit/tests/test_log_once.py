"""One user action, one audit event per distinct read or change (``kasane.audit.services``):
the access check behind an action writes nothing of its own."""

from __future__ import annotations

from collections import Counter

import pytest
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone

from kasane.api.services import api_token_create
from kasane.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _last() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def _since(start: int) -> Counter[tuple[str, str, str]]:
    """The events written after ``start``, by (action, object type, purpose)."""
    return Counter(
        (e.action, e.object_type, e.detail.get("purpose", ""))
        for e in AuditEvent.objects.filter(sequence__gt=start)
    )


def _note() -> dict[str, str]:
    return {
        "written_on": timezone.localdate().isoformat(),
        "kind": "memo",
        "text": "電話で近況を確認",
        "visibility": "team",
    }


def test_a_note_posted_through_the_page_is_one_create(open_case, caseworker, login):
    client = login(caseworker)
    url = resolve_url("cases:note_add", open_case.public_id)
    start = _last()
    assert client.get(url).status_code == 200
    assert _since(start) == {(AuditAction.VIEW, "case", "add_note"): 1}
    start = _last()
    response = client.post(url, _note())
    assert response.status_code == 302
    assert _since(start) == {(AuditAction.CREATE, "case_note", ""): 1}


def test_a_note_refused_by_its_form_is_one_view_of_the_page_shown_again(
    open_case, caseworker, login
):
    start = _last()
    response = login(caseworker).post(
        resolve_url("cases:note_add", open_case.public_id), {**_note(), "text": ""}
    )
    assert response.status_code == 200
    assert _since(start) == {(AuditAction.VIEW, "case", "add_note"): 1}


def test_a_note_posted_through_the_api_is_one_create(open_case, caseworker):
    _record, token = api_token_create(staff=caseworker, name="test")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    start = _last()
    response = client.post(
        f"/api/v1/cases/{open_case.public_id}/notes",
        {"kind": "memo", "text": "電話で近況を確認"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert _since(start) == {(AuditAction.CREATE, "case_note", ""): 1}


def test_the_case_page_and_its_two_parts_record_each_read_once(open_case, caseworker, login):
    """The page records the case; each part loaded into it records what it shows, never the
    case again. No meeting took the case up, so its part shows (and records) nothing."""
    client = login(caseworker)
    start = _last()
    for name in ("cases:case_detail", "meetings:case_meetings", "plans:case_plans"):
        assert client.get(resolve_url(name, open_case.public_id)).status_code == 200
    assert _since(start) == {
        (AuditAction.VIEW, "case", ""): 1,
        (AuditAction.VIEW, "case_plans", ""): 1,
    }


def test_a_status_change_is_one_update(open_case, caseworker, login):
    open_case.refresh_from_db()
    start = _last()
    response = login(caseworker).post(
        resolve_url("cases:status_change", open_case.public_id),
        {"status": "assessment", "row_version": open_case.row_version},
    )
    assert response.status_code == 302
    assert _since(start) == {(AuditAction.UPDATE, "case", ""): 1}


def test_an_assessment_saved_through_its_sheet_is_one_create(open_case, caseworker, login):
    client = login(caseworker)
    url = resolve_url("plans:assessment_create", open_case.public_id)
    start = _last()
    assert client.get(url).status_code == 200
    assert _since(start) == {(AuditAction.VIEW, "case", "assessment"): 1}
    start = _last()
    response = client.post(
        url,
        {
            "person": "",
            "assessed_on": timezone.localdate().isoformat(),
            "money_situation": "年金のみ",
            "money_severity": "2",
            "health_severity": "0",
            "wishes": "このまま家で暮らしたい",
        },
    )
    assert response.status_code == 302
    assert _since(start) == {(AuditAction.CREATE, "assessment", ""): 1}


def test_a_household_edited_through_its_page_is_one_update(household, caseworker, login):
    client = login(caseworker)
    url = resolve_url("registry:household_edit", household.public_id)
    start = _last()
    assert client.get(url).status_code == 200
    assert _since(start) == {(AuditAction.VIEW, "household", "edit"): 1}
    start = _last()
    response = client.post(url, {"address": "かさね市中央二丁目2-2", "phone": "", "note": ""})
    assert response.status_code == 302
    assert _since(start) == {(AuditAction.UPDATE, "household", ""): 1}


def test_a_person_edited_through_their_page_is_one_update(household, caseworker, login):
    person = (
        household.current_memberships[0].person
        if hasattr(household, "current_memberships")
        else household.memberships.get().person
    )
    client = login(caseworker)
    url = resolve_url("registry:person_edit", person.public_id)
    start = _last()
    response = client.post(
        url,
        {
            "name": "草野 和夫",
            "kana": "クサノ カズオ",
            "birth_date": "1944-06-02",
            "sex": "unknown",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _since(start) == {(AuditAction.UPDATE, "person", ""): 1}
