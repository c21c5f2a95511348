"""A note's date lies within its case's life; a note sent twice is saved once (issue 14, Why 8).

A note dated 1900-01-01 was accepted on a case opened this year, and the same note POSTed
twice (a double click, a resubmitted form, a client's retry) was saved twice.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kasane.api.tests.conftest import ApiClient, assert_error
from kasane.cases import services
from kasane.cases.models import CaseNote
from kasane.cases.services.notes import BACKDATE_DAYS
from kasane.intake.models import Consultation

pytestmark = [pytest.mark.clock, pytest.mark.django_db]


def _note(actor: Any, case: Any, written_on: datetime.date, **extra: Any) -> CaseNote:
    return services.case_note_create(
        actor=actor, case=case, written_on=written_on, kind="memo", text="訪問", **extra
    )


def _codes(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    value = error.value
    if hasattr(value, "error_dict"):
        return [e.code or "" for errors in value.error_dict.values() for e in errors]
    return [e.code or "" for e in value.error_list]


def test_a_note_dated_1900_on_a_case_opened_this_year_is_refused(
    caseworker: Any, open_case: Any
) -> None:
    """The issue's reproduction."""
    with pytest.raises(ValidationError) as refused, translation.override("ja"):
        _note(caseworker, open_case, datetime.date(1900, 1, 1))
    assert _codes(refused) == ["note_before_case"]
    message = refused.value.messages[0]
    opened = timezone.localtime(open_case.opened_at).date()
    assert f"{opened:%Y-%m-%d}" in message and "開始" in message
    with pytest.raises(ValidationError) as refused:
        _note(caseworker, open_case, datetime.date(1900, 1, 1), backdate_reason="入力ミスではない")
    assert _codes(refused) == ["note_too_early"]
    assert not CaseNote.objects.exists()


def test_dates_within_the_case_and_today_in_japan_are_accepted(
    caseworker: Any, open_case: Any
) -> None:
    today = timezone.localdate()
    opened = timezone.localtime(open_case.opened_at).date()
    assert _note(caseworker, open_case, opened).written_on == opened
    assert _note(caseworker, open_case, today).written_on == today
    with pytest.raises(ValidationError) as refused:
        _note(caseworker, open_case, today + datetime.timedelta(days=1))
    assert _codes(refused) == ["future"]


def test_back_dating_before_opening_needs_a_reason_and_stays_near(
    caseworker: Any, open_case: Any
) -> None:
    opened = timezone.localtime(open_case.opened_at).date()
    before = opened - datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        _note(caseworker, open_case, before)
    assert _codes(refused) == ["note_before_case"]
    note = _note(caseworker, open_case, before, backdate_reason="受付前の電話相談の記録")
    assert note.written_on == before and note.backdate_reason == "受付前の電話相談の記録"
    too_far = opened - datetime.timedelta(days=BACKDATE_DAYS + 1)
    with pytest.raises(ValidationError) as refused:
        _note(caseworker, open_case, too_far, backdate_reason="古い記録")
    assert _codes(refused) == ["note_too_early"]


def test_the_consultation_that_led_to_the_case_may_be_recorded_on_its_day(
    caseworker: Any, open_case: Any
) -> None:
    opened = timezone.localtime(open_case.opened_at).date()
    long_ago = opened - datetime.timedelta(days=BACKDATE_DAYS + 20)
    with pytest.raises(ValidationError):  # no consultation before it: the limit holds
        _note(caseworker, open_case, long_ago, backdate_reason="相談日の記録")
    Consultation.objects.create(
        received_at=timezone.make_aware(datetime.datetime.combine(long_ago, datetime.time(10))),
        agency=caseworker.agency,
        staff=caseworker,
        requester="family",
        channel="phone",
        household=open_case.household,
        summary="電話相談",
        outcome="referred",
        case=open_case,
    )
    note = _note(caseworker, open_case, long_ago, backdate_reason="相談日の記録")
    assert note.written_on == long_ago


def test_the_note_page_refuses_1900_with_its_message(
    login: Any, caseworker: Any, open_case: Any
) -> None:
    response = login(caseworker).post(
        reverse("cases:note_add", args=[open_case.public_id]),
        {"written_on": "1900-01-01", "kind": "memo", "text": "訪問", "visibility": "team"},
        headers={"Accept-Language": "ja"},
    )
    assert response.status_code == 200
    assert "開始" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_the_same_note_form_posted_twice_is_saved_once(
    login: Any, caseworker: Any, open_case: Any
) -> None:
    client = login(caseworker)
    url = reverse("cases:note_add", args=[open_case.public_id])
    page = client.get(url).content.decode()
    assert 'name="token"' in page
    data = {
        "written_on": f"{timezone.localdate():%Y-%m-%d}",
        "kind": "visit",
        "text": "自宅を訪問した。",
        "visibility": "team",
        "token": str(uuid.uuid4()),
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == first["Location"]
    assert CaseNote.objects.count() == 1


def test_the_service_returns_the_first_note_for_a_token_used_again(
    caseworker: Any, other_caseworker: Any, open_case: Any
) -> None:
    token = uuid.uuid4()
    today = timezone.localdate()
    first = _note(caseworker, open_case, today, token=token)
    again = _note(caseworker, open_case, today, token=token)
    assert again.pk == first.pk and CaseNote.objects.count() == 1


@pytest.fixture
def api_client(caseworker: Any) -> ApiClient:
    from kasane.api.services import api_token_create

    return ApiClient(api_token_create(staff=caseworker, name="t")[1], **{"Idempotency-Key": "k-1"})


def test_the_api_saves_a_retried_note_once(api_client: ApiClient, open_case: Any) -> None:
    path = f"/cases/{open_case.public_id}/notes"
    body = {"kind": "phone", "text": "電話で様子を聞いた。"}
    first = api_client.post(path, body)
    second = api_client.post(path, body)
    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    assert second.json()["id"] == first.json()["id"]
    assert CaseNote.objects.count() == 1


def test_the_api_refuses_1900_with_its_code(api_client: ApiClient, open_case: Any) -> None:
    path = f"/cases/{open_case.public_id}/notes"
    response = api_client.post(path, {"kind": "memo", "text": "x", "written_on": "1900-01-01"})
    body = assert_error(response, 400, "note_before_case")
    assert "2026" in body["message"] or "20" in body["message"]


def test_the_reason_for_an_earlier_date_is_shown_with_the_note(
    login: Any, caseworker: Any, open_case: Any
) -> None:
    opened = timezone.localtime(open_case.opened_at).date()
    _note(
        caseworker, open_case, opened - datetime.timedelta(days=2), backdate_reason="受付前の電話"
    )
    page = login(caseworker).get(reverse("cases:case_detail", args=[open_case.public_id]))
    assert "受付前の電話" in page.content.decode()
