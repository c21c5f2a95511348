"""Referrals, hand-overs, the lead, meeting attendance and tasks name only support agencies.

Issue 14 (Why 6): the pickers and the API accepted 見守り協定 businesses (gas, water,
newspaper, post), the 民生委員 council and the information-policy office; the API took a
young-carer consultation referred to a gas company.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kasane.accounts.models import Agency, AgencyType
from kasane.api.tests.conftest import ApiClient, assert_error
from kasane.cases import services
from kasane.cases.forms import HandoverForm, NameLeadForm, ReferralForm
from kasane.cases.models import Referral
from kasane.conftest import AgencyFactory
from kasane.intake.forms import ConsultationForm
from kasane.intake.models import Consultation
from kasane.meetings import services as meeting_services
from kasane.meetings.forms import AttendeeForm
from kasane.meetings.models import MeetingKind

pytestmark = pytest.mark.django_db

MESSAGE = (
    "%(agency)s is not a support agency: watch-agreement businesses, the council of "
    "commissioned welfare volunteers and administrative offices cannot be referred "
    "to, take the lead, attend a meeting or take a task."
)


@pytest.fixture
def outsiders_of_support(db: Any) -> list[Agency]:
    """The agencies the attacker named: a gas company, the 民生委員 council, the IT office."""
    return [
        AgencyFactory.create(name="かさねガス株式会社", agency_type=AgencyType.WATCH_BUSINESS),
        AgencyFactory.create(
            name="かさね市民生委員児童委員協議会", agency_type=AgencyType.COMMISSIONED_VOLUNTEERS
        ),
        AgencyFactory.create(name="かさね市情報政策課", agency_type=AgencyType.ADMINISTRATION),
    ]


@pytest.fixture
def gas(outsiders_of_support: list[Agency]) -> Agency:
    return outsiders_of_support[0]


def _refused(error: pytest.ExceptionInfo[ValidationError], agency: Agency) -> None:
    assert [e.code for e in error.value.error_list] == ["not_support_agency"]
    assert agency.name in error.value.messages[0]


def test_services_refuse_an_agency_that_gives_no_support(
    open_case: Any, caseworker: Any, coordinator: Any, outsiders_of_support: list[Agency]
) -> None:
    for agency in outsiders_of_support:
        with pytest.raises(ValidationError) as refused:
            services.referral_create(
                actor=caseworker, case=open_case, to_agency=agency, reason="r", request="q"
            )
        _refused(refused, agency)
        with pytest.raises(ValidationError) as refused:
            services.handover_request(actor=caseworker, case=open_case, to_agency=agency)
        _refused(refused, agency)
    assert not Referral.objects.exists()


def test_coordination_cannot_name_a_gas_company_the_lead(
    open_case: Any, caseworker: Any, coordinator: Any, gas: Agency
) -> None:
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    with pytest.raises(ValidationError) as refused:
        services.case_name_lead(actor=coordinator, case=open_case, agency=gas)
    _refused(refused, gas)


def test_a_gas_company_is_not_invited_to_a_meeting(coordinator: Any, gas: Agency) -> None:
    meeting = meeting_services.meeting_create(
        actor=coordinator,
        kind=MeetingKind.SUPPORT_MEETING,
        held_at=timezone.now() + datetime.timedelta(days=3),
        place="市役所 会議室A",
    )
    with pytest.raises(ValidationError) as refused:
        meeting_services.attendee_add(actor=coordinator, meeting=meeting, agency=gas)
    _refused(refused, gas)
    assert gas.pk not in {a.pk for a in AttendeeForm().fields["agency"].queryset}  # type: ignore[attr-defined]


def test_the_pickers_offer_only_support_agencies(
    outsiders_of_support: list[Agency], other_agency: Agency
) -> None:
    forms = [
        (ReferralForm(), "to_agency"),
        (HandoverForm(), "to_agency"),
        (NameLeadForm(), "agency"),
        (ConsultationForm(agency_id=None), "referral_to"),
        (AttendeeForm(), "agency"),
    ]
    for form, name in forms:
        offered = set(form.fields[name].queryset)  # type: ignore[attr-defined]
        assert other_agency in offered, name
        assert offered.isdisjoint(outsiders_of_support), name


def test_the_referral_and_hand_over_pages_do_not_offer_them(
    login: Any, caseworker: Any, open_case: Any, outsiders_of_support: list[Agency]
) -> None:
    client = login(caseworker)
    for name in ("cases:referral_add", "cases:handover_request"):
        page = client.get(reverse(name, args=[open_case.public_id])).content.decode()
        assert "かさね市障害者" in page or "<select" in page
        for agency in outsiders_of_support:
            assert agency.name not in page, (name, agency.name)


def test_a_posted_gas_company_is_refused_on_the_page(
    login: Any, caseworker: Any, open_case: Any, gas: Agency
) -> None:
    response = login(caseworker).post(
        reverse("cases:referral_add", args=[open_case.public_id]),
        {"to_agency": gas.pk, "reason": "見守り", "request": "訪問"},
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


@pytest.fixture
def api_client(caseworker: Any) -> ApiClient:
    from kasane.api.services import api_token_create

    return ApiClient(api_token_create(staff=caseworker, name="t")[1])


def test_the_api_refuses_a_young_carer_consultation_referred_to_a_gas_company(
    api_client: ApiClient, gas: Agency
) -> None:
    """The issue's reproduction, in Japanese with its code."""
    response = api_client.post(
        "/consultations",
        {
            "requester": "agency",
            "channel": "home_visit",
            "needs": ["young_carer"],
            "main_need": "young_carer",
            "domains": ["child"],
            "summary": "中学2年の生徒が祖母の介護で欠席が続いている。",
            "outcome": "referred",
            "new_household": {
                "head": {"name": "青葉 ミツ", "kana": "アオバ ミツ", "birth_date": "1940-02-01"},
                "members": [{"name": "青葉 翔", "kana": "アオバ ショウ", "relationship": "child"}],
            },
            "referral": {"to_agency_id": str(gas.public_id), "reason": "介護", "request": "訪問"},
        },
    )
    body = assert_error(response, 400, "invalid_fields")
    assert body["fields"]["referral"][0]["code"] == "not_support_agency"
    assert "かさねガス株式会社" in body["fields"]["referral"][0]["message"]
    assert "支援機関" in body["fields"]["referral"][0]["message"]
    assert not Consultation.objects.exists() and not Referral.objects.exists()


def test_the_api_refuses_a_referral_to_them_and_marks_them_in_its_list(
    api_client: ApiClient, open_case: Any, outsiders_of_support: list[Agency], other_agency: Agency
) -> None:
    for agency in outsiders_of_support:
        response = api_client.post(
            "/referrals",
            {
                "case_id": str(open_case.public_id),
                "to_agency_id": str(agency.public_id),
                "reason": "見守り",
                "request": "訪問",
            },
        )
        assert_error(response, 400, "not_support_agency", MESSAGE, {"agency": agency.name})
    listed = {a["name"]: a["gives_support"] for a in api_client.get("/agencies").json()}
    assert listed[other_agency.name] is True
    assert all(listed[a.name] is False for a in outsiders_of_support)
