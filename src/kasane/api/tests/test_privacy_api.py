"""Consents and break-glass through the API: the same services and selectors as the pages."""

import pytest
from django.utils import timezone

from kasane.accounts.models import Notification
from kasane.audit.models import LegalBasis
from kasane.cases import services as case_services
from kasane.conftest import head_of
from kasane.privacy.cases import detail_basis
from kasane.privacy.models import BreakGlass, Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_case(caseworker, outsider, household):
    case = case_services.case_open(actor=caseworker, household=household)
    referral = case_services.referral_create(
        actor=caseworker, case=case, to_agency=outsider.agency, reason="r", request="q"
    )
    case_services.referral_accept(actor=outsider, referral=referral)
    return case


def test_record_list_and_withdraw_a_consent(api, caseworker, outsider, team_case, household):
    person = head_of(household)
    client = api(caseworker)
    response = client.post(
        f"/persons/{person.public_id}/consents",
        {
            "purposes": ["information_sharing"],
            "agency_ids": [str(outsider.agency.public_id)],
            "method": "written",
            "obtained_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    consent_id = response.json()["id"]
    assert detail_basis(outsider, team_case) == LegalBasis.CONSENT
    listed = client.get(f"/persons/{person.public_id}/consents").json()
    assert [c["id"] for c in listed["in_force"]] == [consent_id]

    response = client.post(f"/consents/{consent_id}/withdraw", {"note": "本人の申し出"})
    assert response.status_code == 200
    assert response.json()["in_force"] is False
    assert detail_basis(outsider, team_case) is None
    listed = client.get(f"/persons/{person.public_id}/consents").json()
    assert listed["in_force"] == [] and [c["id"] for c in listed["past"]] == [consent_id]


def test_bad_consents_are_refused(api, caseworker, household, outsider):
    person = head_of(household)
    url = f"/persons/{person.public_id}/consents"
    future = {
        "purposes": ["information_sharing"],
        "agency_ids": [str(outsider.agency.public_id)],
        "method": "written",
        "obtained_on": "2999-01-01",
    }
    response = api(caseworker).post(url, future)
    assert response.status_code in (400, 422)
    assert "obtained_on" in response.content.decode()
    unknown = {
        **future,
        "obtained_on": timezone.localdate().isoformat(),
        "agency_ids": ["00000000-0000-0000-0000-000000000000"],
    }
    assert api(caseworker).post(url, unknown).status_code in (400, 422)
    assert not Consent.objects.exists()


def test_outsider_gets_404_for_consents(
    api, stranger, household, caseworker, give_consent, other_agency
):
    person = head_of(household)
    assert api(stranger).get(f"/persons/{person.public_id}/consents").status_code == 404
    consent = give_consent(household, other_agency)
    assert api(stranger).post(f"/consents/{consent.public_id}/withdraw", {}).status_code == 404


def test_break_glass_through_the_api(api, outsider, coordinator, team_case):
    response = api(outsider).post(
        f"/cases/{team_case.public_id}/break-glass",
        {"reason": "応答がなく、室内で倒れている可能性がある。"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["case_number"] == team_case.number
    assert BreakGlass.objects.filter(case=team_case).count() == 1
    assert Notification.objects.filter(recipient=coordinator).exists()
    details = api(outsider).get(f"/cases/{team_case.public_id}").json()
    assert details["details"] is True and details["basis"] == "break_glass"
